# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The application and application_info modules, run through main() with their real argument
specs against an in-memory /v1/applications: domains, prefixes and ports compared as sets (and
prefixes in canonical form), only changed fields sent, with If-Match, nothing written in check
mode, the server's refusals (a policy uses the application) surfaced in the module's message."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import itertools

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.patronus.sdwan.plugins.module_utils.client import PatronusError
from ansible_collections.patronus.sdwan.plugins.modules import application as app_module
from ansible_collections.patronus.sdwan.plugins.modules import application_info as info_module


class Exit(Exception):
    def __init__(self, failed, result):
        super(Exit, self).__init__(result)
        self.failed = failed
        self.result = result


def _exit(self, **result):
    raise Exit(False, result)


def _fail(self, **result):
    raise Exit(True, result)


class FakeApplications:
    """/v1/applications in memory: defaults filled in, sets kept sorted as the server answers them."""

    def __init__(self):
        self.apps = {}
        self.writes = []
        self.queries = []
        self.ids = itertools.count(1)
        self.in_use = set()

    @staticmethod
    def _normalised(app):
        for f in ("domains", "prefixes", "ports"):
            app[f] = sorted(app.get(f) or [])
        return app

    def list(self, path, query=None):
        assert path == "/v1/applications"
        query = dict((k, v) for k, v in (query or {}).items() if v is not None)
        self.queries.append(query)
        return [copy.deepcopy(a) for a in self.apps.values() if all(a.get(k) == v for k, v in query.items())]

    def create(self, path, body):
        assert path == "/v1/applications"
        self.writes.append(("POST", path, copy.deepcopy(body)))
        app_id = "a%d" % next(self.ids)
        app = dict(description="", protocol="any", id=app_id, created_at="t1", updated_at="t1", etag='"1"')
        app.update(body)
        self.apps[app_id] = self._normalised(app)
        return copy.deepcopy(self.apps[app_id])

    def update(self, path, body, etag=None):
        app = self.apps[path.rsplit("/", 1)[1]]
        assert etag == app["etag"], "sent with the ETag it read"
        self.writes.append(("PATCH", path, copy.deepcopy(body), etag))
        app.update(body)
        app["etag"] = '"%d"' % (int(app["etag"].strip('"')) + 1)
        app["updated_at"] = "t2"
        self._normalised(app)
        return copy.deepcopy(app)

    def delete(self, path, etag=None):
        app_id = path.rsplit("/", 1)[1]
        if self.apps[app_id]["name"] in self.in_use:
            raise PatronusError(409, {"title": "Conflict", "status": 409,
                                      "detail": "application %r is used by policy 'p1'" % self.apps[app_id]["name"]},
                                method="DELETE", path=path)
        self.writes.append(("DELETE", path, etag))
        del self.apps[app_id]
        return True


@pytest.fixture
def api(monkeypatch):
    fake = FakeApplications()
    monkeypatch.setattr(app_module, "client_from_module", lambda module: fake)
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail)
    return fake


def run(module, check_mode=False, diff=False, **args):
    args.setdefault("url", "http://patronus.invalid")
    args.setdefault("token", "ptrn_api_test")
    if check_mode:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    with patch_module_args(args):
        with pytest.raises(Exit) as e:
            module.main()
    return e.value


INTRANET = dict(name="intranet", category="business", domains=["intranet.example.com", "*.intranet.example.com"],
                prefixes=["10.20.0.0/16"])


def test_creates_with_the_given_fields_only_then_reports_no_change(api):
    first = run(app_module, **INTRANET)
    assert not first.failed and first.result["changed"]
    assert api.writes == [("POST", "/v1/applications", INTRANET)]
    assert first.result["application"]["protocol"] == "any"
    reordered = dict(INTRANET)
    reordered["domains"] = list(reversed(INTRANET["domains"]))
    again = run(app_module, **reordered)
    assert not again.failed and not again.result["changed"], again.result
    assert len(api.writes) == 1


def test_prefixes_compare_in_canonical_form_and_ports_as_a_set(api):
    run(app_module, name="db", category="business", prefixes=["2001:db8::/32"], protocol="tcp", ports=["5432", "6000-6010"])
    again = run(app_module, name="db", category="business", prefixes=["2001:DB8::/32"], protocol="tcp",
                ports=["6000-6010", "5432"])
    assert not again.result["changed"], again.result


def test_update_sends_the_changed_fields_with_if_match_and_diffs_them(api):
    run(app_module, **INTRANET)
    changed = run(app_module, diff=True, name="intranet", category="web", ports=["443"], protocol="tcp")
    assert changed.result["changed"]
    assert api.writes[-1] == ("PATCH", "/v1/applications/a1",
                              {"category": "web", "ports": ["443"], "protocol": "tcp"}, '"1"')
    assert changed.result["diff"] == {"before": {"category": "business", "ports": [], "protocol": "any"},
                                      "after": {"category": "web", "ports": ["443"], "protocol": "tcp"}}
    assert changed.result["application"]["domains"] == sorted(INTRANET["domains"]), "left-out options keep their value"


def test_check_mode_writes_nothing(api):
    predicted = run(app_module, check_mode=True, **INTRANET)
    assert predicted.result["changed"] and api.writes == []
    run(app_module, **INTRANET)
    update = run(app_module, check_mode=True, name="intranet", description="portal")
    assert update.result["changed"] and update.result["application"]["description"] == "portal"
    gone = run(app_module, check_mode=True, name="intranet", state="absent")
    assert gone.result["changed"] and len(api.writes) == 1
    assert api.apps["a1"]["description"] == ""


def test_creating_needs_a_category(api):
    missing = run(app_module, name="intranet", domains=["intranet.example.com"])
    assert missing.failed and "category" in missing.result["msg"]
    assert api.writes == []


def test_an_unknown_category_is_refused_before_any_request(api):
    bad = run(app_module, name="intranet", category="games", domains=["intranet.example.com"])
    assert bad.failed and "category" in bad.result["msg"]
    assert api.writes == [] and api.queries == []


def test_absent_deletes_once(api):
    run(app_module, **INTRANET)
    deleted = run(app_module, name="intranet", state="absent")
    assert deleted.result["changed"] and deleted.result["application"] is None
    assert api.writes[-1] == ("DELETE", "/v1/applications/a1", '"1"')
    assert not run(app_module, name="intranet", state="absent").result["changed"]


def test_deleting_one_a_policy_uses_fails_with_the_servers_answer(api):
    run(app_module, **INTRANET)
    api.in_use.add("intranet")
    refused = run(app_module, name="intranet", state="absent")
    assert refused.failed
    assert "HTTP 409" in refused.result["msg"] and "policy 'p1'" in refused.result["msg"]
    assert refused.result["status"] == 409
    assert "a1" in api.apps


def test_info_filters_by_name_and_category(api, monkeypatch):
    from ansible_collections.patronus.sdwan.plugins.module_utils import common
    monkeypatch.setattr(common, "client_from_module", lambda module: api)
    run(app_module, **INTRANET)
    run(app_module, name="voip", category="voice", protocol="udp", ports=["5060"])
    everything = run(info_module)
    assert [a["name"] for a in everything.result["applications"]] == ["intranet", "voip"]
    voice = run(info_module, category="voice")
    assert [a["name"] for a in voice.result["applications"]] == ["voip"]
    assert api.queries[-1] == {"category": "voice"}
    none = run(info_module, name="intranet", category="voice")
    assert none.result["applications"] == [] and not none.result["changed"]

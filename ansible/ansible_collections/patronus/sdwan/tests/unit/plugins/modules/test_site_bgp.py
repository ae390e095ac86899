# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The site_bgp module: one object per site replaced whole, options left out kept, write-only
passwords sent only when asked, nothing sent when nothing changes or in check mode; run through
main() with the real argument spec against an in-memory API with the server's semantics."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.patronus.sdwan.plugins.modules import site_bgp as bgp_module

SITE = dict(id="s1", name="paris", lan_prefixes=["10.1.0.0/16"], overlay_address="100.64.0.1")


class Exit(Exception):
    def __init__(self, failed, result):
        super(Exit, self).__init__(result)
        self.failed = failed
        self.result = result


def _exit(self, **result):
    raise Exit(False, result)


def _fail(self, **result):
    raise Exit(True, result)


class FakeApi:
    """A site and its BGP settings, with the PUT semantics of server/tests/api/bgp.rs."""

    def __init__(self):
        self.bgp = None
        self.passwords = {}
        self.writes = []

    def list(self, path, query=None):
        assert path == "/v1/sites"
        return [copy.deepcopy(SITE)] if (query or {}).get("name") == "paris" else []

    def get_or_none(self, path):
        if path == "/v1/sites/paris":
            return None
        assert path == "/v1/sites/s1/bgp"
        return copy.deepcopy(self.bgp)

    def put(self, path, body, etag=None):
        self.writes.append(("PUT", path, copy.deepcopy(body), etag))
        neighbors = []
        for n in body.get("neighbors", []):
            n = dict(dict(description="", keepalive=60, hold_time=180, bfd=False), **n)
            password = n.pop("password", None)
            if password is not None:
                self.passwords[n["address"]] = password or None
            n["password_set"] = bool(self.passwords.get(n["address"]))
            neighbors.append(n)
        version = int(self.bgp["etag"].strip('"')) + 1 if self.bgp else 1
        self.bgp = dict(site_id="s1", local_asn=body.get("local_asn", 4200000001),
                        router_id=body.get("router_id", "100.64.0.1"), neighbors=neighbors,
                        networks=body.get("networks", []), prefix_lists=body.get("prefix_lists", []),
                        route_maps=body.get("route_maps", []), overlay_import=body.get("overlay_import", False),
                        max_learned_prefixes=body.get("max_learned_prefixes", 1000), etag='"%d"' % version)
        return copy.deepcopy(self.bgp)

    def delete(self, path, etag=None):
        self.writes.append(("DELETE", path, etag))
        self.bgp = None
        return True


def run(api, check_mode=False, **args):
    args.setdefault("url", "http://patronus.invalid")
    args.setdefault("token", "ptrn_api_test")
    args.setdefault("site", "paris")
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(Exit) as e:
            bgp_module.main()
    return e.value


@pytest.fixture
def api(monkeypatch):
    fake = FakeApi()
    monkeypatch.setattr(bgp_module, "client_from_module", lambda module: fake)
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail)
    return fake


NEIGHBOR = dict(address="10.1.0.2", remote_asn=65010, password="md5-secret", route_map_in="in")
ROUTE_MAPS = [dict(name="in", entries=[dict(action="permit", set_med=50)])]


def test_creates_then_reports_no_change_and_never_shows_the_password(api):
    first = run(api, neighbors=[NEIGHBOR], route_maps=ROUTE_MAPS, networks=["10.1.0.0/16"])
    assert not first.failed and first.result["changed"]
    assert api.writes[0][2]["neighbors"][0]["password"] == "md5-secret"
    assert "md5-secret" not in repr(first.result)
    again = run(api, neighbors=[NEIGHBOR], route_maps=ROUTE_MAPS, networks=["10.1.0.0/16"])
    assert not again.result["changed"], again.result
    assert len(api.writes) == 1


def test_options_left_out_are_kept_and_the_stored_password_too(api):
    run(api, neighbors=[NEIGHBOR], route_maps=ROUTE_MAPS)
    changed = run(api, local_asn=65001, _ansible_diff=True)
    assert changed.result["changed"]
    assert changed.result["diff"] == {"before": {"local_asn": 4200000001}, "after": {"local_asn": 65001}}
    body = api.writes[-1][2]
    assert body["route_maps"] == ROUTE_MAPS and "password" not in body["neighbors"][0]
    assert api.writes[-1][3] == '"1"', "sent with If-Match"
    assert api.bgp["neighbors"][0]["password_set"]


def test_update_password_always_sends_it_every_run(api):
    run(api, neighbors=[NEIGHBOR], route_maps=ROUTE_MAPS)
    again = run(api, neighbors=[dict(NEIGHBOR, password="new-secret")], route_maps=ROUTE_MAPS, update_password="always")
    assert again.result["changed"]
    assert api.writes[-1][2]["neighbors"][0]["password"] == "new-secret"
    assert "new-secret" not in repr(again.result)


def test_check_mode_writes_nothing(api):
    predicted = run(api, check_mode=True, local_asn=65001)
    assert predicted.result["changed"] and api.writes == []
    run(api, local_asn=65001)
    gone = run(api, check_mode=True, state="absent")
    assert gone.result["changed"] and len(api.writes) == 1


def test_absent_deletes_once(api):
    run(api, local_asn=65001)
    deleted = run(api, state="absent")
    assert deleted.result["changed"] and api.writes[-1][0] == "DELETE"
    assert not run(api, state="absent").result["changed"]


def test_prefixes_and_addresses_compare_in_canonical_form(api):
    run(api, networks=["10.1.0.0/16", "2001:db8::/32"], neighbors=[dict(address="10.1.0.2", remote_asn=65010)])
    again = run(api, networks=["2001:DB8::/32", "10.1.0.0/16"], neighbors=[dict(address="10.1.0.2", remote_asn=65010)])
    assert not again.result["changed"], again.result

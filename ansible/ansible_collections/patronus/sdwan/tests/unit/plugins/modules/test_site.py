# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The site module's links: the whole set, matched by name, compared without order or server-only
fields, sent only when it changes, never in check mode; run through main() with the real
argument spec (so the links' defaults are those the module declares)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import itertools

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.patronus.sdwan.plugins.module_utils.client import PatronusError
from ansible_collections.patronus.sdwan.plugins.module_utils.diff import KeyedSet
from ansible_collections.patronus.sdwan.plugins.modules import site as site_module

SERVER_ONLY = ("id", "site_id", "etag", "created_at", "updated_at")


class Exit(Exception):
    def __init__(self, failed, result):
        super(Exit, self).__init__(result)
        self.failed = failed
        self.result = result


def _exit(self, **result):
    raise Exit(False, result)


def _fail(self, **result):
    raise Exit(True, result)


class FakeSites:
    """The sites API in memory, with the links semantics of server/tests/api/inline_links.rs."""

    def __init__(self):
        self.sites = {}
        self.writes = []
        self.ids = itertools.count(1)

    def _link(self, site_id, spec, old=None):
        link = dict(kind="other", endpoint=None, cost=0, priority=100)
        link.update(spec)
        if old is not None:
            link.update(id=old["id"], site_id=site_id, created_at=old["created_at"],
                        updated_at="t2" if any(old.get(k) != v for k, v in link.items()) else old["updated_at"],
                        etag=old["etag"])
        else:
            link.update(id="l%d" % next(self.ids), site_id=site_id, created_at="t1", updated_at="t1", etag='"1"')
        return link

    def _links(self, site_id, specs, current=()):
        by_name = dict((l["name"], l) for l in current)
        return sorted((self._link(site_id, s, by_name.get(s["name"])) for s in specs), key=lambda l: l["name"])

    def add(self, name, links=()):
        site_id = "s%d" % next(self.ids)
        self.sites[site_id] = dict(id=site_id, name=name, description="", location="", labels={}, role="edge",
                                   lan_prefixes=[], listen_port=51820, overlay_address="100.64.0.1",
                                   created_at="t1", updated_at="t1", etag='"1"',
                                   links=self._links(site_id, links))
        return self.sites[site_id]

    def list(self, path, query=None):
        assert path == "/v1/sites"
        return [copy.deepcopy(s) for s in self.sites.values() if s["name"] == (query or {}).get("name")]

    def create(self, path, body):
        self.writes.append(("POST", path, copy.deepcopy(body)))
        fields = dict((k, v) for k, v in body.items() if k != "links")
        created = self.add(body["name"], body.get("links") or [])
        created.update(fields)
        return copy.deepcopy(created)

    def update(self, path, body, etag=None):
        self.writes.append(("PATCH", path, copy.deepcopy(body), etag))
        site = self.sites[path.rsplit("/", 1)[1]]
        assert etag == site["etag"]
        if "links" in body:
            site["links"] = self._links(site["id"], body["links"], site["links"])
        fields = dict((k, v) for k, v in body.items() if k != "links")
        if fields:
            site.update(fields)
            site["etag"] = '"%d"' % (int(site["etag"].strip('"')) + 1)
        return copy.deepcopy(site)

    def delete(self, path, etag=None):
        self.writes.append(("DELETE", path, etag))
        del self.sites[path.rsplit("/", 1)[1]]
        return True


def run(api, check_mode=False, **args):
    args.setdefault("url", "http://patronus.invalid")
    args.setdefault("token", "ptrn_api_test")
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(Exit) as e:
            site_module.main()
    return e.value


@pytest.fixture
def api(monkeypatch):
    fake = FakeSites()
    monkeypatch.setattr(site_module, "client_from_module", lambda module: fake)
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail)
    return fake


FIBER = dict(name="fiber", interface="eth1", kind="fiber", endpoint="203.0.113.1:51820",
             bandwidth_up_mbps=100, bandwidth_down_mbps=1000, cost=1, priority=1)
LTE = dict(name="lte", interface="wwan0", kind="lte", bandwidth_up_mbps=20, bandwidth_down_mbps=100)
# LTE as the server holds it: the defaults filled in.
LTE_FULL = dict(LTE, endpoint=None, cost=0, priority=100)


def names(links):
    return [l["name"] for l in links]


def test_links_are_created_with_the_site_in_one_request(api):
    out = run(api, name="paris", links=[LTE, FIBER])
    assert not out.failed and out.result["changed"]
    # One POST, the links in the order given (the server's pointers count as the user does),
    # a link behind NAT without an endpoint member, the defaults of the module's options filled in.
    assert api.writes == [("POST", "/v1/sites", {"name": "paris", "links": [
        {"name": "lte", "interface": "wwan0", "kind": "lte", "bandwidth_up_mbps": 20, "bandwidth_down_mbps": 100,
         "cost": 0, "priority": 100},
        FIBER,
    ]})]
    assert out.result["diff"]["before"] == {}
    assert out.result["diff"]["after"]["links"] == [FIBER, LTE_FULL]  # sorted by name
    assert names(out.result["site"]["links"]) == ["fiber", "lte"]


def test_the_same_set_in_another_order_is_no_change(api):
    api.add("paris", [FIBER, LTE])
    # Another order, the defaults spelt out or left out, "" for no endpoint.
    out = run(api, name="paris", links=[dict(LTE_FULL, endpoint=""), dict(FIBER)])
    assert not out.result["changed"] and api.writes == [] and "diff" not in out.result


def test_links_left_out_are_left_alone(api):
    api.add("paris", [FIBER, LTE])
    out = run(api, name="paris", location="Paris")
    assert api.writes[-1][2] == {"location": "Paris"}
    assert names(out.result["site"]["links"]) == ["fiber", "lte"]
    out = run(api, name="paris", location="Paris")
    assert not out.result["changed"]


def test_changing_one_link_sends_the_set_and_diffs_the_links(api):
    site = api.add("paris", [FIBER, LTE])
    fiber_id = site["links"][0]["id"]
    out = run(api, name="paris", links=[FIBER, dict(LTE, cost=4)], _ansible_diff=True)
    assert out.result["changed"]
    method, path, body, etag = api.writes[-1]
    assert (method, path, etag) == ("PATCH", "/v1/sites/%s" % site["id"], '"1"')
    assert list(body) == ["links"] and names(body["links"]) == ["fiber", "lte"]
    assert out.result["diff"] == {
        "before": {"links": [FIBER, LTE_FULL]},
        "after": {"links": [FIBER, dict(LTE_FULL, cost=4)]},
    }
    for side in out.result["diff"].values():
        for link in side["links"]:
            assert not set(SERVER_ONLY) & set(link)
    assert out.result["site"]["links"][0]["id"] == fiber_id
    assert out.result["site"]["links"][1]["cost"] == 4
    again = run(api, name="paris", links=[dict(LTE, cost=4), FIBER])
    assert not again.result["changed"] and len(api.writes) == 1


def test_removing_one_replacing_all_and_removing_all(api):
    old_ids = [l["id"] for l in api.add("paris", [FIBER, LTE])["links"]]
    out = run(api, name="paris", links=[FIBER])
    assert api.writes[-1][2] == {"links": [FIBER]}
    assert out.result["diff"]["before"]["links"] == [FIBER, LTE_FULL]
    assert out.result["diff"]["after"]["links"] == [FIBER]
    mpls = dict(name="mpls", interface="eth2", kind="mpls", bandwidth_up_mbps=10, bandwidth_down_mbps=10)
    out = run(api, name="paris", links=[mpls])
    assert names(out.result["site"]["links"]) == ["mpls"]
    assert out.result["site"]["links"][0]["id"] not in old_ids
    out = run(api, name="paris", links=[])
    assert api.writes[-1][2] == {"links": []}
    assert out.result["site"]["links"] == [] and out.result["diff"]["after"] == {"links": []}
    out = run(api, name="paris", links=[])
    assert not out.result["changed"]


def test_check_mode_writes_nothing_and_predicts_the_links(api):
    site = api.add("paris", [FIBER, LTE])
    fiber_id = site["links"][0]["id"]
    out = run(api, check_mode=True, name="paris", links=[dict(FIBER, cost=9), LTE,
                                                         dict(name="5g", interface="wwan1", kind="5g",
                                                              bandwidth_up_mbps=50, bandwidth_down_mbps=300)])
    assert out.result["changed"] and api.writes == []
    predicted = out.result["site"]["links"]
    assert names(predicted) == ["5g", "fiber", "lte"]
    assert "id" not in predicted[0]                       # to be created
    assert predicted[1]["id"] == fiber_id and predicted[1]["cost"] == 9  # updated in place
    created = run(api, check_mode=True, name="rome", links=[FIBER])
    assert created.result["changed"] and api.writes == []
    assert created.result["diff"]["after"]["links"] == [FIBER]
    removed = run(api, check_mode=True, name="paris", state="absent")
    assert removed.result["changed"] and api.writes == []
    assert removed.result["diff"]["before"]["links"] == [FIBER, LTE_FULL]


def test_a_name_listed_twice_fails_before_anything_is_read_or_written(api):
    api.add("paris", [FIBER])
    for check_mode in (False, True):
        out = run(api, check_mode=check_mode, name="paris", links=[FIBER, dict(FIBER, interface="eth9")])
        assert out.failed and "'fiber'" in out.result["msg"] and "more than once" in out.result["msg"]
    assert api.writes == []


def test_a_link_needs_its_required_options(api):
    out = run(api, name="paris", links=[dict(name="fiber", interface="eth1")])
    assert out.failed and "bandwidth_up_mbps" in out.result["msg"] and api.writes == []


def test_the_servers_pointer_is_in_the_message(api):
    api.add("paris", [FIBER])

    def refuse(path, body, etag=None):
        raise PatronusError(422, {"title": "Unprocessable", "status": 422, "detail": "invalid fields",
                                  "errors": [{"pointer": "/links/1/endpoint", "detail": "must be host:port"}]},
                            method="PATCH", path=path)
    api.update = refuse
    out = run(api, name="paris", links=[FIBER, dict(LTE, endpoint="not an endpoint")])
    assert out.failed and "/links/1/endpoint: must be host:port" in out.result["msg"]
    assert out.result["status"] == 422


def test_deleting_shows_the_links_without_server_fields(api):
    api.add("paris", [LTE])
    out = run(api, name="paris", state="absent")
    assert out.result["diff"]["before"]["links"] == [LTE_FULL] and out.result["diff"]["after"] == {}


def test_keyed_set():
    links = KeyedSet("name", ("name", "endpoint", "cost"), defaults={"cost": 0}, nullable=("endpoint",))
    server = [{"id": "2", "name": "b", "endpoint": None, "cost": 0, "etag": '"3"'},
              {"id": "1", "name": "a", "endpoint": "h:1", "cost": 5}]
    assert links.view(server) == [{"name": "a", "endpoint": "h:1", "cost": 5},
                                  {"name": "b", "endpoint": None, "cost": 0}]
    assert links.view([{"name": "b", "endpoint": ""}, {"name": "a", "endpoint": "h:1", "cost": 5}]) == links.view(server)
    assert links.body([{"name": "b", "endpoint": ""}, {"name": "a", "endpoint": "h:1"}]) == [
        {"name": "b", "cost": 0}, {"name": "a", "endpoint": "h:1", "cost": 0}]
    assert links.duplicates([{"name": "a"}, {"name": "b"}, {"name": "a"}]) == ["a"]
    assert links.predict(server, [{"name": "a", "cost": 1}, {"name": "c"}]) == [
        {"id": "1", "name": "a", "endpoint": None, "cost": 1}, {"name": "c", "endpoint": None, "cost": 0}]

# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""site_bgp_routes_info through main() with its real argument spec, over an API in memory: the
site by name, the filters it passes, every page, and the errors it gives."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.patronus.sdwan.plugins.module_utils.client import PatronusError
from ansible_collections.patronus.sdwan.plugins.modules import site_bgp_routes_info as module

PARIS = "0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a02"


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
    """The reads the module makes, from memory; records the routes queries."""

    def __init__(self, routes=(), refuse=None):
        self.routes = list(routes)
        self.refuse = refuse
        self.queries = []

    def get_or_none(self, p):
        return {"id": PARIS, "name": "paris"} if p.endswith(PARIS) else None

    def list(self, p, query=None):
        if p == "/v1/sites":
            return [{"id": PARIS, "name": "paris"}] if (query or {}).get("name") == "paris" else []
        assert p == "/v1/sites/%s/bgp/routes" % PARIS, p
        self.queries.append(dict(query or {}))
        if self.refuse:
            raise self.refuse
        return [dict(r) for r in self.routes if (query or {}).get("state") in (None, r["state"])]


def run(api, monkeypatch, **args):
    monkeypatch.setattr(module, "client_from_module", lambda m: api)
    args.setdefault("url", "http://patronus.invalid")
    args.setdefault("token", "ptrn_api_test")
    args.setdefault("site", "paris")
    with patch_module_args(args):
        with pytest.raises(Exit) as e:
            module.main()
    return e.value


@pytest.fixture(autouse=True)
def exits(monkeypatch):
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail)


def route(prefix, state, reason=None):
    r = {"prefix": prefix, "neighbor": "10.1.0.2", "as_path": "65010", "communities": [], "state": state,
         "learned_at": "2026-12-06T23:40:00Z"}
    if reason:
        r["reason"] = reason
    return r


def test_routes_of_a_site_by_name_with_its_filters(monkeypatch):
    api = FakeApi(routes=[route("192.168.10.0/24", "accepted"),
                          route("100.64.0.0/24", "refused", "overlaps the overlay")])
    out = run(api, monkeypatch, site=PARIS)
    assert not out.failed and out.result["changed"] is False and out.result["site_id"] == PARIS
    assert [r["prefix"] for r in out.result["routes"]] == ["192.168.10.0/24", "100.64.0.0/24"]
    out = run(api, monkeypatch, state="refused", neighbor="10.1.0.2", prefix="100.64.0.0/24")
    assert [r["reason"] for r in out.result["routes"]] == ["overlaps the overlay"]
    assert api.queries == [{}, {"state": "refused", "neighbor": "10.1.0.2", "prefix": "100.64.0.0/24"}]


def test_a_missing_site_a_bad_state_and_the_servers_refusal_fail(monkeypatch):
    out = run(FakeApi(), monkeypatch, site="lyon")
    assert out.failed and "lyon" in out.result["msg"]
    out = run(FakeApi(), monkeypatch, state="lost")
    assert out.failed and "state" in out.result["msg"]
    refusal = PatronusError(422, {"title": "The request has invalid fields",
                                  "errors": [{"pointer": "/query/prefix", "detail": "has host bits set"}]})
    out = run(FakeApi(refuse=refusal), monkeypatch, prefix="10.0.0.1/8")
    assert out.failed and "host bits" in str(out.result)

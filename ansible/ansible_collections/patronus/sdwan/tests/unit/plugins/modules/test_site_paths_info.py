# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""site_paths_info through main() with its real argument spec, over an API in memory: what it
asks the server, the peer filter, peer names, the failover events' pages and limit, and the
errors it gives before and after asking."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.patronus.sdwan.plugins.module_utils.client import PatronusError
from ansible_collections.patronus.sdwan.plugins.modules import site_paths_info as module

BRANCH = "0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a01"
PARIS = "0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a02"
GONE = "0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a03"


class Exit(Exception):
    def __init__(self, failed, result):
        super(Exit, self).__init__(result)
        self.failed = failed
        self.result = result


def _exit(self, **result):
    raise Exit(False, result)


def _fail(self, **result):
    raise Exit(True, result)


def path(peer, link, up=True):
    return {"peer_site_id": peer, "link": link, "endpoint": "192.0.2.2:51820", "up": up, "active": False,
            "rtt_ms": 10.0 if up else None, "jitter_ms": None, "loss_percent": None}


def event(n, peer=PARIS):
    return {"id": "e%d" % n, "site_id": BRANCH, "peer_site_id": peer, "policy": None, "from_link": "fiber",
            "to_link": "lte", "from_endpoint": None, "to_endpoint": None, "reason": "path_down",
            "at": "2026-12-01T10:00:%02dZ" % (n % 60)}


class FakeApi:
    """The reads the module makes, from memory; records every GET."""

    def __init__(self, sites=None, paths=(), events=(), refuse=None):
        self.sites = sites if sites is not None else {BRANCH: "branch", PARIS: "paris"}
        self.paths = list(paths)
        self.events = list(events)
        self.refuse = refuse  # (path suffix, PatronusError)
        self.gets = []
        self.lists = []

    def get(self, p, query=None):
        query = dict((k, v) for k, v in (query or {}).items() if v is not None)
        self.gets.append((p, query))
        if self.refuse and p.endswith(self.refuse[0]):
            raise self.refuse[1]
        if p.endswith("/paths"):
            return {"site_id": BRANCH, "reported_at": "2026-12-01T10:00:00Z" if self.paths else None,
                    "paths": [dict(x) for x in self.paths]}
        if p.endswith("/paths/history"):
            series = [{"peer_site_id": x["peer_site_id"], "link": x["link"], "points": []} for x in self.paths
                      if query.get("peer_site_id") in (None, x["peer_site_id"])]
            return {"site_id": BRANCH, "from": "f", "to": "t", "step_seconds": query.get("step", 60),
                    "series": series}
        if p.endswith("/failover-events"):
            start = int(query.get("cursor", 0))
            end = start + query["limit"]
            page = [dict(e) for e in self.events[start:end]]
            return {"items": page, "next_cursor": str(end) if end < len(self.events) else None}
        raise AssertionError("unexpected GET %s" % p)

    def get_or_none(self, p):
        self.gets.append((p, {}))
        site_id = p.rsplit("/", 1)[1]
        if site_id in self.sites:
            return {"id": site_id, "name": self.sites[site_id]}
        return None

    def list(self, p, query=None):
        assert p == "/v1/sites"
        self.lists.append(dict(query or {}))
        return [{"id": i, "name": n} for i, n in self.sites.items()
                if (query or {}).get("name") in (None, n)]


def run(api, monkeypatch, **args):
    monkeypatch.setattr(module, "client_from_module", lambda m: api)
    args.setdefault("url", "http://patronus.invalid")
    args.setdefault("token", "ptrn_api_test")
    args.setdefault("site", "branch")
    with patch_module_args(args):
        with pytest.raises(Exit) as e:
            module.main()
    return e.value


@pytest.fixture(autouse=True)
def exits(monkeypatch):
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail)


def test_the_paths_now_with_peer_names_and_nothing_else_asked(monkeypatch):
    api = FakeApi(paths=[path(PARIS, "fiber"), path(PARIS, "lte", up=False), path(GONE, "fiber")])
    out = run(api, monkeypatch)
    assert not out.failed and out.result["changed"] is False
    assert out.result["site_id"] == BRANCH and out.result["reported_at"] == "2026-12-01T10:00:00Z"
    assert [(x["link"], x["peer_site_name"]) for x in out.result["paths"]] == [
        ("fiber", "paris"), ("lte", "paris"), ("fiber", None)]  # a peer deleted since has no name
    assert out.result["paths"][1]["rtt_ms"] is None
    assert "history" not in out.result and "failover_events" not in out.result
    assert [g[0] for g in api.gets if "/paths" in g[0] or "failover" in g[0]] == ["/v1/sites/%s/paths" % BRANCH]


def test_before_the_first_report(monkeypatch):
    out = run(FakeApi(), monkeypatch, history={}, failover_events=True)
    assert out.result["reported_at"] is None and out.result["paths"] == []
    assert out.result["history"]["series"] == []
    assert out.result["failover_events"] == [] and out.result["failover_events_truncated"] is False


def test_peer_filters_paths_history_and_events(monkeypatch):
    api = FakeApi(paths=[path(PARIS, "fiber"), path(GONE, "fiber")], events=[event(1)])
    out = run(api, monkeypatch, peer="paris", history={"step": 600, "link": "fiber"}, failover_events=True,
              policy="voice", since="2026-12-01T09:00:00+01:00")
    assert [x["peer_site_id"] for x in out.result["paths"]] == [PARIS]
    queries = dict(api.gets)
    assert queries["/v1/sites/%s/paths/history" % BRANCH] == {"peer_site_id": PARIS, "step": 600, "link": "fiber"}
    assert queries["/v1/sites/%s/failover-events" % BRANCH] == {
        "peer_site_id": PARIS, "policy": "voice", "since": "2026-12-01T09:00:00+01:00", "limit": 100}
    assert [s["peer_site_name"] for s in out.result["history"]["series"]] == ["paris"]
    assert out.result["failover_events"][0]["peer_site_name"] == "paris"


def test_many_peers_are_named_from_one_list_of_sites(monkeypatch):
    peers = ["0190a7d6-3c4e-7b1a-9a43-0c2b8e5f%04d" % i for i in range(module.FEW_PEERS + 1)]
    sites = dict((p, "peer%d" % i) for i, p in enumerate(peers))
    sites[BRANCH] = "branch"
    api = FakeApi(sites=sites, paths=[path(p, "fiber") for p in peers])
    out = run(api, monkeypatch, site=BRANCH)
    assert [x["peer_site_name"] for x in out.result["paths"]] == ["peer%d" % i for i in range(len(peers))]
    assert api.lists == [{}]  # the site was read by its id, then every site once
    assert not [g for g in api.gets if g[0].startswith("/v1/sites/0190a7d6-3c4e-7b1a-9a43-0c2b8e5f0")]


def test_failover_events_follow_the_pages_up_to_the_limit(monkeypatch):
    api = FakeApi(events=[event(i) for i in range(1203)])
    out = run(api, monkeypatch, failover_events=True, limit=1000)
    assert [e["id"] for e in out.result["failover_events"]] == ["e%d" % i for i in range(1000)]
    assert out.result["failover_events_truncated"] is True
    limits = [q.get("limit") for p, q in api.gets if p.endswith("/failover-events")]
    assert limits == [500, 500]
    out = run(FakeApi(events=[event(i) for i in range(1203)]), monkeypatch, failover_events=True, limit=5000)
    assert len(out.result["failover_events"]) == 1203 and out.result["failover_events_truncated"] is False
    out = run(FakeApi(events=[event(i) for i in range(3)]), monkeypatch, failover_events=True, limit=3)
    assert len(out.result["failover_events"]) == 3 and out.result["failover_events_truncated"] is False


def test_unknown_sites_fail_naming_them(monkeypatch):
    api = FakeApi()
    out = run(api, monkeypatch, site="nowhere")
    assert out.failed and "'nowhere' not found" in out.result["msg"]
    out = run(api, monkeypatch, peer=GONE)
    assert out.failed and out.result["msg"].startswith("peer site '%s' not found" % GONE)
    assert not [g for g in api.gets if g[0].endswith("/paths")]


def test_bad_times_and_limits_fail_before_any_request(monkeypatch):
    for args, option in [({"history": {"from": "yesterday"}}, "history.from"),
                         ({"history": {"to": "2026-12-01 10:00"}}, "history.to"),
                         ({"since": "2026-12-01T10:00:00"}, "since")]:
        api = FakeApi()
        out = run(api, monkeypatch, **args)
        assert out.failed and out.result["msg"].startswith(option + ": "), out.result
        assert api.gets == [] and api.lists == []
    out = run(FakeApi(), monkeypatch, failover_events=True, limit=0)
    assert out.failed and out.result["msg"].startswith("limit: ")


def test_a_refused_query_names_the_option_and_keeps_the_problem(monkeypatch):
    problem = {"type": "https://patronus.dev/problems/validation", "title": "The request has invalid fields",
               "status": 422, "detail": "/query/step: must be a multiple of 60 between 60 and 86400",
               "errors": [{"pointer": "/query/step", "detail": "must be a multiple of 60 between 60 and 86400"}]}
    refused = PatronusError(422, problem, method="GET", path="/v1/sites/%s/paths/history" % BRANCH)
    out = run(FakeApi(refuse=("/paths/history", refused)), monkeypatch, history={"step": 90})
    assert out.failed and out.result["status"] == 422 and out.result["problem"] == problem
    assert out.result["msg"].startswith("history.step: GET /v1/sites/%s/paths/history failed with HTTP 422" % BRANCH)
    assert "multiple of 60" in out.result["msg"]
    # Anything else is the server's message as it is.
    gone = PatronusError(404, {"title": "Not Found", "status": 404, "detail": "site not found"}, method="GET",
                         path="/v1/sites/%s/paths" % BRANCH)
    out = run(FakeApi(refuse=("/paths", gone)), monkeypatch)
    assert out.failed and out.result["status"] == 404 and "site not found" in out.result["msg"]

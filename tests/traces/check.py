"""Drives two real server replicas (one PostgreSQL, one Redis) and checks the spans they sent
to the test's OTLP receiver (receiver.py):

- a request's span carries its request id (the `x-request-id` the client got back), the route
  template and, once authenticated, the tenant id;
- a write's trace holds its `config_compile` and `config_publish` spans, and a `config_wake`
  span for each agent poll the write woke, on its own replica and through Redis on the other,
  each a child of `config_publish` and naming the woken poll's request id; the woken poll's
  request span links back to `config_publish`.

    python check.py SPANS_FILE URL_A URL_B PLATFORM_TOKEN
"""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any

SPANS, URL_A, URL_B, PLATFORM = sys.argv[1:5]


def call(url: str, method: str, path: str, token: str | None, body: Any = None,
         headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            status, hdrs = resp.status, {k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as err:
        raw = err.read()
        status, hdrs = err.code, {k.lower(): v for k, v in err.headers.items()}
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode()
    return status, hdrs, parsed


def ok(result: tuple[int, dict[str, str], Any], want: int = 200) -> tuple[dict[str, str], Any]:
    status, hdrs, body = result
    # A problem says why; a success body may hold a secret, so only its fields are shown.
    shown = body if status >= 400 else sorted(body) if isinstance(body, dict) else type(body).__name__
    assert status == want, f"expected {want}, got {status}: {shown}"
    return hdrs, body


def parked(url: str) -> int:
    _, _, text = call(url, "GET", "/metrics", None)
    for line in str(text).splitlines():
        if line.startswith("patronus_agent_polls_parked "):
            return int(float(line.split()[1]))
    return 0


def spans() -> list[dict[str, Any]]:
    try:
        with open(SPANS, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def wait_for(what: str, check: Any, within: float = 20) -> Any:
    deadline = time.monotonic() + within
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


failures = 0
passed = 0


def expect(cond: bool, what: str, detail: Any = "") -> None:
    global failures, passed
    if cond:
        passed += 1
        print(f"ok: {what}", file=sys.stderr)
    else:
        failures += 1
        print(f"FAILED: {what} {detail}", file=sys.stderr)


def run() -> None:
    # A tenant, an admin token, a site with a link, and an enrolled agent: all through replica A.
    _, tenant = ok(call(URL_A, "POST", "/v1/tenants", PLATFORM, {"name": "traces", "slug": "traces"}), 201)
    _, token = ok(call(URL_A, "POST", f"/v1/tenants/{tenant['id']}/api-tokens", PLATFORM,
                       {"name": "traces", "role": "admin"}), 201)
    token = token["token"]
    _, site = ok(call(URL_A, "POST", "/v1/sites", token, {
        "name": "paris", "lan_prefixes": ["10.1.0.0/16"],
        "links": [{"name": "fiber", "interface": "eth1", "endpoint": "192.0.2.1:51820",
                   "bandwidth_up_mbps": 100, "bandwidth_down_mbps": 100}]}), 201)
    _, enr = ok(call(URL_A, "POST", f"/v1/sites/{site['id']}/enrollment-tokens", token, {}), 201)
    _, agent = ok(call(URL_A, "POST", "/v1/agent/enroll", None, {
        "token": enr["token"], "public_key": base64.b64encode(os.urandom(32)).decode(), "hostname": "paris-1", "agent_version": "traces-test"}), 201)
    credential = agent["credential"]
    hdrs, _ = ok(call(URL_A, "GET", "/v1/agent/config?wait=0", credential))
    etag = hdrs["etag"]

    # Two polls parked on the current document, one on each replica.
    polls: dict[str, tuple[int, dict[str, str]]] = {}


    def poll(name: str, url: str) -> None:
        status, hdrs, _ = call(url, "GET", "/v1/agent/config?wait=20", credential, headers={"If-None-Match": etag})
        polls[name] = (status, hdrs)


    threads = [threading.Thread(target=poll, args=(n, u)) for n, u in (("a", URL_A), ("b", URL_B))]
    for t in threads:
        t.start()
    wait_for("both polls to park", lambda: parked(URL_A) == 1 and parked(URL_B) == 1)

    # The write, on replica A.
    started = time.monotonic()
    hdrs, _ = ok(call(URL_A, "PATCH", f"/v1/sites/{site['id']}", token, {"lan_prefixes": ["10.2.0.0/16"]}))
    write_rid = hdrs["x-request-id"]
    for t in threads:
        t.join(25)
    woke_in = time.monotonic() - started
    expect(all(polls.get(n, (0,))[0] == 200 for n in "ab"), "the write woke both polls with the new document",
           {n: p[0] for n, p in polls.items()})
    expect(woke_in < 5, f"within 5 s of the write ({woke_in:.2f} s)")
    poll_rids = {n: polls[n][1].get("x-request-id", "") for n in polls}

    # Other requests: a read by id, an unauthenticated health check, a path no route matches.
    hdrs, _ = ok(call(URL_B, "GET", f"/v1/sites/{site['id']}", token))
    read_rid = hdrs["x-request-id"]
    hdrs, _ = ok(call(URL_A, "GET", "/healthz", None))
    health_rid = hdrs["x-request-id"]
    status, hdrs, _ = call(URL_A, "GET", f"/v1/nowhere/{site['id']}", token)
    expect(status == 404, "an unknown path is a 404", status)
    nowhere_rid = hdrs["x-request-id"]

    wanted = [write_rid, read_rid, health_rid, nowhere_rid, *poll_rids.values()]


    def request_spans() -> dict[str, dict[str, Any]] | None:
        found = {s["attributes"].get("request_id"): s for s in spans() if s["name"] != "config_wake"
                 and "request_id" in s["attributes"]}
        return found if all(r in found for r in wanted) else None


    by_rid = wait_for("the request spans of every request made", request_spans)
    everything = spans()

    write = by_rid[write_rid]
    attrs = write["attributes"]
    expect(attrs.get("request_id") == write_rid, "the write's span carries its x-request-id", attrs)
    expect(attrs.get("http.route") == "/v1/sites/{id}", "the write's span names the route template", attrs)
    expect(site["id"] not in write["name"] and write["name"] == "PATCH /v1/sites/{id}",
           "the write's span is named by method and route, without the id", write["name"])
    expect(attrs.get("tenant_id") == tenant["id"], "the write's span carries the tenant id", attrs)
    expect(attrs.get("http.response.status_code") == 200, "the write's span carries its status", attrs)
    expect(write["kind"] == 2, "the request span is a server span (kind 2)", write["kind"])

    read = by_rid[read_rid]["attributes"]
    expect(read.get("http.route") == "/v1/sites/{id}" and read.get("tenant_id") == tenant["id"],
           "a read on the other replica: route and tenant", read)
    health = by_rid[health_rid]["attributes"]
    expect(health.get("http.route") == "/healthz" and "tenant_id" not in health,
           "an unauthenticated request has its route and no tenant", health)
    nowhere = by_rid[nowhere_rid]["attributes"]
    expect("http.route" not in nowhere and nowhere.get("http.response.status_code") == 404,
           "a path no route matches has no route", nowhere)

    in_trace = [s for s in everything if s["trace_id"] == write["trace_id"]]
    compile_ = [s for s in in_trace if s["name"] == "config_compile"]
    publish = [s for s in in_trace if s["name"] == "config_publish"]
    expect(len(compile_) == 1 and compile_[0]["parent_span_id"] == write["span_id"],
           "the write's trace: config_compile under the request", compile_)
    expect(len(publish) == 1 and publish[0]["parent_span_id"] == write["span_id"]
           and publish[0]["attributes"].get("sites") == 1 and publish[0]["attributes"].get("tenant_id") == tenant["id"],
           "the write's trace: config_publish under the request, one site", publish)

    if publish:
        pub = publish[0]


        def wake_spans() -> list[dict[str, Any]] | None:
            found = [s for s in spans() if s["trace_id"] == write["trace_id"] and s["name"] == "config_wake"]
            return found if len(found) >= 2 else None

        wakes = wait_for("two config_wake spans in the write's trace", wake_spans)
        expect(len(wakes) == 2 and all(w["parent_span_id"] == pub["span_id"] for w in wakes),
               "two config_wake spans, children of config_publish", wakes)
        expect(sorted(w["attributes"].get("request_id") for w in wakes) == sorted(poll_rids.values()),
               "each config_wake names the request id of a poll the write woke", [w["attributes"] for w in wakes])
        expect(sorted(w["resource"].get("service.instance.id") for w in wakes) == ["replica-a", "replica-b"],
               "one woken on the write's replica, one on the other through Redis",
               [w["resource"] for w in wakes])
        for name, rid in poll_rids.items():
            p = by_rid[rid]
            expect(p["attributes"].get("http.route") == "/v1/agent/config"
                   and p["attributes"].get("tenant_id") == tenant["id"],
                   f"poll on replica {name}: route and the agent's tenant", p["attributes"])
            expect({"trace_id": write["trace_id"], "span_id": pub["span_id"]} in p["links"],
                   f"poll on replica {name}: its span links to the write's config_publish", p["links"])



try:
    run()
except AssertionError as err:
    # A step that could not go on (a request refused, spans that never came) ends the run.
    failures += 1
    print(f"FAILED: {err}", file=sys.stderr)
print(f"traces: {passed} passed, {failures} failed", file=sys.stderr)
sys.exit(1 if failures else 0)

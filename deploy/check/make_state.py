#!/usr/bin/env python3
"""Gives a live patronus-server something to count in every metric family it exports, through
its public API only: a tenant with two sites and an agent enrolled for each, a config poll parked
and woken by a change to its peer (the fan-out histogram), and two status reports from one agent
(paths up and down, failover events of every reason, XDP guard counters, shaping counters, a
health change, a control-plane outage). It fails when the fan-out or the outage is not counted. Usage: make_state.py URL PLATFORM_TOKEN.
scripts/test-deploy then scrapes /metrics and checks the families against server/src/metrics.rs."""

import base64
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

url, platform = sys.argv[1], sys.argv[2]


def call(method, path, token, body=None):
    req = urllib.request.Request(url + path, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        req.data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path}: {e.code} {e.read().decode(errors='replace')}")


tenant = call("POST", "/v1/tenants", platform, {"name": "deploy-check", "slug": "deploy-check"})
admin = call("POST", f"/v1/tenants/{tenant['id']}/api-tokens", platform, {"name": "deploy", "role": "admin"})["token"]
call("PUT", "/v1/topology", admin, {"mode": "full_mesh", "persistent_keepalive": 25})
here = call("POST", "/v1/sites", admin, {"name": "here", "listen_port": 51820})
there = call("POST", "/v1/sites", admin, {"name": "there", "listen_port": 51820})
for site in (here, there):
    call("POST", "/v1/links", admin, {"site_id": site["id"], "name": "fiber", "interface": "eth0",
                                      "bandwidth_up_mbps": 100, "bandwidth_down_mbps": 100,
                                      "endpoint": f"192.0.2.{1 if site is here else 2}:51820"})


def enroll(site):
    token = call("POST", f"/v1/sites/{site['id']}/enrollment-tokens", admin, {})["token"]
    public_key = base64.b64encode(os.urandom(32)).decode()
    return call("POST", "/v1/agent/enroll", None, {"token": token, "public_key": public_key,
                                                    "hostname": "deploy-check", "agent_version": "0.1.0"})["credential"]


# Both sites enrolled, so that each is the other's peer and a change to one changes both documents.
credential = enroll(here)
enroll(there)
started = datetime.now(timezone.utc)
now = started.isoformat()


def report(uptime, factor, error=None):
    klass = lambda direction, priority: {"class": "voice" if priority else "default", "priority": priority,
                                         "direction": direction, "bytes": 1000 * factor, "packets": 10 * factor,
                                         "drops": factor, "backlog_bytes": 0, "backlog_packets": 0}
    return {
        "agent_version": "0.1.0", "uptime_seconds": uptime, "last_error": error,
        "links": [{"name": "fiber", "up": True, "shaping": {
            "interface": "eth0", "egress_kbps": 95000,
            "classes": [klass("egress", 1), klass("egress", None), klass("ingress", 1)]}}],
        "peers": [{"site_id": there["id"], "paths": [
            {"link": "fiber", "endpoint": "192.0.2.2:51820", "up": True, "active": True, "rtt_ms": 12.5},
            {"link": "fiber", "endpoint": "198.51.100.2:51820", "up": False}]}],
        "failover_events": [{"at": now, "peer_site_id": there["id"], "reason": r}
                            for r in ("path_down", "sla", "better")],
        "xdp_guard": {"state": "active", "links": [{"name": "fiber", "interface": "eth0", "mode": "generic"}],
                      "counters": {k: 5 * factor for k in (
                          "passed_initiations", "passed_responses", "passed_cookie_replies", "passed_data",
                          "passed_bytes", "dropped_malformed", "dropped_unknown_index",
                          "dropped_initiation_rate", "dropped_bytes")}},
    }


def config_poll(headers, query=""):
    """GET /v1/agent/config as the agent of `here`: (status, ETag)."""
    req = urllib.request.Request(url + "/v1/agent/config" + query)
    req.add_header("Authorization", f"Bearer {credential}")
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            resp.read()
            return resp.status, resp.headers.get("ETag")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("ETag")


def scraped(name):
    with urllib.request.urlopen(url + "/metrics", timeout=30) as resp:
        for line in resp.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return None


# A fan-out: a poll parked on the document the agent holds, woken by a change to its peer.
status, etag = config_poll({})
if status != 200 or not etag:
    sys.exit(f"GET /v1/agent/config: {status}, ETag {etag}")
answer = {}
poll = threading.Thread(target=lambda: answer.update(r=config_poll({"If-None-Match": etag}, "?wait=10")))
poll.start()
deadline = time.monotonic() + 5
while scraped("patronus_agent_polls_parked") != 1:
    if time.monotonic() > deadline:
        sys.exit("the config poll did not park within 5 s")
    time.sleep(0.05)
call("PATCH", f"/v1/sites/{there['id']}", admin, {"lan_prefixes": ["10.99.0.0/24"]})
poll.join()
if answer["r"][0] != 200 or answer["r"][1] == etag:
    sys.exit(f"the parked poll answered {answer['r']}, not the new document")
if not scraped("patronus_config_fanout_seconds_count"):
    sys.exit("the woken poll was not counted in patronus_config_fanout_seconds")

call("POST", "/v1/agent/status", credential, report(10, 1))
# The second report carries an outage of the control plane, as an agent sends it once it reaches
# the server again.
second = report(40, 2, error="deploy check: a reported error")
second["control_plane_outages"] = [{"started_at": (started - timedelta(seconds=90)).isoformat(),
                                    "ended_at": (started - timedelta(seconds=30)).isoformat(), "failed_polls": 4}]
call("POST", "/v1/agent/status", credential, second)
if scraped("patronus_agent_control_plane_outages_total") != 1 \
        or scraped("patronus_agent_control_plane_outage_seconds_total") != 60:
    sys.exit("the reported outage was not counted as 1 outage of 60 s")
print("state made: 2 sites, 2 agents, a fan-out, 2 status reports (one with an outage)", file=sys.stderr)

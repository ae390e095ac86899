#!/usr/bin/env python3
"""Gives a live patronus-server something to count in every metric family it exports, through
its public API only: a tenant with two sites, an agent enrolled for one of them, and two status
reports from it (paths up and down, failover events of every reason, XDP guard counters,
shaping counters, a health change). Usage: make_state.py URL PLATFORM_TOKEN.
scripts/test-deploy then scrapes /metrics and checks the families against server/src/metrics.rs."""

import base64
import json
import os
import sys
import urllib.error
import urllib.request
from datetime import datetime, timezone

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
enroll = call("POST", f"/v1/sites/{here['id']}/enrollment-tokens", admin, {})["token"]
public_key = base64.b64encode(os.urandom(32)).decode()
agent = call("POST", "/v1/agent/enroll", None, {"token": enroll, "public_key": public_key,
                                                   "hostname": "deploy-check", "agent_version": "0.1.0"})
credential = agent["credential"]
now = datetime.now(timezone.utc).isoformat()


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


call("POST", "/v1/agent/status", credential, report(10, 1))
call("POST", "/v1/agent/status", credential, report(40, 2, error="deploy check: a reported error"))
print("state made: 2 sites, 1 agent, 2 status reports", file=sys.stderr)

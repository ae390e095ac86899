#!/usr/bin/env python3
"""Provisions, through a live patronus-server's public API, what two real agents need to render
every family of their metrics endpoint: a tenant with two sites (`alpha`, `beta`) of one link
each (interface `wan`, addresses 10.77.0.1 and 10.77.0.2), a QoS class and a policy with an SLA,
and BGP settings for `alpha` with one neighbour that never answers (its agent runs FRR, so the
BGP families have a session to show; FRR must be installed).
Prints one enrollment token per site, alpha's first. Usage: agent_state.py URL PLATFORM_TOKEN.
scripts/test-deploy runs the agents (deploy/check/live-agents) and compares their /metrics with
what deploy/check reads from agent/src/metrics.rs."""

import json
import sys
import urllib.error
import urllib.request

url, platform = sys.argv[1], sys.argv[2]


def call(method: str, path: str, token: str, body: object = None) -> dict:
    req = urllib.request.Request(url + path, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        req.data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return json.loads(raw) if raw else {}
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path}: {e.code} {e.read().decode(errors='replace')}")


tenant = call("POST", "/v1/tenants", platform, {"name": "agent-check", "slug": "agent-check"})
admin = call("POST", f"/v1/tenants/{tenant['id']}/api-tokens", platform, {"name": "deploy", "role": "admin"})["token"]
call("PUT", "/v1/topology", admin, {"mode": "full_mesh", "persistent_keepalive": 25})
call("POST", "/v1/qos-classes", admin, {"name": "voice", "priority": 1, "dscp": 46, "guaranteed_percent": 20})
call("POST", "/v1/policies", admin, {
    "name": "voice", "priority": 10, "match": {"destination_prefixes": ["192.168.2.0/24"]},
    "action": {"qos_class": "voice", "path_selection": "lowest_latency", "sla": {"max_latency_ms": 80}}})
tokens = []
for n, name in ((1, "alpha"), (2, "beta")):
    site = call("POST", "/v1/sites", admin, {"name": name, "listen_port": 51820,
                                             "lan_prefixes": [f"192.168.{n}.0/24"]})
    call("POST", "/v1/links", admin, {"site_id": site["id"], "name": "fiber", "interface": "wan",
                                      "bandwidth_up_mbps": 100, "bandwidth_down_mbps": 100,
                                      "endpoint": f"10.77.0.{n}:51820"})
    if name == "alpha":
        call("PUT", f"/v1/sites/{site['id']}/bgp", admin,
             {"neighbors": [{"address": "192.168.1.2", "remote_asn": 65010, "description": "nobody"}]})
    tokens.append(call("POST", f"/v1/sites/{site['id']}/enrollment-tokens", admin, {})["token"])
print("\n".join(tokens))

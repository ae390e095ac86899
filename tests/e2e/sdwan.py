#!/usr/bin/env python3
"""End-to-end SD-WAN scenario: the real server, three real agents, network namespaces.

Topology (every box is a network namespace; `pe-` prefix):

    root ns (runner, patronus-server, PostgreSQL)
      | pe-cp 198.19.255.1/30  <->  cp 198.19.255.2/30
    pe-r (router: "the internet")
      | s<n>f 198.18.<n>1.1/24 <-> fiber 198.18.<n>1.2/24  (site n, default route metric 100)
      | s<n>l 198.18.<n>2.1/24 <-> lte   198.18.<n>2.2/24  (site n, default route metric 200)
    pe-a / pe-b / pe-c (sites 1..3: patronus-agent, TUN)
      | lan 192.168.<n>.1/24 <-> eth0 192.168.<n>.2/24
    pe-ah / pe-bh / pe-ch (LAN hosts)

This kernel has no netem, so a link is cut either upstream (the router blackholes the link's
subnet: the interface stays up and only path probes can notice) or locally (`ip link set down`).

Run through tests/e2e/run, which builds the binaries and starts PostgreSQL. Helpers for traffic
run inside namespaces as `sdwan.py tcp-sink|tcp-source ...`.
"""

import argparse
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

NS_PREFIX = "pe-"
SITES = [("a", 1), ("b", 2), ("c", 3)]
CONTROL_ADDR = "198.19.255.1"
ROUTER_CONTROL_ADDR = "198.19.255.2"
WG_PORT = 51820


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sh(*cmd, check=True, capture=False, timeout=60):
    r = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout if capture else r.returncode == 0


def ns(name):
    return NS_PREFIX + name


def in_ns(name, *cmd):
    return ("ip", "netns", "exec", ns(name), *cmd)


class Failed(Exception):
    pass


def wait_for(what, timeout, fn, interval=0.1):
    """Calls fn until it returns truthy; returns seconds taken, raises Failed after timeout."""
    start = time.monotonic()
    while True:
        if fn():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise Failed(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def ping(src, dst, count=1, wait=1):
    return sh(*in_ns(src, "ping", "-n", "-q", "-c", str(count), "-i", "0.2", "-W", str(wait), dst), check=False)


# --- traffic helpers that run inside namespaces -------------------------------------------------


def tcp_sink(port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(1)
    print("listening", flush=True)
    conn, _ = srv.accept()
    h, n = hashlib.sha256(), 0
    while True:
        b = conn.recv(1 << 16)
        if not b:
            break
        h.update(b)
        n += len(b)
    print(json.dumps({"bytes": n, "sha256": h.hexdigest()}), flush=True)


def tcp_source(host, port, total, seconds):
    """Sends `total` pseudo-random bytes spread over about `seconds`."""
    s = socket.create_connection((host, port), timeout=30)
    h, sent, chunk = hashlib.sha256(), 0, 1 << 16
    start = time.monotonic()
    seed = os.urandom(chunk)
    i = 0
    while sent < total:
        block = hashlib.sha256(seed + i.to_bytes(8, "big")).digest() * (chunk // 32)
        block = block[: min(chunk, total - sent)]
        s.sendall(block)
        h.update(block)
        sent += len(block)
        i += 1
        ahead = sent / total * seconds - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()
    print(json.dumps({"bytes": sent, "sha256": h.hexdigest()}), flush=True)


# --- the test bed --------------------------------------------------------------------------------


class Api:
    def __init__(self, base, token):
        self.base, self.token = base, token

    def call(self, method, path, body=None, token=None, expect=(200, 201, 204)):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {token or self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        if status not in expect:
            raise Failed(f"{method} {path}: {status} {text}")
        return json.loads(text) if text else None


class Bed:
    def __init__(self, args):
        self.args = args
        self.work = args.work
        self.procs = {}
        self.logs = {}
        self.server_url = None
        self.api = None
        self.sites = {}
        self.peerings = {}
        self.results = []

    # processes -------------------------------------------------------------------------------

    def spawn(self, name, cmd, env=None):
        path = os.path.join(self.work, f"{name}.log")
        f = open(path, "ab")
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                             start_new_session=True)
        self.procs[name] = p
        self.logs[name] = path
        return p

    def stop(self, name, sig=signal.SIGTERM, timeout=15):
        p = self.procs.pop(name, None)
        if p is None or p.poll() is not None:
            return
        p.send_signal(sig)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)

    def cleanup(self):
        for name in list(self.procs):
            try:
                self.stop(name, timeout=5)
            except Exception as e:  # noqa: BLE001 - cleanup must go on
                log(f"cleanup: stopping {name}: {e}")
        for n in list_namespaces():
            sh("ip", "netns", "del", n, check=False)
        sh("ip", "link", "del", "pe-cp", check=False)

    # topology --------------------------------------------------------------------------------

    def build_topology(self):
        for n in list_namespaces():
            sh("ip", "netns", "del", n, check=False)
        sh("ip", "link", "del", "pe-cp", check=False)
        names = ["r"] + [s for s, _ in SITES] + [s + "h" for s, _ in SITES]
        for n in names:
            sh("ip", "netns", "add", ns(n))
            sh("ip", "-n", ns(n), "link", "set", "lo", "up")
        sh(*in_ns("r", "sysctl", "-qw", "net.ipv4.ip_forward=1"))
        # The control plane link: root namespace <-> router.
        sh("ip", "link", "add", "pe-cp", "type", "veth", "peer", "name", "cp", "netns", ns("r"))
        sh("ip", "addr", "add", f"{CONTROL_ADDR}/30", "dev", "pe-cp")
        sh("ip", "link", "set", "pe-cp", "up")
        sh("ip", "-n", ns("r"), "addr", "add", f"{ROUTER_CONTROL_ADDR}/30", "dev", "cp")
        sh("ip", "-n", ns("r"), "link", "set", "cp", "up")
        sh("ip", "route", "replace", "198.18.0.0/16", "via", ROUTER_CONTROL_ADDR, "dev", "pe-cp")
        for site, n in SITES:
            s = ns(site)
            for k in ("net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0"):
                sh(*in_ns(site, "sysctl", "-qw", k))
            for link, m, metric in (("fiber", 1, "100"), ("lte", 2, "200")):
                outer = f"s{n}{link[0]}"
                sh("ip", "link", "add", link, "netns", s, "type", "veth", "peer", "name", outer, "netns", ns("r"))
                net = f"198.18.{n}{m}"
                sh("ip", "-n", s, "addr", "add", f"{net}.2/24", "dev", link)
                sh("ip", "-n", ns("r"), "addr", "add", f"{net}.1/24", "dev", outer)
                sh("ip", "-n", s, "link", "set", link, "up")
                sh("ip", "-n", ns("r"), "link", "set", outer, "up")
                sh("ip", "-n", s, "route", "add", "default", "via", f"{net}.1", "dev", link, "metric", metric)
            host = ns(site + "h")
            sh("ip", "link", "add", "lan", "netns", s, "type", "veth", "peer", "name", "eth0", "netns", host)
            sh("ip", "-n", s, "addr", "add", f"192.168.{n}.1/24", "dev", "lan")
            sh("ip", "-n", host, "addr", "add", f"192.168.{n}.2/24", "dev", "eth0")
            sh("ip", "-n", s, "link", "set", "lan", "up")
            sh("ip", "-n", host, "link", "set", "eth0", "up")
            sh("ip", "-n", host, "route", "add", "default", "via", f"192.168.{n}.1")
        log("topology: router, 3 sites with fiber + lte, 3 LAN hosts")

    # control plane ---------------------------------------------------------------------------

    def start_server(self):
        env = {
            "DATABASE_URL": self.args.database_url,
            "PATRONUS_LISTEN": f"{CONTROL_ADDR}:{self.args.port}",
            "PATRONUS_AGENT_STATUS_INTERVAL": "2",
            "PATRONUS_LONG_POLL_TIMEOUT": "10",
            "RUST_LOG": "warn",
        }
        self.spawn("server", [self.args.server_bin], env=env)
        self.server_url = f"http://{CONTROL_ADDR}:{self.args.port}"

        def ready():
            try:
                with urllib.request.urlopen(self.server_url + "/readyz", timeout=2) as r:
                    return r.status == 200
            except Exception:  # noqa: BLE001 - not up yet
                if self.procs["server"].poll() is not None:
                    raise Failed(f"server exited; see {self.logs['server']}") from None
                return False

        wait_for("the server to be ready", 120, ready, interval=0.3)

    def platform_token(self):
        with open(self.logs["server"], encoding="utf-8", errors="replace") as f:
            m = re.search(r"(ptrn_plat_[A-Za-z0-9_\-]+)", f.read())
        if not m:
            raise Failed("the server printed no platform token")
        return m.group(1)

    def provision(self):
        plat = Api(self.server_url, self.platform_token())
        tenant = plat.call("POST", "/v1/tenants", {"name": "E2E", "slug": f"e2e-{os.getpid()}"})
        tok = plat.call("POST", f"/v1/tenants/{tenant['id']}/api-tokens", {"name": "e2e", "role": "admin"})
        self.api = Api(self.server_url, tok["token"])
        self.api.call("PUT", "/v1/topology", {"mode": "explicit", "persistent_keepalive": 25})
        for site, n in SITES:
            s = self.api.call("POST", "/v1/sites", {
                "name": f"site-{site}", "lan_prefixes": [f"192.168.{n}.0/24"], "listen_port": WG_PORT})
            self.sites[site] = s
            for link, m, prio in (("fiber", 1, 10), ("lte", 2, 20)):
                self.api.call("POST", "/v1/links", {
                    "site_id": s["id"], "name": link, "interface": link, "kind": link,
                    "endpoint": f"198.18.{n}{m}.2:{WG_PORT}", "bandwidth_up_mbps": 1000,
                    "bandwidth_down_mbps": 1000, "cost": m, "priority": prio})
        for x, y in (("a", "b"), ("a", "c"), ("b", "c")):
            self.peerings[x + y] = self.api.call("POST", "/v1/peerings", {
                "site_a": self.sites[x]["id"], "site_b": self.sites[y]["id"]})
        log("provisioned through the API: tenant, 3 sites, 6 links, explicit topology with 3 peerings")

    def state_dir(self, site):
        return os.path.join(self.work, f"agent-{site}")

    def enroll(self, site):
        token = self.api.call("POST", f"/v1/sites/{self.sites[site]['id']}/enrollment-tokens", {})["token"]
        sh(*in_ns(site, self.args.agent_bin, "--state-dir", self.state_dir(site), "enroll",
                  "--server", self.server_url, "--token", token, "--hostname", f"e2e-{site}"))

    def start_agent(self, site):
        cmd = [*in_ns(site, self.args.agent_bin, "--state-dir", self.state_dir(site), "run",
                      *self.args.agent_run_args.split())]
        self.spawn(f"agent-{site}", cmd, env={"RUST_LOG": "info"})

    # checks ----------------------------------------------------------------------------------

    def check(self, name, fn):
        log(f"check: {name}")
        try:
            detail = fn()
            self.results.append((name, True, detail))
            log(f"  ok: {name}" + (f" ({detail})" if detail else ""))
        except Exception as e:  # noqa: BLE001 - a failed check is reported, the rest still run
            self.results.append((name, False, str(e)))
            log(f"  FAILED: {name}: {e}")

    def transfer(self, src, dst_host, dst_ip, total, seconds, during=None):
        """A TCP transfer from LAN host src to dst; returns (sent, received) summaries."""
        port = 5001
        me = os.path.abspath(__file__)
        sink = subprocess.Popen([*in_ns(dst_host, sys.executable, me, "tcp-sink", str(port))],
                                stdout=subprocess.PIPE, text=True)
        try:
            assert sink.stdout.readline().strip() == "listening"
            source = subprocess.Popen([*in_ns(src, sys.executable, me, "tcp-source", dst_ip, str(port),
                                              str(total), str(seconds))], stdout=subprocess.PIPE, text=True)
            if during:
                during()
            out, _ = source.communicate(timeout=seconds + 120)
            got, _ = sink.communicate(timeout=30)
        finally:
            for p in (sink,):
                if p.poll() is None:
                    p.kill()
        sent = json.loads(out.strip().splitlines()[-1])
        recv = json.loads(got.strip().splitlines()[-1])
        if sent != recv:
            raise Failed(f"sent {sent} but received {recv}")
        return sent

    def counters(self, site, dev):
        out = sh("ip", "-n", ns(site), "-s", "-j", "link", "show", dev, capture=True)
        return json.loads(out)[0]["stats64"]["tx"]["packets"]

    def active_link(self, site, peer):
        st = self.api.call("GET", f"/v1/sites/{self.sites[site]['id']}/status")
        for p in (st.get("report") or {}).get("peers", []):
            if p["site_id"] == self.sites[peer]["id"]:
                return p.get("active_link")
        return None

    def carrier(self, site, peer_ip):
        """Which uplink of `site` carries a burst of pings to `peer_ip` from its LAN host."""
        before = {d: self.counters(site, d) for d in ("fiber", "lte")}
        sh(*in_ns(site + "h", "ping", "-n", "-q", "-c", "50", "-i", "0.01", "-W", "1", peer_ip), check=False)
        after = {d: self.counters(site, d) for d in ("fiber", "lte")}
        delta = {d: after[d] - before[d] for d in before}
        return max(delta, key=delta.get), delta

    def failover(self, how):
        """Cuts site A's fiber during a transfer A->B, measures the longest gap in a 20 ms ping."""
        cut_rules = (("from", "198.18.11.0/24", "100"), ("to", "198.18.11.0/24", "101"))

        def cut():
            if how == "upstream":
                for d, net, pref in cut_rules:
                    sh("ip", "-n", ns("r"), "rule", "add", d, net, "blackhole", "pref", pref)
            else:
                sh("ip", "-n", ns("a"), "link", "set", "fiber", "down")

        def restore():
            if how == "upstream":
                for _, _, pref in cut_rules:
                    sh("ip", "-n", ns("r"), "rule", "del", "pref", pref, check=False)
            else:
                sh("ip", "-n", ns("a"), "link", "set", "fiber", "up")
                sh("ip", "-n", ns("a"), "route", "replace", "default", "via", "198.18.11.1", "dev", "fiber",
                   "metric", "100")

        pinger = subprocess.Popen([*in_ns("ah", "ping", "-n", "-D", "-i", "0.02", "-W", "1", "192.168.2.2")],
                                  stdout=subprocess.PIPE, text=True)
        stamps = []

        def read():
            for line in pinger.stdout:
                m = re.match(r"\[(\d+\.\d+)\].*bytes from", line)
                if m:
                    stamps.append(float(m.group(1)))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        cut_at = []

        def during():
            time.sleep(2)
            cut_at.append(time.time())
            cut()

        restored = False
        try:
            try:
                sent = self.transfer("ah", "bh", "192.168.2.2", 40 << 20, 8, during=during)
            finally:
                time.sleep(0.5)
                pinger.terminate()
                pinger.wait(5)
                reader.join(5)
            after_cut = [t for t in stamps if t >= cut_at[0]]
            before_cut = [t for t in stamps if t < cut_at[0]]
            if not after_cut:
                raise Failed("no ping answered after the cut")
            last_before = before_cut[-1] if before_cut else cut_at[0]
            gaps = [b - a for a, b in zip([last_before] + after_cut, after_cut)]
            recovery = max(gaps)
            carrier, delta = self.carrier("a", "192.168.2.2")
            if carrier != "lte":
                raise Failed(f"traffic is not on lte while fiber is cut: {delta}")
            log(f"  fiber cut ({how}): longest outage seen by a 20 ms ping {recovery * 1000:.0f} ms; "
                f"transfer of {sent['bytes']} bytes intact")
            restore()
            restored = True
        finally:
            # Whatever failed above, the checks after this one run with fiber up.
            if cut_at and not restored:
                restore()
        back = wait_for("traffic back on fiber", 20, lambda: self.carrier("a", "192.168.2.2")[0] == "fiber",
                        interval=0.2)
        log(f"  fiber restored: traffic back on fiber within {back:.1f} s")
        return f"recovery {recovery * 1000:.0f} ms, {sent['bytes']} bytes intact, back on fiber in {back:.1f} s"

    def run(self):
        self.build_topology()
        self.start_server()
        self.provision()
        for site, _ in SITES:
            self.enroll(site)
            self.start_agent(site)
        log("agents enrolled with tokens from the API and running")

        def reach_all():
            took = wait_for("A's LAN host to reach B and C", 60,
                            lambda: ping("ah", "192.168.2.2") and ping("ah", "192.168.3.2"), interval=0.5)
            if not (ping("ah", "192.168.2.2", count=5) and ping("ah", "192.168.3.2", count=5)):
                raise Failed("pings lost after the first answer")
            b = self.transfer("ah", "bh", "192.168.2.2", 8 << 20, 0)
            c = self.transfer("ah", "ch", "192.168.3.2", 8 << 20, 0)
            return f"first answer after {took:.1f} s; {b['bytes']} bytes to B and {c['bytes']} to C, hashes equal"

        self.check("LAN host A reaches B and C over the overlay (ping, TCP transfer)", reach_all)

        def status_report():
            def report():
                st = self.api.call("GET", f"/v1/sites/{self.sites['a']['id']}/status")
                peers = (st.get("report") or {}).get("peers", [])
                ok = len(peers) == 2 and all(
                    p.get("active_link") == "fiber" and p.get("handshake_age_seconds") is not None
                    and len(p.get("paths", [])) == 4 and sum(x["up"] for x in p["paths"]) == 4
                    and p.get("rx_packets", 0) > 0 for p in peers)
                return (st, peers) if ok else None
            wait_for("A's status to show both peers with four paths up, active on fiber", 30, report, interval=0.5)
            st, peers = report()
            links = st["report"].get("links", [])
            if sorted(link["name"] for link in links if link["up"]) != ["fiber", "lte"]:
                raise Failed(f"links in the report: {links}")
            rtts = [x["rtt_ms"] for p in peers for x in p["paths"] if x.get("rtt_ms") is not None]
            return f"health {st['health']}; 2 peers x 4 paths up; path RTTs {min(rtts):.2f}-{max(rtts):.2f} ms"

        self.check("A's status report shows per-peer and per-path state with counters", status_report)
        self.check("fiber of A cut upstream: traffic moves to lte, transfer continues, comes back",
                   lambda: self.failover("upstream"))
        self.check("fiber of A link down: traffic moves to lte, transfer continues, comes back",
                   lambda: self.failover("down"))

        def new_prefix():
            sh("ip", "-n", ns("c"), "addr", "add", "192.168.103.1/24", "dev", "lan")
            sh("ip", "-n", ns("ch"), "addr", "add", "192.168.103.2/24", "dev", "eth0")
            if ping("ah", "192.168.103.2", wait=1):
                raise Failed("the new prefix is reachable before the change")
            site = self.sites["c"]
            start = time.monotonic()
            self.api.call("PATCH", f"/v1/sites/{site['id']}",
                          {"lan_prefixes": ["192.168.3.0/24", "192.168.103.0/24"]})
            wait_for("A to reach C's new prefix", 60, lambda: ping("ah", "192.168.103.2", wait=1), interval=0.1)
            took = time.monotonic() - start
            log(f"  new LAN prefix on C: forwarding from A after {took:.2f} s")
            return f"{took:.2f} s from API call to forwarding"

        self.check("API change: a new LAN prefix on site C reaches the agents", new_prefix)

        def remove_peering():
            start = time.monotonic()
            self.api.call("DELETE", f"/v1/peerings/{self.peerings['ab']['id']}")
            wait_for("A to stop reaching B", 60, lambda: not ping("ah", "192.168.2.2", wait=1), interval=0.1)
            took = time.monotonic() - start
            if not ping("ah", "192.168.3.2", count=3):
                raise Failed("A lost C when the A-B peering was removed")
            log(f"  peering A-B removed: A stops forwarding to B after {took:.2f} s; A-C unaffected")
            return f"{took:.2f} s from API call to forwarding change"

        self.check("API change: a removed peering stops forwarding between A and B", remove_peering)

        def server_down():
            self.stop("server")
            time.sleep(3)
            if not ping("ah", "192.168.3.2", count=10):
                raise Failed("tunnel A-C stopped forwarding without the server")
            self.transfer("ah", "ch", "192.168.3.2", 4 << 20, 0)
            self.start_server()
            start = time.monotonic()
            self.peerings["ab"] = self.api.call("POST", "/v1/peerings", {
                "site_a": self.sites["a"]["id"], "site_b": self.sites["b"]["id"]})
            took = wait_for("the agents to pick up a change after the server came back", 90,
                            lambda: ping("ah", "192.168.2.2", wait=1), interval=0.2)
            log(f"  server back: a new peering forwards after {took:.2f} s")
            return f"forwarded on last-known-good config; resumed, change applied {took:.1f} s after the server returned"

        self.check("server stopped: tunnels keep forwarding; server back: agents resume", server_down)

        def agent_restart():
            agent_before = self.api.call("GET", f"/v1/sites/{self.sites['a']['id']}/agent")
            files = {f: open(os.path.join(self.state_dir("a"), f), "rb").read()
                     for f in sorted(os.listdir(self.state_dir("a")))
                     if os.path.isfile(os.path.join(self.state_dir("a"), f)) and "key" in f}
            self.stop("agent-a")
            self.start_agent("a")
            took = wait_for("A to reach B and C after the restart", 60,
                            lambda: ping("ah", "192.168.2.2") and ping("ah", "192.168.3.2"), interval=0.3)
            agent_after = self.api.call("GET", f"/v1/sites/{self.sites['a']['id']}/agent")
            if agent_after["id"] != agent_before["id"]:
                raise Failed("the agent enrolled again")
            for f, content in files.items():
                if open(os.path.join(self.state_dir("a"), f), "rb").read() != content:
                    raise Failed(f"{f} changed across the restart")
            return f"same agent id and key; forwarding again after {took:.1f} s"

        self.check("agent restarted: comes back with its stored key and credential", agent_restart)

        passed = sum(1 for r in self.results if r[1])
        failed = len(self.results) - passed
        print()
        for name, ok, detail in self.results:
            print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""))
        print(f"e2e: {passed} passed, {failed} failed")
        return failed == 0


def list_namespaces():
    out = sh("ip", "netns", "list", capture=True, check=False) or ""
    return [line.split()[0] for line in out.splitlines() if line.startswith(NS_PREFIX)]


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "tcp-sink":
        return tcp_sink(int(sys.argv[2]))
    if len(sys.argv) > 1 and sys.argv[1] == "tcp-source":
        return tcp_source(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    p = argparse.ArgumentParser()
    p.add_argument("--server-bin", required=True)
    p.add_argument("--agent-bin", required=True)
    p.add_argument("--database-url", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--port", type=int, default=18080)
    p.add_argument("--agent-run-args", default="--dataplane wireguard --poll-wait 5 --max-backoff 2")
    args = p.parse_args()
    bed = Bed(args)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    ok = False
    try:
        ok = bed.run()
    except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 - report, clean up, fail
        log(f"e2e aborted: {e}")
        for name, path in bed.logs.items():
            log(f"  log of {name}: {path}")
    finally:
        bed.cleanup()
    if not ok:
        for name, path in bed.logs.items():
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    tail = f.readlines()[-15:]
                print(f"--- last lines of {name} ---\n" + "".join(tail))
            except OSError:
                pass
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

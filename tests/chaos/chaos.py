#!/usr/bin/env python3
"""Chaos tests of the control plane: the real server, PostgreSQL and Redis, broken on purpose.

Scenarios (each bounded in time; see tests/chaos/run for how the services are started):
  kill      kill -9 of the server, twice, during a write storm from several clients that retry
            with Idempotency-Key: every write answered once, no partial write, each with its audit
            event, and a replay of every key answers the same resource.
  postgres  PostgreSQL stopped for a few seconds under reads and writes: 503 with Retry-After while
            it is down, never a 500, and the same server process serves again once it is back.
  redis     Redis killed under two replicas: a config change made on one replica reaches an agent
            parked on the other within the poll timeout (instead of at once), requests are not
            rate limited while Redis is away (the limiter fails open), and wake-ups are immediate
            again once Redis is back.

Only the standard library: the harness must not depend on the SDK it would be testing.
"""

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

SERVER_BIN = os.environ["CHAOS_SERVER_BIN"]
WORK = os.environ["CHAOS_WORK"]
DATABASE_URL = os.environ["DATABASE_URL"]
REDIS_URL = os.environ["REDIS_URL"]
# Shell commands from tests/chaos/run, which knows how the test PostgreSQL and Redis run.
PG_STOP, PG_START = os.environ["CHAOS_PG_STOP"], os.environ["CHAOS_PG_START"]
REDIS_KILL, REDIS_START = os.environ["CHAOS_REDIS_KILL"], os.environ["CHAOS_REDIS_START"]


def log(*args):
    print("chaos:", *args, file=sys.stderr, flush=True)


class Failed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failed(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())


def call(base, method, path, token=None, body=None, headers=None, timeout=10):
    """One HTTP request. Returns an Answer, or None when no answer came (refused, reset, timed out)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw, status, hdrs = resp.read(), resp.status, resp.headers
    except urllib.error.HTTPError as err:
        raw, status, hdrs = err.read(), err.code, err.headers
    except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout, OSError):
        return None
    parsed = None
    if raw:
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw.decode(errors="replace")
    return Answer(status, {k.lower(): v for k, v in hdrs.items()}, parsed)


class Server:
    """A patronus-server process on a fixed loopback port, so that a restart keeps its address."""

    def __init__(self, name, port=None, env=None):
        self.name, self.port = name, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, RUST_LOG="warn", PATRONUS_LISTEN=f"127.0.0.1:{self.port}",
                        DATABASE_URL=DATABASE_URL, **(env or {}))
        self.proc = None
        self.starts = 0

    def start(self):
        self.starts += 1
        logfile = open(os.path.join(WORK, f"{self.name}.{self.starts}.log"), "w")
        self.proc = subprocess.Popen([SERVER_BIN, "serve"], env=self.env, stdout=logfile, stderr=logfile)
        deadline = time.time() + 60
        while time.time() < deadline:
            check(self.proc.poll() is None, f"{self.name} exited at start; see {logfile.name}")
            a = call(self.url, "GET", "/readyz", timeout=2)
            if a is not None and a.status == 200:
                return self
            time.sleep(0.1)
        raise Failed(f"{self.name} did not become ready in 60 s")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def platform_token(self):
        with open(os.path.join(WORK, f"{self.name}.1.log")) as f:
            for line in f:
                i = line.find("ptrn_plat_")
                if i >= 0:
                    token = line[i:].split()[0].strip('",\\')
                    return token
        raise Failed(f"{self.name} printed no platform token")


def new_tenant(server, slug):
    platform = server.platform_token()
    t = call(server.url, "POST", "/v1/tenants", platform, {"name": slug, "slug": slug})
    check(t is not None and t.status == 201, f"creating tenant {slug}: {t and t.status} {t and t.body}")
    tok = call(server.url, "POST", f"/v1/tenants/{t.body['id']}/api-tokens", platform,
               {"name": "chaos", "role": "admin"})
    check(tok is not None and tok.status == 201, f"creating a token: {tok and tok.body}")
    return tok.body["token"]


def every(server, path, token):
    items, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        a = call(server.url, "GET", f"{path}{sep}limit=500" + (f"&cursor={cursor}" if cursor else ""), token)
        check(a is not None and a.status == 200, f"listing {path}: {a and a.status} {a and a.body}")
        items += a.body["items"]
        cursor = a.body.get("next_cursor")
        if not cursor:
            return items


def site_body(name, n):
    return {
        "name": name,
        "lan_prefixes": [f"10.{n // 250}.{n % 250}.0/24"],
        "links": [{"name": "fiber", "interface": "eth0", "endpoint": f"198.51.100.{n % 250 + 1}:{51820 + n // 250}",
                   "bandwidth_up_mbps": 100, "bandwidth_down_mbps": 100}],
    }


class KeyedWrite:
    """A logical write: one request body under one Idempotency-Key, retried until it is answered."""

    def __init__(self, name, n):
        self.name, self.body, self.key = name, site_body(name, n), str(uuid.uuid4())
        self.attempts, self.unanswered, self.in_progress = 0, 0, 0
        self.statuses = []
        self.answer = None

    def run(self, url_of, token, deadline):
        while time.time() < deadline:
            self.attempts += 1
            a = call(url_of(), "POST", "/v1/sites", token, self.body, {"Idempotency-Key": self.key}, timeout=15)
            if a is None:
                self.unanswered += 1
                time.sleep(0.2)
                continue
            self.statuses.append(a.status)
            if a.status == 503 or (a.status == 409 and isinstance(a.body, dict)
                                   and a.body.get("type", "").endswith("/idempotency-key-in-progress")):
                if a.status == 409:
                    self.in_progress += 1
                check(a.header("retry-after"), f"a {a.status} without Retry-After: {a.body}")
                time.sleep(min(float(a.header("retry-after")), 1.0))
                continue
            self.answer = a
            return
        raise Failed(f"write {self.name} was not answered before the deadline ({self.attempts} attempts)")


def storm(url_of, token, writes, clients, deadline):
    """Runs `writes` from `clients` threads; returns the first failure, if any."""
    errors = []

    def client(mine):
        try:
            for w in mine:
                w.run(url_of, token, deadline)
        except Exception as err:  # reported by the caller
            errors.append(err)

    threads = [threading.Thread(target=client, args=(writes[i::clients],)) for i in range(clients)]
    for t in threads:
        t.start()
    return threads, errors


def check_writes(server, token, writes):
    """Every write answered 201 once: one site per write with its link, one audit event each, and a
    replay of its key answers the same site."""
    for w in writes:
        check(w.answer is not None and w.answer.status == 201,
              f"write {w.name} ended with {w.answer and w.answer.status}: {w.answer and w.answer.body}")
    sites = {s["name"]: s for s in every(server, "/v1/sites", token)}
    check(len(sites) == len(writes), f"{len(sites)} sites for {len(writes)} writes")
    links = {}
    for link in every(server, "/v1/links", token):
        links.setdefault(link["site_id"], []).append(link["name"])
    created = {}
    for event in every(server, "/v1/audit-events?resource_type=site", token):
        if event["action"] == "site.create":
            created[event["resource_id"]] = created.get(event["resource_id"], 0) + 1
    for w in writes:
        site = sites.get(w.name)
        check(site is not None, f"write {w.name} was acknowledged and its site is missing")
        check(site["id"] == w.answer.body["id"],
              f"write {w.name} was answered with {w.answer.body['id']} but the site is {site['id']}")
        check(links.get(site["id"]) == ["fiber"], f"site {w.name} has links {links.get(site['id'])}: a partial write")
        check(created.get(site["id"]) == 1, f"site {w.name} has {created.get(site['id'], 0)} create events")
        again = call(server.url, "POST", "/v1/sites", token, w.body, {"Idempotency-Key": w.key})
        check(again is not None and again.status == 201 and again.body["id"] == site["id"]
              and again.header("idempotent-replayed") == "true",
              f"replaying write {w.name}: {again and again.status} {again and again.body}")


def scenario_kill():
    server = Server("kill", env={"PATRONUS_IDEMPOTENCY_LEASE": "3"}).start()
    try:
        token = new_tenant(server, "chaos-kill")
        writes = [KeyedWrite(f"kill-{n}", n) for n in range(400)]
        started = time.time()
        threads, errors = storm(lambda: server.url, token, writes, clients=8, deadline=time.time() + 90)
        kills = 0
        # Each kill comes once the storm has made progress on the restarted server (40 more
        # answers), so that every kill lands among writes in flight.
        kills, kills_wanted, answered = 0, 4, 0
        while kills < kills_wanted:
            wait_until = time.time() + 20
            while time.time() < wait_until and sum(1 for w in writes if w.answer is not None) < answered + 40:
                time.sleep(0.02)
            answered = sum(1 for w in writes if w.answer is not None)
            if answered == len(writes):
                break
            server.kill9()
            kills += 1
            log(f"kill: killed the server with {answered}/{len(writes)} writes answered")
            time.sleep(0.3)
            server.start()
        for t in threads:
            t.join()
        check(not errors, f"a client failed: {errors[:1]}")
        check(kills == kills_wanted, f"the storm ended after {kills} of {kills_wanted} kills: make it longer")
        check_writes(server, token, writes)
        interrupted = sum(1 for w in writes if w.unanswered)
        log(f"kill: {len(writes)} writes from 8 clients, {kills} kills -9 in {time.time() - started:.1f} s: "
            f"{interrupted} writes lost an attempt to a kill, {sum(w.in_progress for w in writes)} answers "
            f"'in progress' (a claim held by a killed server, taken over after the lease), "
            f"{sum(1 for w in writes if w.unanswered and w.answer.header('idempotent-replayed') == 'true')} "
            f"retries answered with the killed attempt's kept answer; all {len(writes)} sites present once "
            f"with their link and audit event")
    finally:
        server.stop()


def scenario_postgres():
    server = Server("pg").start()
    try:
        token = new_tenant(server, "chaos-pg")
        writes = [KeyedWrite(f"pg-{n}", n) for n in range(120)]
        reads, stop = [], threading.Event()

        def reader():
            while not stop.is_set():
                a = call(server.url, "GET", "/v1/sites?limit=5", token, timeout=15)
                reads.append((time.time(), a))
                time.sleep(0.02)

        readers = [threading.Thread(target=reader) for _ in range(2)]
        for t in readers:
            t.start()
        threads, errors = storm(lambda: server.url, token, writes, clients=4, deadline=time.time() + 90)
        time.sleep(1.0)
        check(call(server.url, "GET", "/readyz").status == 200, "not ready before the outage")
        down_at = time.time()
        subprocess.run(PG_STOP, shell=True, check=True, stdout=subprocess.DEVNULL)
        stopped_at = time.time()
        time.sleep(1.0)
        ready = call(server.url, "GET", "/readyz")
        check(ready is not None and ready.status == 503, f"/readyz with the database down: {ready and ready.status}")
        time.sleep(2.0)
        starting_at = time.time()
        subprocess.run(PG_START, shell=True, check=True, stdout=subprocess.DEVNULL)
        up_at = time.time()
        for t in threads:
            t.join()
        joined_at = time.time()
        # The writers are done; the readers ran all along: the first read served after the
        # restart began says when the same process served again.
        time.sleep(0.5)
        stop.set()
        for t in readers:
            t.join()
        check(not errors, f"a client failed: {errors[:1]}")
        check(server.alive() and server.starts == 1, "the server did not stay up")
        served = [t for t, a in reads if t > starting_at and a is not None and a.status == 200]
        check(served, "the server did not serve reads again after the database came back")
        recovered = min(served) - starting_at
        writes_done = joined_at - starting_at
        answers = [a for _, a in reads] + [a for w in writes for a in ([w.answer] if w.answer else [])]
        statuses = [a.status for a in answers if a is not None] + [s for w in writes for s in w.statuses]
        check(500 not in statuses, f"{statuses.count(500)} answers were 500 while the database restarted")
        unavailable = [a for a in answers if a is not None and a.status == 503]
        # A read is recorded when it is answered: one answered within 0.2 s of the stop may have
        # been served just before it.
        during = [a for t, a in reads if stopped_at + 0.2 < t < starting_at and a is not None]
        check(during and all(a.status == 503 for a in during),
              f"reads while the database was down (stopped {stopped_at - down_at:.2f} s after the stop began, "
              f"up {up_at - down_at:.2f} s after): "
              f"{[(round(t - down_at, 2), a.status) for t, a in reads if stopped_at + 0.2 < t < starting_at and a is not None and a.status != 503][:10]}")
        check(all(a.header("retry-after") for a in unavailable), "a 503 without Retry-After")
        check_writes(server, token, writes)
        log(f"postgres: down {starting_at - stopped_at:.1f} s under 2 readers and 4 writers: {statuses.count(503)} "
            f"answers 503 with Retry-After, none 500; reads served again {recovered:.2f} s after the restart "
            f"began (pg_ctl start -w took {up_at - starting_at:.2f} s), by the same process; the writes that "
            f"were refused were retried to completion within {writes_done:.1f} s; all {len(writes)} present once")
    finally:
        server.stop()


def enroll(server, token, site_id):
    enr = call(server.url, "POST", f"/v1/sites/{site_id}/enrollment-tokens", token, {})
    check(enr is not None and enr.status == 201, f"enrollment token: {enr and enr.body}")
    key = base64.b64encode(os.urandom(32)).decode()
    a = call(server.url, "POST", "/v1/agent/enroll", None,
             {"token": enr.body["token"], "public_key": key, "hostname": "chaos", "agent_version": "chaos"})
    check(a is not None and a.status in (200, 201), f"enrolling: {a and a.status} {a and a.body}")
    return a.body["credential"]


def scenario_redis():
    poll_timeout = 4
    env = {"REDIS_URL": REDIS_URL, "PATRONUS_LONG_POLL_TIMEOUT": str(poll_timeout),
           "PATRONUS_RATE_LIMIT_BURST": "40", "PATRONUS_RATE_LIMIT_PER_SECOND": "2"}
    one = Server("redis-1", env=env).start()
    two = Server("redis-2", env=env).start()
    try:
        token = new_tenant(one, "chaos-redis")
        a = call(one.url, "POST", "/v1/sites", token, site_body("parked", 1))
        b = call(one.url, "POST", "/v1/sites", token, site_body("peer", 2))
        check(a.status == 201 and b.status == 201, "creating the sites")
        credential = enroll(one, token, a.body["id"])
        enroll(one, token, b.body["id"])  # a peer is in the document once it has an agent
        first = call(two.url, "GET", "/v1/agent/config", credential)
        check(first.status == 200, f"the first config: {first.status} {first.body}")
        etag = [first.header("etag")]
        prefix = [2]

        def change_and_wait():
            """Changes the peer's prefixes on replica one; returns how long the agent parked on
            replica two took to see the new document (re-polling like an agent does)."""
            result, parked = {}, threading.Event()

            def agent():
                deadline = time.time() + poll_timeout * 3
                while time.time() < deadline:
                    parked.set()
                    r = call(two.url, "GET", f"/v1/agent/config?wait={poll_timeout}", credential,
                             headers={"If-None-Match": etag[0]}, timeout=poll_timeout + 10)
                    if r is not None and r.status == 200:
                        result["at"], etag[0] = time.time(), r.header("etag")
                        return
                    if r is None or r.status != 304:
                        result["error"] = f"poll answered {r and r.status}: {r and r.body}"
                        return

            t = threading.Thread(target=agent)
            t.start()
            parked.wait()
            time.sleep(0.5)  # parked on replica two
            prefix[0] += 1
            changed_at = time.time()
            w = call(one.url, "PATCH", f"/v1/sites/{b.body['id']}", token,
                     {"lan_prefixes": [f"10.77.{prefix[0]}.0/24"]})
            check(w is not None and w.status == 200, f"the change: {w and w.status} {w and w.body}")
            t.join()
            check("error" not in result, result.get("error", ""))
            check("at" in result, "the parked agent never saw the change")
            return result["at"] - changed_at

        def burst():
            statuses = [call(one.url, "GET", "/v1/sites?limit=1", token).status for _ in range(60)]
            return statuses

        with_redis = change_and_wait()
        check(with_redis < 1.0, f"with Redis up the wake-up took {with_redis:.2f} s")
        limited = burst()
        check(429 in limited, f"60 requests at a burst of 40 were not limited with Redis up: {set(limited)}")
        time.sleep(2)

        subprocess.run(REDIS_KILL, shell=True, check=True)
        without = [change_and_wait() for _ in range(2)]
        check(all(d < poll_timeout + 1.5 for d in without),
              f"without Redis the change took {without} s (poll timeout {poll_timeout} s)")
        check(any(d > 0.5 for d in without), f"without Redis a wake-up still came at once: {without}: was Redis down?")
        open_statuses = burst()
        check(set(open_statuses) == {200}, f"with Redis down, 60 requests answered {set(open_statuses)}: not failing open")

        subprocess.run(REDIS_START, shell=True, check=True)
        back, deadline = None, time.time() + 30
        while time.time() < deadline:
            d = change_and_wait()
            if d < 1.0:
                back = d
                break
        check(back is not None, "wake-ups did not become immediate within 30 s of Redis's return")
        check(one.alive() and two.alive(), "a replica died")
        log(f"redis: two replicas, poll timeout {poll_timeout} s: change seen by an agent on the other replica "
            f"{with_redis * 1000:.0f} ms with Redis, {', '.join(f'{d:.2f}' for d in without)} s with Redis killed, "
            f"{back * 1000:.0f} ms once it was back; 60 requests at a burst of 40: {limited.count(429)} limited "
            f"with Redis, none without (fails open)")
    finally:
        one.stop()
        two.stop()


SCENARIOS = {"kill": scenario_kill, "postgres": scenario_postgres, "redis": scenario_redis}

if __name__ == "__main__":
    names = sys.argv[1:] or list(SCENARIOS)
    for name in names:
        started = time.time()
        try:
            SCENARIOS[name]()
        except Failed as err:
            log(f"{name}: FAILED: {err} (logs in {WORK})")
            sys.exit(1)
        log(f"{name}: passed in {time.time() - started:.1f} s")

#!/usr/bin/env python3
"""The restore drill's API client (tests/restore/run drives it).

  drill.py write URL LOG       creates sites drill-0, drill-1, ... one at a time, every
                               DRILL_WRITE_INTERVAL seconds (0.1), until SIGTERM; appends one line
                               per attempt to LOG: `<n> <sent_ms> <answered_ms> <outcome> <site id>`,
                               outcome being the HTTP status or `transport`
  drill.py verify URL LOG DESTROYED_MS
                               reads back every site and `site.create` audit event through the API
                               and prints what survived the restore as JSON (see verify())
  drill.py at URL LOG TARGET_MS
                               the same after a point-in-time restore to TARGET_MS (see at())

The admin token is read from PATRONUS_TOKEN, never from the command line.
"""
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request


def now_ms() -> int:
    return int(time.time() * 1000)


def call(url: str, method: str, path: str, body: dict | None = None, timeout: float = 10.0) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + os.environ["PATRONUS_TOKEN"])
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, {}


def write(url: str, log: str) -> None:
    interval = float(os.environ.get("DRILL_WRITE_INTERVAL", "0.1"))
    stop = False

    def on_term(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    n = 0
    with open(log, "a", buffering=1) as out:
        while not stop:
            sent = now_ms()
            site_id = "-"
            try:
                status, body = call(url, "POST", "/v1/sites", {"name": f"drill-{n}"}, timeout=5.0)
                outcome = str(status)
                if status == 201:
                    site_id = body["id"]
            except (OSError, ValueError):
                outcome = "transport"
            out.write(f"{n} {sent} {now_ms()} {outcome} {site_id}\n")
            n += 1
            time.sleep(max(0.0, interval - (now_ms() - sent) / 1000))


def pages(url: str, path: str) -> list[dict]:
    items, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        status, body = call(url, "GET", path + sep + "limit=500" + (f"&cursor={cursor}" if cursor else ""), timeout=60)
        if status != 200:
            raise SystemExit(f"GET {path}: {status}")
        items += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return items


def verify(url: str, log: str, destroyed_ms: int) -> None:
    """What a user sees after the restore, compared with what the writer was told.

    RPO: the acknowledged writes sent before the destruction that are missing span from the last
    surviving acknowledgement to the newest missing one; `rpo_s` is that span (0 when nothing
    acknowledged was lost). A missing write older than a surviving one is a hole, and a failure.
    Every surviving drill site must have its `site.create` audit event.
    """
    attempts = []
    with open(log) as f:
        for line in f:
            n, sent, answered, outcome, site_id = line.split()
            attempts.append((int(n), int(sent), int(answered), outcome, site_id))
    sites = {s["name"]: s["id"] for s in pages(url, "/v1/sites") if s["name"].startswith("drill-")}
    audited = {e["resource_id"] for e in pages(url, "/v1/audit-events?action=site.create")}

    acked = [a for a in attempts if a[3] == "201"]
    # Split by when a write was sent: one sent before the destruction may be answered after it
    # (and lost with the unarchived WAL); one sent after it can only have committed in the
    # restored database.
    before = [a for a in acked if a[1] < destroyed_ms]
    after = [a for a in acked if a[1] >= destroyed_ms]
    survived = [a for a in before if f"drill-{a[0]}" in sites]
    lost = [a for a in before if f"drill-{a[0]}" not in sites]
    last_survivor = max((a[2] for a in survived), default=None)
    holes = [a[0] for a in lost if last_survivor is not None and a[2] < last_survivor]
    newest_lost = max((a[2] for a in lost), default=None)
    if newest_lost is None:
        rpo_ms = 0
    elif last_survivor is None:
        rpo_ms = newest_lost - min(a[2] for a in lost)
    else:
        rpo_ms = newest_lost - last_survivor
    statuses: dict[str, int] = {}
    for a in attempts:
        statuses[a[3]] = statuses.get(a[3], 0) + 1
    print(
        json.dumps(
            {
                "attempts": len(attempts),
                "outcomes": statuses,
                "acknowledged_sent_before_destruction": len(before),
                "survived": len(survived),
                "lost": len(lost),
                "lost_first_last": [lost[0][0], lost[-1][0]] if lost else [],
                "holes": holes,
                "rpo_s": rpo_ms / 1000,
                "last_survivor_before_destruction_s": (destroyed_ms - last_survivor) / 1000 if last_survivor else None,
                "survived_acks": [a[2] for a in survived],
                "acknowledged_sent_after_destruction": len(after),
                "after_restore_missing": [a[0] for a in after if f"drill-{a[0]}" not in sites],
                "without_audit_event": sorted(name for name, sid in sites.items() if sid not in audited),
                "acknowledged_with_other_id": [a[0] for a in acked if sites.get(f"drill-{a[0]}", a[4]) != a[4]],
            }
        )
    )


def at(url: str, log: str, target_ms: int) -> None:
    """After a restore to `target_ms`: the writes acknowledged by then must be there, the writes
    sent after it must not, and every drill site must have its audit event (printed as JSON)."""
    attempts = []
    with open(log) as f:
        for line in f:
            n, sent, answered, outcome, _ = line.split()
            attempts.append((int(n), int(sent), int(answered), outcome))
    sites = {s["name"]: s["id"] for s in pages(url, "/v1/sites") if s["name"].startswith("drill-")}
    audited = {e["resource_id"] for e in pages(url, "/v1/audit-events?action=site.create")}
    print(
        json.dumps(
            {
                "sites": len(sites),
                "acknowledged_by_target": sum(1 for a in attempts if a[3] == "201" and a[2] <= target_ms),
                "acknowledged_by_target_missing": [
                    a[0] for a in attempts if a[3] == "201" and a[2] <= target_ms and f"drill-{a[0]}" not in sites
                ],
                "sent_after_target_present": [a[0] for a in attempts if a[1] > target_ms and f"drill-{a[0]}" in sites],
                "without_audit_event": sorted(name for name, sid in sites.items() if sid not in audited),
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "verify":
        verify(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 5 and sys.argv[1] == "at":
        at(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)

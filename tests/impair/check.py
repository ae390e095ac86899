#!/usr/bin/env python3
"""Shows that patronus-impair imposes the delay and jitter it is asked for, and that the nftables
loss rule the end-to-end tests use drops the share it says, by pinging through a router namespace.

    client (<p>c) 198.18.200.2 -- 198.18.200.1 (<p>r: router) 198.18.201.1 -- 198.18.201.2 (<p>s) server

The router queues packets towards the server to the tool (an iptables NFQUEUE rule: this kernel
has the xtables target but not nftables' own `queue` statement) (one direction, so the round trip grows
by exactly the configured delay). Run through tests/impair/run, which builds the tool.
"""

import argparse
import itertools
import re
import signal
import statistics
import subprocess
import sys

QUEUE = 7


def queue_rule(op):
    """The iptables rule (added with -A, removed with -D) that hands packets to the tool."""
    return (op, "FORWARD", "-d", "198.18.201.0/24", "-j", "NFQUEUE", "--queue-num", str(QUEUE))


class Failed(Exception):
    pass


def sh(*cmd, check=True, capture=False, timeout=120):
    r = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout if capture else r.returncode == 0


class Bed:
    def __init__(self, args):
        self.bin = args.impair_bin
        self.p = args.ns_prefix
        self.tool = None
        self.results = []

    def ns(self, n):
        return self.p + n

    def in_ns(self, n, *cmd):
        return ("ip", "netns", "exec", self.ns(n), *cmd)

    def namespaces(self):
        out = sh("ip", "netns", "list", capture=True, check=False) or ""
        return [line.split()[0] for line in out.splitlines() if line.split()[0] in {self.ns(n) for n in "crs"}]

    def setup(self):
        self.cleanup()
        for n in "crs":
            sh("ip", "netns", "add", self.ns(n))
            sh("ip", "-n", self.ns(n), "link", "set", "lo", "up")
        sh(*self.in_ns("r", "sysctl", "-qw", "net.ipv4.ip_forward=1"))
        for n, net in (("c", "198.18.200"), ("s", "198.18.201")):
            sh("ip", "link", "add", "eth0", "netns", self.ns(n), "type", "veth", "peer", "name", f"to{n}",
               "netns", self.ns("r"))
            sh("ip", "-n", self.ns(n), "addr", "add", f"{net}.2/24", "dev", "eth0")
            sh("ip", "-n", self.ns("r"), "addr", "add", f"{net}.1/24", "dev", f"to{n}")
            sh("ip", "-n", self.ns(n), "link", "set", "eth0", "up")
            sh("ip", "-n", self.ns("r"), "link", "set", f"to{n}", "up")
            sh("ip", "-n", self.ns(n), "route", "add", "default", "via", f"{net}.1")
        sh(*self.in_ns("r", "nft", "add table inet impair"))
        sh(*self.in_ns("r", "nft", "add chain inet impair forwarded { type filter hook forward priority 0 ; }"))

    def cleanup(self):
        try:
            self.stop_tool()
        finally:
            if self.tool and self.tool.poll() is None:
                self.tool.kill()
            self.tool = None
        for n in self.namespaces():
            sh("ip", "netns", "del", n, check=False)

    def start_tool(self, *args):
        self.stop_tool()
        # Real-time priority: held packets leave on time even while builds load the machine.
        self.tool = subprocess.Popen([*self.in_ns("r", "chrt", "-f", "10", self.bin, "--queue", str(QUEUE), *args)],
                                     stderr=subprocess.PIPE, text=True)
        line = self.tool.stderr.readline()
        if "bound" not in line:
            raise Failed(f"patronus-impair did not start: {line}{self.tool.stderr.read()}")
        # nftables' own `queue` statement is not in this kernel; the xtables NFQUEUE target is.
        sh(*self.in_ns("r", "iptables", *queue_rule("-A")))

    def stop_tool(self):
        if self.ns("r") in (sh("ip", "netns", "list", capture=True, check=False) or ""):
            sh(*self.in_ns("r", "iptables", *queue_rule("-D")), check=False)
        if self.tool and self.tool.poll() is None:
            # No new packets come once the rule is gone; on SIGTERM it releases what it holds.
            self.tool.send_signal(signal.SIGTERM)
            out = self.tool.communicate(timeout=10)[1]
            if "passed" not in out:
                raise Failed(f"patronus-impair did not report on exit: {out}")
        self.tool = None

    def ping(self, count, interval, size=56):
        """Round trips in ms by icmp_seq, and the seqs in the order their replies came."""
        out = sh(*self.in_ns("c", "ping", "-n", "-c", str(count), "-i", str(interval), "-s", str(size),
                             "-W", "2", "198.18.201.2"), capture=True, check=False, timeout=count * interval + 30)
        rtts, order = {}, []
        for m in re.finditer(r"icmp_seq=(\d+) ttl=\d+ time=([\d.]+) ms", out):
            rtts[int(m.group(1))] = float(m.group(2))
            order.append(int(m.group(1)))
        return rtts, order

    def check(self, name, fn):
        try:
            detail = fn()
            self.results.append((name, True, detail))
        except Exception as e:  # noqa: BLE001 - a failed check is reported, the rest still run
            self.results.append((name, False, str(e)))
        ok, detail = self.results[-1][1:]
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)

    @staticmethod
    def p99(rtts):
        v = sorted(rtts.values())
        return v[max(0, -(-len(v) * 99 // 100) - 1)]

    @classmethod
    def summary(cls, rtts):
        v = sorted(rtts.values())
        return (f"{len(v)} replies, min {v[0]:.2f} / mean {statistics.mean(v):.2f} / p99 {cls.p99(rtts):.2f} / "
                f"max {v[-1]:.2f} ms, sd {statistics.pstdev(v):.2f} ms")

    def run(self):
        self.setup()
        base = {}

        def baseline():
            rtts, _ = self.ping(100, 0.01)
            if len(rtts) < 100:
                raise Failed(f"{100 - len(rtts)} of 100 pings lost without impairment")
            base["median"] = statistics.median(rtts.values())
            if base["median"] > 2.0:
                raise Failed(f"the path is slow before any impairment: {self.summary(rtts)}")
            return self.summary(rtts)

        self.check("no impairment: round trips under 2 ms, nothing lost", baseline)

        def fixed_delay():
            self.start_tool("--delay-ms", "40")
            rtts, _ = self.ping(200, 0.01)
            self.stop_tool()
            if len(rtts) != 200:
                raise Failed(f"{200 - len(rtts)} of 200 pings lost")
            # Never early. Late by the tool's 0.5 ms polling and the path's own round trip, and on a
            # busy machine now and then by a scheduling delay: the 99th percentile, not the max.
            lo, hi = 40.0, 40.0 + 0.5 + base["median"] + 1.5
            if not (min(rtts.values()) >= lo and self.p99(rtts) <= hi):
                raise Failed(f"min below {lo} or p99 above {hi:.1f} ms: {self.summary(rtts)}")
            return self.summary(rtts)

        self.check("delay 40 ms: no round trip under 40 ms, 99 % under 42 ms", fixed_delay)

        def jitter():
            self.start_tool("--delay-ms", "40", "--jitter-ms", "10", "--seed", "1")
            rtts, _ = self.ping(400, 0.01)
            self.stop_tool()
            if len(rtts) != 400:
                raise Failed(f"{400 - len(rtts)} of 400 pings lost")
            v = list(rtts.values())
            mean, sd = statistics.mean(v), statistics.pstdev(v)
            # Uniform over [30, 50] ms: mean 40, standard deviation 20 / sqrt(12) = 5.77 ms.
            problems = []
            if not (min(v) >= 30.0 and self.p99(rtts) <= 52.0):
                problems.append("range")
            if abs(mean - 40.5) > 1.5:
                problems.append("mean")
            if not 4.8 <= sd <= 6.8:
                problems.append("spread")
            if problems:
                raise Failed(f"{', '.join(problems)} off: {self.summary(rtts)}")
            return self.summary(rtts)

        self.check("delay 40 ms, jitter 10 ms: uniform over 30 to 50 ms (mean 40, sd about 5.8 ms)", jitter)

        def ordering():
            found = {}
            for flag in ([], ["--in-order"]):
                self.start_tool("--delay-ms", "20", "--jitter-ms", "10", "--seed", "2", *flag)
                rtts, order = self.ping(300, 0.002)
                self.stop_tool()
                if len(rtts) != 300:
                    raise Failed(f"{300 - len(rtts)} of 300 pings lost ({flag})")
                found[bool(flag)] = sum(1 for a, b in itertools.pairwise(order) if b < a)
            if found[False] == 0:
                raise Failed("jitter without --in-order reordered nothing at 2 ms spacing")
            if found[True] != 0:
                raise Failed(f"--in-order let {found[True]} replies overtake")
            return f"at 2 ms spacing: {found[False]} replies overtaken without --in-order, none with it"

        self.check("jitter reorders packets unless --in-order", ordering)

        def loss():
            sh(*self.in_ns("r", "nft", "add rule inet impair forwarded ip daddr 198.18.201.0/24 "
                                       "numgen random mod 100 < 10 drop"))
            rtts, _ = self.ping(1000, 0.005)
            sh(*self.in_ns("r", "nft", "flush chain inet impair forwarded"))
            lost = 1000 - len(rtts)
            # Binomial(1000, 0.1): sd 9.5; 60..140 is more than four of them either way.
            if not 60 <= lost <= 140:
                raise Failed(f"{lost} of 1000 lost")
            return f"{lost} of 1000 pings lost"

        self.check("nftables numgen loss of 10 % (the rule the end-to-end tests use)", loss)

        def stops_cleanly():
            # After the tool is gone and its rule removed, the path is as fast as before.
            rtts, _ = self.ping(50, 0.01)
            if len(rtts) != 50 or statistics.median(rtts.values()) > 2.0:
                raise Failed(self.summary(rtts) if rtts else "no replies")
            return self.summary(rtts)

        self.check("after the tool stops, the path is unimpaired", stops_cleanly)

        passed = sum(1 for r in self.results if r[1])
        print(f"impair: {passed} passed, {len(self.results) - passed} failed")
        return passed == len(self.results)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--impair-bin", required=True)
    p.add_argument("--ns-prefix", default="pi-")
    args = p.parse_args()
    bed = Bed(args)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    ok = False
    try:
        ok = bed.run()
    except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 - report, clean up, fail
        print(f"impair: aborted: {e}", flush=True)
    finally:
        try:
            bed.cleanup()
        except Exception as e:  # noqa: BLE001 - report it; the exit status already says failed
            print(f"impair: cleanup: {e}")
            ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

"""Capture the fixtures of the recognition tests: the first bytes real clients send.

Each client (openssl s_client, curl, ssh, dig, sipsak, aioquic) talks to a listener on
127.0.0.1 that writes what it receives (the TCP stream's first bytes, or the first UDP datagram)
to a `.bin` file here; DNS answers come from a real dnsmasq through a relay that keeps them.

    apt-get install dnsutils sipsak dnsmasq-base
    python3 -m venv /tmp/pa-venv && /tmp/pa-venv/bin/pip install aioquic
    /tmp/pa-venv/bin/python agent/src/apps/testdata/capture.py
"""

from __future__ import annotations

import asyncio
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)
    print(f"{name}: {len(data)} bytes")


def tcp(name: str | None, client: str, silence: float = 0.7) -> bytes:
    """Run `client` (with {port}) against a listener; keep the bytes it sends until it pauses."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        proc = subprocess.Popen(
            shlex.split(client.format(port=port)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        listener.settimeout(10)
        conn, _ = listener.accept()
        conn.settimeout(silence)
        data = b""
        try:
            while len(data) < 65536:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
        conn.close()
        proc.kill()
        proc.wait()
    if name:
        write(name, data)
    return data


def udp(name: str | None, client: str) -> bytes:
    """Run `client` (with {port}) against a UDP socket; keep its first datagram."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        proc = subprocess.Popen(
            shlex.split(client.format(port=port)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        sock.settimeout(10)
        data, _ = sock.recvfrom(65536)
        proc.kill()
        proc.wait()
    if name:
        write(name, data)
    return data


def start_dnsmasq(records: list[str]) -> tuple[subprocess.Popen, int]:
    """A real dnsmasq on 127.0.0.1 answering only `records` (its own options), TTL 120 s."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dnsmasq = subprocess.Popen(
        [
            "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
            "--bind-interfaces", "--listen-address=127.0.0.1", f"--port={port}", "--local-ttl=120",
            *records,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return dnsmasq, port


def dig_answer(dnsmasq_port: int, qname: str, qtype: str) -> bytes:
    """dig asks dnsmasq through a relay; the relay keeps the answer."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as relay, socket.socket(
        socket.AF_INET, socket.SOCK_DGRAM
    ) as upstream:
        relay.bind(("127.0.0.1", 0))
        port = relay.getsockname()[1]
        dig = subprocess.Popen(
            ["dig", "@127.0.0.1", "-p", str(port), qname, qtype, "+tries=1", "+time=2"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        relay.settimeout(10)
        query, client = relay.recvfrom(65536)
        upstream.settimeout(5)
        upstream.sendto(query, ("127.0.0.1", dnsmasq_port))
        answer, _ = upstream.recvfrom(65536)
        relay.sendto(answer, client)
        dig.wait()
    return answer


def dns_answers() -> None:
    dnsmasq, port = start_dnsmasq([
        # www.office.com is a CNAME to a CDN name, as it is in the wild.
        "--host-record=e1234.edge.cdn.example,198.51.100.7,2001:db8::7",
        "--cname=www.office.com,e1234.edge.cdn.example",
        "--host-record=zoom.us,203.0.113.9",
        "--host-record=unlisted.example,192.0.2.77",
    ])
    try:
        for name, qname, qtype in [
            ("dns_answer_office_cname.bin", "www.office.com", "A"),
            ("dns_answer_office_aaaa.bin", "www.office.com", "AAAA"),
            ("dns_answer_zoom.bin", "zoom.us", "A"),
            ("dns_answer_unlisted.bin", "unlisted.example", "A"),
        ]:
            write(name, dig_answer(port, qname, qtype))
    finally:
        dnsmasq.kill()
        dnsmasq.wait()


async def quic_initial(server_name: str, port: int, version: int) -> None:
    from aioquic.asyncio import connect
    from aioquic.quic.configuration import QuicConfiguration

    config = QuicConfiguration(is_client=True, alpn_protocols=["h3"], server_name=server_name)
    config.supported_versions = [version]
    try:
        async with connect("127.0.0.1", port, configuration=config, wait_connected=True):
            pass
    except Exception:
        pass


def quic(name: str | None, server_name: str, version: int) -> bytes:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        child = os.fork()
        if child == 0:
            try:
                asyncio.run(asyncio.wait_for(quic_initial(server_name, port, version), 3))
            finally:
                os._exit(0)
        sock.settimeout(10)
        data, _ = sock.recvfrom(65536)
        os.kill(child, 9)
        os.waitpid(child, 0)
    if name:
        write(name, data)
    return data


def main() -> None:
    only = set(sys.argv[1:])

    def want(kind: str) -> bool:
        return not only or kind in only

    if want("tls"):
        tcp("tls_openssl_teams.bin", "openssl s_client -connect 127.0.0.1:{port} -servername teams.microsoft.com")
        tcp("tls_openssl_nosni.bin", "openssl s_client -connect 127.0.0.1:{port} -noservername")
        tcp("tls_openssl12_salesforce.bin",
            "openssl s_client -tls1_2 -connect 127.0.0.1:{port} -servername login.salesforce.com")
        tcp("tls_curl_youtube.bin",
            "curl -sk --max-time 3 --resolve www.youtube.com:{port}:127.0.0.1 https://www.youtube.com:{port}/")
        tcp("tls_curl_unlisted.bin",
            "curl -sk --max-time 3 --resolve shop.unlisted.example:{port}:127.0.0.1 https://shop.unlisted.example:{port}/")
    if want("http"):
        tcp("http_curl_github.bin",
            "curl -s --max-time 3 --resolve github.com:{port}:127.0.0.1 http://github.com:{port}/login")
        tcp("http_curl_unlisted.bin",
            "curl -s --max-time 3 --resolve www.unlisted.example:{port}:127.0.0.1 http://www.unlisted.example:{port}/")
    if want("ssh"):
        tcp("ssh_openssh.bin",
            "ssh -p {port} -o BatchMode=yes -o StrictHostKeyChecking=no -o ConnectTimeout=3 pa@127.0.0.1")
    if want("sip"):
        udp("sip_sipsak_options.bin", "sipsak -s sip:bob@127.0.0.1:{port}")
        udp("sip_sipsak_register.bin", "sipsak -U -s sip:bob@127.0.0.1:{port}")
    if want("dns"):
        udp("dns_query_zoom.bin", "dig @127.0.0.1 -p {port} zoom.us A +tries=1 +time=2")
        dns_answers()
    if want("quic"):
        quic("quic_aioquic_youtube_v1.bin", "www.youtube.com", 0x00000001)
        quic("quic_aioquic_zoom_v2.bin", "us04web.zoom.us", 0x6B3343CF)


if __name__ == "__main__":
    main()

"""schemathesis hooks for scripts/test-schemathesis: the API's custom string formats, and a tenant
admin credential that survives the run deleting it.

The OpenAPI document names three formats that no pattern states exactly (see
sdk/rust/src/schema.rs): `ip-prefix`, `ipv4-prefix`, `endpoint` and `port-range`. Without a
strategy schemathesis would draw any string for them, which the server rightly refuses; these
strategies draw only values of the format, so that "valid data is accepted" is tested for them.

Prefixes are drawn from IPv6 unique local space, each in a /48 of its own, /48 to /64: they never
overlap the (IPv4) overlay prefix nor each other, so a site's LAN prefixes are not refused for
overlapping another site's. The server checks that; the Rust tests test it.
"""

import ipaddress
import itertools
import os

import requests
import schemathesis
from hypothesis import strategies as st

URL = os.environ["PATRONUS_URL"]
PLATFORM_TOKEN = os.environ["PATRONUS_PLATFORM_TOKEN"]
TENANT_ID = os.environ["PATRONUS_TENANT_ID"]


_blocks = itertools.count(1)


def _ipv6_prefix(length: int) -> str:
    # fd00::/8, then 40 bits that no other draw of this run has: a /48 of its own.
    value = (0xFD << 120) | (next(_blocks) << 80)
    return str(ipaddress.IPv6Network((value, length)))


ip_prefixes = st.builds(_ipv6_prefix, st.integers(48, 64))


def _ipv4_prefix(bits: int, length: int) -> str:
    return str(ipaddress.IPv4Network((bits, length), strict=False))


# Overlay prefixes: /8 to /30, as the document's pattern for them says.
ipv4_prefixes = st.builds(_ipv4_prefix, st.integers(0, (1 << 32) - 1), st.integers(8, 30))

_ports = st.integers(1, 65535)
_dns_label = st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?\Z")
_hosts = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda a: f"[{a}]"),
    st.lists(_dns_label, min_size=1, max_size=3).map(lambda labels: ".".join([*labels, "example", "net"])),
)
endpoints = st.builds(lambda host, port: f"{host}:{port}", _hosts, _ports)
port_ranges = st.one_of(
    _ports.map(str),
    st.tuples(_ports, _ports).map(lambda p: f"{min(p)}-{max(p)}"),
)

schemathesis.openapi.format("ip-prefix", ip_prefixes)
schemathesis.openapi.format("ipv4-prefix", ipv4_prefixes)
schemathesis.openapi.format("endpoint", endpoints)
schemathesis.openapi.format("port-range", port_ranges)


@schemathesis.auth()
class TenantAdminToken:
    """A tenant admin API token, minted with the platform token. The run may delete or rename the
    token it uses (it tests DELETE /v1/api-tokens/{id} with ids it has seen); a 401 then makes
    schemathesis ask for a new one."""

    minted = itertools.count(1)

    def get(self, case, context):
        # Token names are unique in a tenant.
        response = requests.post(
            f"{URL}/v1/tenants/{TENANT_ID}/api-tokens",
            json={"name": f"schemathesis {next(self.minted)}", "role": "admin"},
            headers={"Authorization": f"Bearer {PLATFORM_TOKEN}"},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["token"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"

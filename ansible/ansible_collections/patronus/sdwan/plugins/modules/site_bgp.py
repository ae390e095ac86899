#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: site_bgp
short_description: Manage the BGP settings of a Patronus site
version_added: 0.1.0
description:
  - Sets a site's BGP settings (one object per site, C(/v1/sites/{id}/bgp)). The server compiles them into the
    site's document and the site's agent runs them with FRR (install it with the agent role's
    C(patronus_agent_install_frr)).
  - Options left out keep their current value (or take the server's default when the site has no settings yet);
    a list given replaces the whole list.
  - Neighbour passwords are write-only. With O(update_password=on_create) a password is sent only for a neighbour
    that has none yet, so a second run reports no change; with V(always) it is sent on every run.
    A neighbour given without O(neighbors[].password) keeps its stored one.
  - O(state=absent) deletes the settings (the site runs no BGP).
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  site:
    description: The site, by name or id.
    type: str
    required: true
  local_asn:
    description:
      - The site's ASN, 1 to 4294967294 except 23456 and 65535. Default 4200000000 plus the site's host number in
        the overlay prefix.
    type: int
  router_id:
    description: BGP router id, an IPv4 address. Default the site's overlay address.
    type: str
  neighbors:
    description: The neighbours, each inside one of the site's LAN prefixes.
    type: list
    elements: dict
    suboptions:
      address:
        description: IPv4 or IPv6 address.
        type: str
        required: true
      remote_asn:
        description: The neighbour's ASN.
        type: int
        required: true
      description:
        description: Free text.
        type: str
        default: ""
      password:
        description: TCP MD5 password, 1 to 80 printable ASCII characters without spaces. Write-only.
        type: str
      keepalive:
        description: Seconds, at most a third of O(neighbors[].hold_time).
        type: int
        default: 60
      hold_time:
        description: Seconds, 0 or 3 to 65535.
        type: int
        default: 180
      bfd:
        description: Whether BFD runs with the neighbour.
        type: bool
        default: false
      route_map_in:
        description: A route map of O(route_maps) for what the neighbour sends.
        type: str
      route_map_out:
        description: A route map of O(route_maps) for what the site sends.
        type: str
  update_password:
    description: When neighbour passwords are sent (see above).
    type: str
    choices: [always, on_create]
    default: on_create
  networks:
    description: Prefixes the site advertises; none may overlap another site's LAN prefixes or networks.
    type: list
    elements: str
  prefix_lists:
    description: Prefix lists, each a C(name) and ordered C(entries) (C(action), C(prefix), C(ge), C(le)).
    type: list
    elements: dict
  route_maps:
    description:
      - Route maps, each a C(name) and ordered C(entries) (C(action), C(match_prefix_list),
        C(match_communities), C(set_local_preference), C(set_med), C(set_communities)).
    type: list
    elements: dict
  overlay_import:
    description: Whether learned prefixes may enter the overlay.
    type: bool
  max_learned_prefixes:
    description: Per neighbour, 1 to 100000 (default 1000).
    type: int
  state:
    description: V(present) applies the options given; V(absent) deletes the settings.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: BGP with the core switch
  patronus.sdwan.site_bgp:
    site: paris
    networks: [10.1.0.0/16]
    neighbors:
      - address: 10.1.0.2
        remote_asn: 65010
        password: "{{ core_bgp_password }}"
        route_map_in: from-core
    prefix_lists:
      - name: branch-lans
        entries:
          - {action: permit, prefix: 10.0.0.0/8, ge: 16, le: 24}
    route_maps:
      - name: from-core
        entries:
          - {action: permit, match_prefix_list: branch-lans, set_local_preference: 200}

- name: No BGP at the site
  patronus.sdwan.site_bgp:
    site: paris
    state: absent
"""

RETURN = r"""
site_bgp:
  description: The settings after the change (predicted in check mode; none after O(state=absent)).
  returned: always
  type: dict
  sample:
    site_id: 0192b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b
    local_asn: 4200000001
    router_id: 100.64.0.1
    neighbors:
      - {address: 10.1.0.2, remote_asn: 65010, description: "", password_set: true, keepalive: 60,
         hold_time: 180, bfd: false}
    networks: [10.1.0.0/16]
    prefix_lists: []
    route_maps: []
    overlay_import: false
    max_learned_prefixes: 1000
    etag: '"1"'
"""

import ipaddress

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.client import PatronusError, path_id
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    STALE_RETRIES,
    argument_spec,
    client_from_module,
    fail,
    owning_site,
)
from ansible_collections.patronus.sdwan.plugins.module_utils.diff import (
    MASK,
    canonical_prefix,
    make_diff,
    strip_empty,
)

SCALARS = ("local_asn", "router_id", "overlay_import", "max_learned_prefixes")
LISTS = ("neighbors", "networks", "prefix_lists", "route_maps")
NEIGHBOR_FIELDS = ("address", "remote_asn", "description", "keepalive", "hold_time", "bfd",
                   "route_map_in", "route_map_out")
NEIGHBOR_DEFAULTS = dict(description="", keepalive=60, hold_time=180, bfd=False)


def _address(value):
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def neighbor_view(n):
    """A neighbour as a request sets it (no password), defaults filled in."""
    v = dict((f, n.get(f)) for f in NEIGHBOR_FIELDS)
    for k, d in NEIGHBOR_DEFAULTS.items():
        if v.get(k) is None:
            v[k] = d
    v["address"] = _address(v["address"])
    return strip_empty(v)


def _filters(lists):
    """Prefix lists or route maps in the order given, entries in theirs, empty members dropped,
    prefixes canonical."""
    out = []
    for item in lists or []:
        item = strip_empty(item)
        for e in item.get("entries", []):
            if "prefix" in e:
                e["prefix"] = canonical_prefix(e["prefix"])
        out.append(item)
    return out


def spec_view(values):
    """The settings a PUT body carries, in a form that compares equal when they are the same."""
    view = dict((f, values.get(f)) for f in SCALARS)
    view["neighbors"] = sorted((neighbor_view(n) for n in values.get("neighbors") or []),
                               key=lambda n: n["address"])
    view["networks"] = sorted(canonical_prefix(p) for p in values.get("networks") or [])
    view["prefix_lists"] = _filters(values.get("prefix_lists"))
    view["route_maps"] = _filters(values.get("route_maps"))
    return view


def plan(current, params):
    """What to send: ``(changes, body, after)``; ``changes`` names the fields that change.

    ``current`` is the server's settings or None; passwords are sent as ``update_password`` says.
    """
    before = spec_view(current) if current is not None else None
    desired = dict(before) if before is not None else {}
    for f in SCALARS + LISTS:
        if params.get(f) is not None:
            desired[f] = spec_view({f: params[f]})[f] if f in LISTS else params[f]
    if params.get("router_id") is not None:
        desired["router_id"] = _address(params["router_id"])
    had_password = dict((_address(n["address"]), n.get("password_set", False))
                        for n in (current or {}).get("neighbors") or [])
    passwords = {}
    for n in params.get("neighbors") or []:
        address = _address(n["address"])
        if n.get("password") is not None and (params["update_password"] == "always" or not had_password.get(address)):
            passwords[address] = n["password"]
    if before is None:
        changes = sorted(f for f in desired if desired[f] is not None) or ["site_id"]
    else:
        changes = sorted(f for f in desired if desired[f] != before.get(f))
        if passwords and "neighbors" not in changes:
            changes.append("neighbors")
    body = dict((k, v) for k, v in desired.items() if v is not None)
    if "neighbors" in body:
        body["neighbors"] = [dict(n, password=passwords[n["address"]]) if n["address"] in passwords else n
                             for n in body["neighbors"]]
    after = dict(desired)
    if "neighbors" in after:
        after["neighbors"] = [dict(n, password=MASK) if n["address"] in passwords else n for n in after["neighbors"]]
    return changes, body, after


def main():
    filter_entry = dict(type="list", elements="dict")
    module = AnsibleModule(
        argument_spec=argument_spec(
            site=dict(type="str", required=True),
            local_asn=dict(type="int"),
            router_id=dict(type="str"),
            neighbors=dict(type="list", elements="dict", options=dict(
                address=dict(type="str", required=True),
                remote_asn=dict(type="int", required=True),
                description=dict(type="str", default=""),
                password=dict(type="str", no_log=True),
                keepalive=dict(type="int", default=60),
                hold_time=dict(type="int", default=180),
                bfd=dict(type="bool", default=False),
                route_map_in=dict(type="str"),
                route_map_out=dict(type="str"),
            )),
            update_password=dict(type="str", default="on_create", choices=["always", "on_create"], no_log=False),
            networks=dict(type="list", elements="str"),
            prefix_lists=filter_entry,
            route_maps=dict(filter_entry),
            overlay_import=dict(type="bool"),
            max_learned_prefixes=dict(type="int"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = client_from_module(module)
    site = owning_site(module, client, p["site"], "site_bgp")
    path = "/v1/sites/%s/bgp" % path_id(site["id"])
    try:
        for _attempt in range(STALE_RETRIES):
            current = client.get_or_none(path)
            if p["state"] == "absent":
                if current is None:
                    module.exit_json(changed=False, site_bgp=None)
                before = spec_view(current)
                diff = {"before": before, "after": {}}
                if module.check_mode:
                    module.exit_json(changed=True, diff=diff, site_bgp=None)
                try:
                    client.delete(path, etag=current.get("etag"))
                except PatronusError as e:
                    if e.status == 412:
                        continue
                    raise
                module.exit_json(changed=True, diff=diff, site_bgp=None)
            changes, body, after = plan(current, p)
            if not changes:
                module.exit_json(changed=False, site_bgp=current)
            diff = make_diff(spec_view(current) if current else {}, after, changes)
            if module.check_mode:
                predicted = dict(current or {}, **after)
                module.exit_json(changed=True, diff=diff, site_bgp=predicted)
            try:
                updated = client.put(path, body, etag=current.get("etag") if current else None)
            except PatronusError as e:
                if e.status == 412:
                    continue
                raise
            module.exit_json(changed=True, diff=diff, site_bgp=updated)
        module.fail_json(msg="the BGP settings changed on the server during every one of %d attempts" % STALE_RETRIES)
    except PatronusError as e:
        fail(module, e)


if __name__ == "__main__":
    main()

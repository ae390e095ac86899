#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: topology
short_description: Manage the overlay topology of a Patronus tenant
version_added: 0.1.0
description:
  - Sets the tenant's overlay settings. Every tenant has exactly one topology.
  - Options left out keep their current value.
  - O(state=absent) puts every setting back to the server's default (V(full_mesh), V(100.64.0.0/16), 25 seconds).
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
  mode:
    description:
      - Who peers with whom. V(full_mesh) every site with every other; V(hub_and_spoke) edges with hubs only;
        V(explicit) only the pairs declared with P(patronus.sdwan.peering#module).
    type: str
    choices: [full_mesh, hub_and_spoke, explicit]
  overlay_prefix:
    description:
      - IPv4 prefix the overlay addresses of sites are allocated from. Can change only while the tenant has no sites.
    type: str
  persistent_keepalive:
    description:
      - WireGuard persistent keepalive in seconds, 0 to disable.
    type: int
  state:
    description:
      - V(present) applies the options given; V(absent) restores the defaults.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Hub and spoke
  patronus.sdwan.topology:
    mode: hub_and_spoke
    persistent_keepalive: 15

- name: Back to the defaults
  patronus.sdwan.topology:
    state: absent
"""

RETURN = r"""
topology:
  description: The topology after the change (predicted in check mode).
  returned: always
  type: dict
  sample:
    mode: hub_and_spoke
    overlay_prefix: 100.64.0.0/16
    persistent_keepalive: 15
    revision: 12
    updated_at: "2026-01-01T00:00:00Z"
    etag: '"3"'
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.client import PatronusError
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    STALE_RETRIES,
    argument_spec,
    client_from_module,
    fail,
)
from ansible_collections.patronus.sdwan.plugins.module_utils.diff import changed_fields, make_diff

FIELDS = ("mode", "overlay_prefix", "persistent_keepalive")
DEFAULTS = dict(mode="full_mesh", overlay_prefix="100.64.0.0/16", persistent_keepalive=25)


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            mode=dict(type="str", choices=["full_mesh", "hub_and_spoke", "explicit"]),
            overlay_prefix=dict(type="str"),
            persistent_keepalive=dict(type="int"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if p["state"] == "absent":
        if any(p[f] is not None for f in FIELDS):
            module.fail_json(msg="state=absent restores the defaults and takes no topology options")
        desired = dict(DEFAULTS)
    else:
        desired = dict((f, p[f]) for f in FIELDS)
    client = client_from_module(module)
    try:
        for _attempt in range(STALE_RETRIES):
            current = client.get("/v1/topology")
            changes = changed_fields(desired, current, prefixes=("overlay_prefix",))
            if not changes:
                module.exit_json(changed=False, topology=current)
            body = dict((f, current.get(f)) for f in FIELDS)
            body.update(changes)
            diff = make_diff(current, changes, changes.keys())
            if module.check_mode:
                predicted = dict(current)
                predicted.update(changes)
                module.exit_json(changed=True, diff=diff, topology=predicted)
            try:
                updated = client.put("/v1/topology", body, etag=current.get("etag"))
            except PatronusError as e:
                if e.status == 412:
                    continue
                raise
            module.exit_json(changed=True, diff=diff, topology=updated)
        module.fail_json(msg="the topology changed on the server during every one of %d attempts" % STALE_RETRIES)
    except PatronusError as e:
        fail(module, e)


if __name__ == "__main__":
    main()

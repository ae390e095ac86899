#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: peering
short_description: Manage Patronus peerings (pairs of sites that peer directly)
version_added: 0.1.0
description:
  - Creates, renames and deletes a peering between two sites, on top of whatever the topology mode gives.
  - A peering is found by O(name) when given, otherwise (or when none has that name) by its pair of sites, in
    either order; a peering of the pair with another name is renamed to O(name).
  - The sites of an existing peering cannot change; delete it and create another.
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
  name:
    description:
      - Name of the peering. The server names a new one C(<site a>--<site b>) when left out.
    type: str
  site_a:
    description:
      - One site of the pair, by name or id.
    type: str
    required: true
  site_b:
    description:
      - The other site of the pair, by name or id.
    type: str
    required: true
  state:
    description:
      - Whether the peering should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Berlin and Paris peer directly
  patronus.sdwan.peering:
    site_a: berlin
    site_b: paris

- name: Remove it
  patronus.sdwan.peering:
    site_a: berlin
    site_b: paris
    state: absent
"""

RETURN = r"""
peering:
  description: The peering after the change (predicted in check mode); null after deletion.
  returned: always
  type: dict
  sample:
    id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a09
    name: berlin--paris
    site_a: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a01
    site_b: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a05
    etag: '"1"'
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.client import PatronusError
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    Resource,
    argument_spec,
    client_from_module,
    fail,
    find_one,
    resolve_site,
    site_missing_in_check_mode,
)


def find_peering(client, name, a, b):
    if name:
        found = find_one(client, "/v1/peerings", {"name": name})
        if found is not None or a is None or b is None:
            return found
    for peering in client.list("/v1/peerings", {"site_id": a["id"]}):
        if set([peering["site_a"], peering["site_b"]]) == set([a["id"], b["id"]]):
            return peering
    return None


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            name=dict(type="str"),
            site_a=dict(type="str", required=True),
            site_b=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = client_from_module(module)
    present = p["state"] == "present"
    try:
        a = resolve_site(module, client, p["site_a"], required=present and not module.check_mode)
        b = resolve_site(module, client, p["site_b"], required=present and not module.check_mode)
        if present and (a is None or b is None):
            site_missing_in_check_mode(module, "peering", p["site_a"] if a is None else p["site_b"])
        if not present and (a is None or b is None) and not p["name"]:
            module.exit_json(changed=False, peering=None)
    except PatronusError as e:
        fail(module, e)

    def lookup():
        return find_peering(client, p["name"], a, b)

    desired = dict(name=p["name"])
    if a is not None and b is not None:
        desired.update(site_a=a["id"], site_b=b["id"])
        try:
            current = lookup()
        except PatronusError as e:
            fail(module, e)
        if current and set([current["site_a"], current["site_b"]]) == set([a["id"], b["id"]]):
            # The same pair named the other way round is the same peering.
            desired.update(site_a=current["site_a"], site_b=current["site_b"])
    Resource(
        module, client, "/v1/peerings", "peering", lookup=lookup, immutable=("site_a", "site_b"),
    ).run(desired)


if __name__ == "__main__":
    main()

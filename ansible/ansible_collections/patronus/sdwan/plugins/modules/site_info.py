#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: site_info
short_description: List Patronus sites
version_added: 0.1.0
description:
  - Lists the sites of the tenant, optionally filtered, each with its WAN links, and with its health and enrolled
    agent on request.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options:
  name:
    description:
      - Only the site with this name (or this id).
    type: str
  role:
    description:
      - Only sites of this role.
    type: str
    choices: [edge, hub]
  labels:
    description:
      - Only sites carrying all of these labels.
    type: dict
  include_links:
    description:
      - Does nothing. Every site comes with its WAN links as RV(sites[].links), whatever this option says; it is
        kept so that tasks that set it keep working.
    type: bool
    default: false
  include_status:
    description:
      - Add each site's health and enrolled agent as RV(sites[].status) (one request per site).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: All production sites
  patronus.sdwan.site_info:
    labels:
      env: prod
  register: prod

- name: One site with its health
  patronus.sdwan.site_info:
    name: berlin
    include_status: true
  register: berlin

- name: Show its health
  ansible.builtin.debug:
    msg: "{{ berlin.sites[0].status.health }}"
"""

RETURN = r"""
sites:
  description: The sites, in creation order.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Server-assigned id.
      type: str
      returned: always
    name:
      description: Name, unique in the tenant.
      type: str
      returned: always
    labels:
      description: Labels.
      type: dict
      returned: always
    role:
      description: V(edge) or V(hub).
      type: str
      returned: always
    lan_prefixes:
      description: LAN prefixes.
      type: list
      elements: str
      returned: always
    overlay_address:
      description: The overlay address the server allocated.
      type: str
      returned: always
    links:
      description: All the site's WAN links, sorted by name, each as P(patronus.sdwan.link_info#module) returns it.
      type: list
      elements: dict
      returned: always
    status:
      description:
        - The site's health (V(unenrolled), V(online), V(degraded), V(offline)), reason, desired revision and
          enrolled agent.
      type: dict
      returned: when O(include_status=true)
  sample:
    - id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a01
      name: berlin
      labels: {env: prod}
      role: edge
      lan_prefixes: [10.1.0.0/16]
      listen_port: 51820
      overlay_address: 100.64.0.1
      links:
        - id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a02
          site_id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a01
          name: fiber
          interface: eth1
          kind: fiber
          endpoint: 198.51.100.7:51820
          bandwidth_up_mbps: 500
          bandwidth_down_mbps: 1000
          cost: 0
          priority: 1
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.client import path_id
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    argument_spec,
    is_uuid,
    read_info,
)
from ansible_collections.patronus.sdwan.plugins.module_utils.site_query import list_sites


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            name=dict(type="str"),
            role=dict(type="str", choices=["edge", "hub"]),
            labels=dict(type="dict"),
            include_links=dict(type="bool", default=False),
            include_status=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    p = module.params

    def read(client):
        if p["name"] and is_uuid(p["name"]):
            site = client.get_or_none("/v1/sites/%s" % path_id(p["name"]))
            sites = [site] if site else []
            if sites and (p["role"] or p["labels"]):
                sites = list_sites(client, names=[sites[0]["name"]], role=p["role"], labels=p["labels"])
        else:
            sites = list_sites(client, names=[p["name"]] if p["name"] else None, role=p["role"],
                               labels=p["labels"])
        for site in sites:
            # Every site comes with its links (include_links is moot).
            site.setdefault("links", [])
            if p["include_status"]:
                site["status"] = client.get("/v1/sites/%s/status" % path_id(site["id"]))
        return sites

    read_info(module, "sites", read)


if __name__ == "__main__":
    main()

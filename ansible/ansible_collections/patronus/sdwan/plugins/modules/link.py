#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: link
short_description: Manage the WAN links of Patronus sites
version_added: 0.1.0
description:
  - Creates, updates and deletes a WAN uplink of a site, found by O(site) and O(name).
  - Options left out keep the value the link has (or the server's default when it is created).
  - To declare all the links of a site at once (links not listed are deleted), use the O(patronus.sdwan.site#module:links)
    option of P(patronus.sdwan.site#module) instead; do not manage the same site's links with both.
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
    description:
      - The site the link belongs to, by name or id. A link cannot move to another site.
    type: str
    required: true
  name:
    description:
      - Name of the link, unique within the site, for example V(fiber) or V(lte).
    type: str
    required: true
  interface:
    description:
      - Interface name on the site's machine, for example V(eth1). Required to create the link.
    type: str
  kind:
    description:
      - What kind of uplink it is.
    type: str
    choices: [fiber, cable, dsl, ethernet, lte, 5g, satellite, mpls, other]
  endpoint:
    description:
      - Public C(host:port) where peers reach this link.
      - The empty string removes the endpoint (the link is behind NAT).
    type: str
  bandwidth_up_mbps:
    description:
      - Upstream bandwidth in Mbit/s. Required to create the link.
      - The agent shapes what it sends on the link to 95 percent of it, per QoS class.
    type: int
  bandwidth_down_mbps:
    description:
      - Downstream bandwidth in Mbit/s. Required to create the link.
      - An agent started with C(--ingress-shaping on) shapes what it receives on the link to 95 percent of it.
    type: int
  cost:
    description:
      - Relative cost of sending over this link, for lowest-cost path selection.
    type: int
  priority:
    description:
      - 1 is preferred most; paths over links with a lower number are chosen first.
    type: int
  state:
    description:
      - Whether the link should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Fiber uplink with a public endpoint
  patronus.sdwan.link:
    site: berlin
    name: fiber
    interface: eth1
    kind: fiber
    endpoint: 198.51.100.7:51820
    bandwidth_up_mbps: 500
    bandwidth_down_mbps: 1000
    priority: 1

- name: LTE backup behind NAT
  patronus.sdwan.link:
    site: berlin
    name: lte
    interface: wwan0
    kind: lte
    endpoint: ""
    bandwidth_up_mbps: 20
    bandwidth_down_mbps: 100
    priority: 2

- name: Remove a link
  patronus.sdwan.link:
    site: berlin
    name: dsl
    state: absent
"""

RETURN = r"""
link:
  description: The link as the server holds it after the change (predicted in check mode); null after deletion.
  returned: always
  type: dict
  sample:
    id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a02
    site_id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a01
    name: fiber
    interface: eth1
    kind: fiber
    endpoint: 198.51.100.7:51820
    bandwidth_up_mbps: 500
    bandwidth_down_mbps: 1000
    cost: 0
    priority: 1
    etag: '"1"'
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    LINK_KINDS,
    Resource,
    argument_spec,
    client_from_module,
    owning_site,
)


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            site=dict(type="str", required=True),
            name=dict(type="str", required=True),
            interface=dict(type="str"),
            kind=dict(type="str", choices=LINK_KINDS),
            endpoint=dict(type="str"),
            bandwidth_up_mbps=dict(type="int"),
            bandwidth_down_mbps=dict(type="int"),
            cost=dict(type="int"),
            priority=dict(type="int"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = client_from_module(module)
    site = owning_site(module, client, p["site"], "link")
    desired = dict((k, p[k]) for k in ("name", "interface", "kind", "endpoint", "bandwidth_up_mbps",
                                       "bandwidth_down_mbps", "cost", "priority"))
    create_body = dict((k, v) for k, v in desired.items() if v is not None and v != "")
    create_body["site_id"] = site["id"]
    Resource(
        module, client, "/v1/links", "link",
        key={"site_id": site["id"], "name": p["name"]},
        nullable=("endpoint",),
        required_on_create=("interface", "bandwidth_up_mbps", "bandwidth_down_mbps"),
    ).run(desired, create_body=create_body)


if __name__ == "__main__":
    main()

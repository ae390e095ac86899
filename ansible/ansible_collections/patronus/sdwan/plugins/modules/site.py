#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: site
short_description: Manage Patronus sites
version_added: 0.1.0
description:
  - Creates, updates and deletes a site of the tenant, found by O(name).
  - Options left out keep the value the site has (or the server's default when it is created).
  - With O(links), the site's WAN links are declared with it and written in the same request as its other
    fields, in one transaction on the server, so one bad link fails the task and writes nothing.
  - Deleting a site deletes its links, peerings and enrollment tokens with it.
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
      - Name of the site, unique in the tenant.
    type: str
    required: true
  description:
    description:
      - Free text for people.
    type: str
  location:
    description:
      - Where the site is, free text (a city, a data centre, an address).
    type: str
  labels:
    description:
      - Labels of the site. When given, they replace the whole set.
      - Policies select sites by labels; the P(patronus.sdwan.sites#inventory) inventory groups sites by them.
    type: dict
  role:
    description:
      - V(hub) sites relay for spokes in a hub-and-spoke topology; V(edge) sites are everything else.
    type: str
    choices: [edge, hub]
  lan_prefixes:
    description:
      - IPv4 and IPv6 prefixes behind the site, for example V(10.1.0.0/16). When given, they replace the whole list.
      - Order does not matter. They may not overlap with another site's or with the overlay prefix.
    type: list
    elements: str
  listen_port:
    description:
      - UDP port WireGuard listens on (the server's default is 51820).
    type: int
  links:
    description:
      - The site's WAN links, the whole set. Links are matched by O(links[].name) - a listed link that exists is
        updated in place and keeps its id, a new name is created, and a link of the site that is not listed is
        deleted. V([]) deletes every link.
      - When left out, the site's links are not managed; this module leaves them as they are, and
        P(patronus.sdwan.link#module) can manage them one by one. Do not use both for the same site, or each
        run undoes the other.
      - Order does not matter. Each link is compared on the options below only; the server's id, ETag and
        timestamps of a link are not part of the comparison or the diff. The diff shows the links sorted by name.
      - A link's options left out take their defaults, so a link that is listed is managed whole.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the link, unique within the site, for example V(fiber) or V(lte).
        type: str
        required: true
      interface:
        description:
          - Interface name on the site's machine, for example V(eth1).
        type: str
        required: true
      kind:
        description:
          - What kind of uplink it is.
        type: str
        choices: [fiber, cable, dsl, ethernet, lte, 5g, satellite, mpls, other]
        default: other
      endpoint:
        description:
          - Public C(host:port) where peers reach this link.
          - Left out or the empty string, the link has no endpoint (it is behind NAT).
        type: str
      bandwidth_up_mbps:
        description:
          - Upstream bandwidth in Mbit/s.
        type: int
        required: true
      bandwidth_down_mbps:
        description:
          - Downstream bandwidth in Mbit/s.
        type: int
        required: true
      cost:
        description:
          - Relative cost of sending over this link, for lowest-cost path selection.
        type: int
        default: 0
      priority:
        description:
          - 1 is preferred most; paths over links with a lower number are chosen first.
        type: int
        default: 100
  state:
    description:
      - Whether the site should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: A branch site
  patronus.sdwan.site:
    url: https://patronus.example.net
    token: "{{ patronus_token }}"
    name: berlin
    location: Berlin
    role: edge
    labels:
      env: prod
      region: eu
    lan_prefixes:
      - 10.1.0.0/16

- name: A site with its WAN links, in one request
  patronus.sdwan.site:
    name: paris
    lan_prefixes:
      - 10.2.0.0/16
    links:
      - name: fiber
        interface: eth1
        kind: fiber
        endpoint: 198.51.100.7:51820
        bandwidth_up_mbps: 500
        bandwidth_down_mbps: 1000
        priority: 1
      - name: lte
        interface: wwan0
        kind: lte
        bandwidth_up_mbps: 20
        bandwidth_down_mbps: 100
        priority: 2

- name: Remove every link of a site, keep the site
  patronus.sdwan.site:
    name: paris
    links: []

- name: Delete a site
  patronus.sdwan.site:
    name: old-branch
    state: absent
"""

RETURN = r"""
site:
  description:
    - The site as the server holds it after the change (predicted in check mode); null after deletion.
    - Its C(links) are all the site's WAN links, sorted by name, each as P(patronus.sdwan.link_info#module) returns it
      (in check mode, a link about to be created has no id yet).
  returned: always
  type: dict
  sample:
    id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a01
    name: berlin
    description: ""
    location: Berlin
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
        created_at: "2026-01-01T00:00:00Z"
        updated_at: "2026-01-01T00:00:00Z"
        etag: '"1"'
    created_at: "2026-01-01T00:00:00Z"
    updated_at: "2026-01-01T00:00:00Z"
    etag: '"1"'
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    LINK_KINDS,
    Resource,
    argument_spec,
    client_from_module,
)
from ansible_collections.patronus.sdwan.plugins.module_utils.diff import KeyedSet

# A link in the site's body (the API's SiteLink); the defaults are the server's.
LINK_OPTIONS = dict(
    name=dict(type="str", required=True),
    interface=dict(type="str", required=True),
    kind=dict(type="str", choices=LINK_KINDS, default="other"),
    endpoint=dict(type="str"),
    bandwidth_up_mbps=dict(type="int", required=True),
    bandwidth_down_mbps=dict(type="int", required=True),
    cost=dict(type="int", default=0),
    priority=dict(type="int", default=100),
)

LINKS = KeyedSet(
    "name", LINK_OPTIONS,
    defaults=dict((k, o["default"]) for k, o in LINK_OPTIONS.items() if "default" in o),
    nullable=("endpoint",),
)


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            name=dict(type="str", required=True),
            description=dict(type="str"),
            location=dict(type="str"),
            labels=dict(type="dict"),
            role=dict(type="str", choices=["edge", "hub"]),
            lan_prefixes=dict(type="list", elements="str"),
            listen_port=dict(type="int"),
            links=dict(type="list", elements="dict", options=LINK_OPTIONS),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = client_from_module(module)
    labels = p["labels"]
    if labels is not None:
        labels = dict((str(k), str(v)) for k, v in labels.items())
    desired = dict(
        name=p["name"],
        description=p["description"],
        location=p["location"],
        labels=labels,
        role=p["role"],
        lan_prefixes=p["lan_prefixes"],
        listen_port=p["listen_port"],
        links=p["links"],
    )
    Resource(
        module, client, "/v1/sites", "site",
        key={"name": p["name"]},
        unordered=("lan_prefixes",),
        prefixes=("lan_prefixes",),
        keyed={"links": LINKS},
    ).run(desired)


if __name__ == "__main__":
    main()

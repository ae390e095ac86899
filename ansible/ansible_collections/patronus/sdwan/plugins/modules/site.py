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

- name: Delete a site
  patronus.sdwan.site:
    name: old-branch
    state: absent
"""

RETURN = r"""
site:
  description: The site as the server holds it after the change (predicted in check mode); null after deletion.
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
    created_at: "2026-01-01T00:00:00Z"
    updated_at: "2026-01-01T00:00:00Z"
    etag: '"1"'
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    Resource,
    argument_spec,
    client_from_module,
    find_one,
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
    )
    Resource(
        module, client, "/v1/sites", "site",
        lookup=lambda: find_one(client, "/v1/sites", {"name": p["name"]}),
        unordered=("lan_prefixes",),
        prefixes=("lan_prefixes",),
    ).run(desired)


if __name__ == "__main__":
    main()

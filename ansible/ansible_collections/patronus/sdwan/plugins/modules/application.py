#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: application
short_description: Manage the tenant's own Patronus applications
version_added: 0.1.0
description:
  - Creates, updates and deletes an application the tenant defines, found by O(name), next to the built-in
    catalogue. A policy's C(match.application) may name it (see M(patronus.sdwan.policy)).
  - The agent recognises a flow as the application by the names it carries (TLS and QUIC server names, HTTP
    C(Host), earlier DNS answers) matched against O(domains), by its destination in O(prefixes) (and then on one
    of O(ports), if given), or, without O(prefixes), by its destination port in O(ports) when nothing in the flow
    names an application. Where it claims a domain pattern, prefix or port a built-in application does, it wins.
  - The order of O(domains), O(prefixes) and O(ports) does not matter; each is compared as a set.
  - An application that a policy names cannot be deleted, nor renamed; the server answers which policy uses it.
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
      - Name of the application, unique in the tenant; 1 to 64 characters of C(a-z), C(0-9), C(-) and C(_), and
        not the name of a built-in application or category.
    type: str
    required: true
  category:
    description:
      - The built-in category the application belongs to; a policy that names the category takes its flows too.
        Required to create the application.
    type: str
    choices: [collaboration, conferencing, messaging, voice, video, audio, email, file_sharing, backup, business,
              development, cloud, social, identity, remote_access, network, software_update, web]
  description:
    description:
      - Free text, at most 256 characters.
    type: str
  domains:
    description:
      - Domain patterns, at most 64; V(name) matches that name exactly, V(*.name) any name below it (not
        V(name) itself). Lowercase DNS names of at least two labels.
    type: list
    elements: str
  prefixes:
    description:
      - Destination prefixes (CIDR, for example V(10.20.0.0/16)), at most 64.
    type: list
    elements: str
  protocol:
    description:
      - The IP protocol O(ports) apply to (the server's default is V(any)). V(tcp) or V(udp) needs O(ports).
    type: str
    choices: [tcp, udp, any]
  ports:
    description:
      - Destination ports (V(443)) or inclusive ranges (V(8000-8100)), at most 32.
      - At least one of O(domains), O(prefixes) and O(ports) is required.
    type: list
    elements: str
  state:
    description:
      - Whether the application should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: The intranet, by name and address
  patronus.sdwan.application:
    name: intranet
    category: business
    description: Our intranet portal
    domains:
      - intranet.example.com
      - "*.intranet.example.com"
    prefixes:
      - 10.20.0.0/16

- name: A licence server, by its TCP ports
  patronus.sdwan.application:
    name: flexlm
    category: business
    protocol: tcp
    ports:
      - "27000-27009"

- name: Gone
  patronus.sdwan.application:
    name: flexlm
    state: absent
"""

RETURN = r"""
application:
  description: The application after the change (predicted in check mode); null after deletion.
  returned: always
  type: dict
  sample:
    id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a0a
    name: intranet
    category: business
    description: Our intranet portal
    domains:
      - "*.intranet.example.com"
      - intranet.example.com
    prefixes:
      - 10.20.0.0/16
    protocol: any
    ports: []
    created_at: "2026-12-07T03:00:00Z"
    updated_at: "2026-12-07T03:00:00Z"
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    CATEGORIES,
    Resource,
    argument_spec,
    client_from_module,
)

FIELDS = ("name", "category", "description", "domains", "prefixes", "protocol", "ports")


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            name=dict(type="str", required=True),
            category=dict(type="str", choices=CATEGORIES),
            description=dict(type="str"),
            domains=dict(type="list", elements="str"),
            prefixes=dict(type="list", elements="str"),
            protocol=dict(type="str", choices=["tcp", "udp", "any"]),
            ports=dict(type="list", elements="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = client_from_module(module)
    Resource(
        module, client, "/v1/applications", "application",
        key={"name": p["name"]},
        unordered=("domains", "prefixes", "ports"),
        prefixes=("prefixes",),
        required_on_create=("category",),
    ).run(dict((f, p[f]) for f in FIELDS))


if __name__ == "__main__":
    main()

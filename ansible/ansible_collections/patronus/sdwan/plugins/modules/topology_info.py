#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: topology_info
short_description: Read the overlay topology of a Patronus tenant
version_added: 0.1.0
description:
  - Returns the tenant's overlay settings and its configuration revision.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options: {}
"""

EXAMPLES = r"""
- name: Read the topology
  patronus.sdwan.topology_info:
  register: topo

- name: Show the tenant's configuration revision
  ansible.builtin.debug:
    msg: "{{ topo.topology.revision }}"
"""

RETURN = r"""
topology:
  description: The topology.
  returned: always
  type: dict
  contains:
    mode:
      description: V(full_mesh), V(hub_and_spoke) or V(explicit).
      type: str
      returned: always
    overlay_prefix:
      description: The prefix overlay addresses come from.
      type: str
      returned: always
    persistent_keepalive:
      description: WireGuard keepalive in seconds.
      type: int
      returned: always
    revision:
      description: The tenant's configuration revision; it moves with every change to the network.
      type: int
      returned: always
  sample:
    mode: full_mesh
    overlay_prefix: 100.64.0.0/16
    persistent_keepalive: 25
    revision: 7
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import argument_spec, read_info


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    read_info(module, "topology", lambda client: client.get("/v1/topology"))


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: policy_info
short_description: List Patronus routing policies
version_added: 0.1.0
description:
  - Lists the routing policies of the tenant, or one by name.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options:
  name:
    description:
      - Only the policy with this name.
    type: str
"""

EXAMPLES = r"""
- name: All policies
  patronus.sdwan.policy_info:
  register: policies
"""

RETURN = r"""
policies:
  description: The policies, in creation order.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a0b
      name: voice
      priority: 10
      match: {protocol: udp, destination_ports: ["5060"]}
      action: {path_selection: lowest_latency, qos_class: voice, failover_hold_down_seconds: 10}
      site_selector: {}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import argument_spec, list_info


def main():
    module = AnsibleModule(argument_spec=argument_spec(name=dict(type="str")), supports_check_mode=True)
    list_info(module, "policies", "/v1/policies", filters=("name",))


if __name__ == "__main__":
    main()

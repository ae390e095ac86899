#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: qos_class_info
short_description: List Patronus QoS classes
version_added: 0.1.0
description:
  - Lists the QoS classes of the tenant, or one by name.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options:
  name:
    description:
      - Only the class with this name.
    type: str
"""

EXAMPLES = r"""
- name: All QoS classes
  patronus.sdwan.qos_class_info:
  register: classes
"""

RETURN = r"""
qos_classes:
  description: The classes, in creation order.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a0a
      name: voice
      priority: 1
      dscp: 46
      guaranteed_percent: 20
      max_percent: 40
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import argument_spec, list_info


def main():
    module = AnsibleModule(argument_spec=argument_spec(name=dict(type="str")), supports_check_mode=True)
    list_info(module, "qos_classes", "/v1/qos-classes", filters=("name",))


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: peering_info
short_description: List Patronus peerings
version_added: 0.1.0
description:
  - Lists the peerings of the tenant, those of one site, or one by name.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options:
  name:
    description:
      - Only the peering with this name.
    type: str
  site:
    description:
      - Only peerings of this site (name or id), on either side.
    type: str
"""

EXAMPLES = r"""
- name: Who peers with Berlin explicitly
  patronus.sdwan.peering_info:
    site: berlin
  register: berlin_peerings
"""

RETURN = r"""
peerings:
  description: The peerings, in creation order.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a09
      name: berlin--paris
      site_a: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a01
      site_b: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a05
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import argument_spec, list_info


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            name=dict(type="str"),
            site=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    list_info(module, "peerings", "/v1/peerings", filters=("name",), site_option="site")


if __name__ == "__main__":
    main()

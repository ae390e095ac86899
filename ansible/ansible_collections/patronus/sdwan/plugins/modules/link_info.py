#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: link_info
short_description: List the WAN links of Patronus sites
version_added: 0.1.0
description:
  - Lists the WAN links of the tenant, of one site, or one link by name.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options:
  site:
    description:
      - Only the links of this site (name or id).
    type: str
  name:
    description:
      - Only links with this name.
    type: str
"""

EXAMPLES = r"""
- name: The links of one site
  patronus.sdwan.link_info:
    site: berlin
  register: berlin_links
"""

RETURN = r"""
links:
  description: The links, in creation order.
  returned: always
  type: list
  elements: dict
  sample:
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
from ansible_collections.patronus.sdwan.plugins.module_utils.common import argument_spec, list_info


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            site=dict(type="str"),
            name=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    list_info(module, "links", "/v1/links", filters=("name",), site_option="site")


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: application_info
short_description: List the tenant's own Patronus applications
version_added: 0.1.0
description:
  - Lists the applications the tenant defined (not the built-in catalogue), or those of one name or category.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options:
  name:
    description:
      - Only the application with this name.
    type: str
  category:
    description:
      - Only the applications of this category.
    type: str
    choices: [collaboration, conferencing, messaging, voice, video, audio, email, file_sharing, backup, business,
              development, cloud, social, identity, remote_access, network, software_update, web]
"""

EXAMPLES = r"""
- name: The tenant's business applications
  patronus.sdwan.application_info:
    category: business
  register: apps
"""

RETURN = r"""
applications:
  description: The applications, in the order the server lists them.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a0a
      name: intranet
      category: business
      description: Our intranet portal
      domains:
        - intranet.example.com
      prefixes: []
      protocol: any
      ports: []
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import CATEGORIES, argument_spec, list_info


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(name=dict(type="str"), category=dict(type="str", choices=CATEGORIES)),
        supports_check_mode=True,
    )
    list_info(module, "applications", "/v1/applications", filters=("name", "category"))


if __name__ == "__main__":
    main()

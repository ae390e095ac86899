#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: user_info
short_description: List users of a Patronus tenant
version_added: 0.1.0
description:
  - Lists the users of the tenant, filtered by email or role. Never returns passwords.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options:
  email:
    description:
      - Only the user with this email address.
    type: str
  role:
    description:
      - Only users with this role.
    type: str
    choices: [viewer, operator, admin]
"""

EXAMPLES = r"""
- name: The tenant's admins
  patronus.sdwan.user_info:
    role: admin
  register: admins
"""

RETURN = r"""
users:
  description: The users, in creation order.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a0d
      email: ann@acme.example
      display_name: Ann
      role: admin
      has_password: true
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import argument_spec, list_info


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            email=dict(type="str"),
            role=dict(type="str", choices=["viewer", "operator", "admin"]),
        ),
        supports_check_mode=True,
    )
    list_info(module, "users", "/v1/users", filters=("email", "role"))


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: api_token_info
short_description: List API tokens of a Patronus tenant
version_added: 0.1.0
description:
  - Lists the API tokens of the tenant, without their secrets. Needs an admin token.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options:
  name:
    description:
      - Only the token with this name.
    type: str
"""

EXAMPLES = r"""
- name: Tokens and when they were last used
  patronus.sdwan.api_token_info:
  register: tokens
"""

RETURN = r"""
api_tokens:
  description: The tokens, in creation order.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a0e
      name: ci
      role: operator
      prefix: ptrn_api_AbC
      expires_at: null
      last_used_at: "2026-01-01T00:00:00Z"
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import argument_spec, list_info


def main():
    module = AnsibleModule(argument_spec=argument_spec(name=dict(type="str")), supports_check_mode=True)
    list_info(module, "api_tokens", "/v1/api-tokens", filters=("name",))


if __name__ == "__main__":
    main()

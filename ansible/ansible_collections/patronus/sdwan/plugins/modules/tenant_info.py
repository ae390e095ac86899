#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tenant_info
short_description: List Patronus tenants (platform operators)
version_added: 0.1.0
description:
  - Lists the tenants of the platform. Needs a platform token (C(ptrn_plat_...)) in O(token).
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options:
  slug:
    description:
      - Only the tenant with this slug.
    type: str
  name:
    description:
      - Only tenants with this name.
    type: str
"""

EXAMPLES = r"""
- name: Every tenant
  patronus.sdwan.tenant_info:
    token: "{{ platform_token }}"
  register: tenants
"""

RETURN = r"""
tenants:
  description: The tenants, in creation order.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a00
      name: Acme
      slug: acme
      quotas: {max_users: 100, max_api_tokens: 50, max_sites: 50}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import argument_spec, list_info


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(slug=dict(type="str"), name=dict(type="str")),
        supports_check_mode=True,
    )
    list_info(module, "tenants", "/v1/tenants", filters=("slug", "name"))


if __name__ == "__main__":
    main()

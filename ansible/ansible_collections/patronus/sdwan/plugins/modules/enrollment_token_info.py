#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: enrollment_token_info
short_description: List the enrollment tokens of a Patronus site
version_added: 0.1.0
description:
  - Lists a site's enrollment tokens, without their secrets.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options:
  site:
    description:
      - The site, by name or id.
    type: str
    required: true
  description:
    description:
      - Only tokens with this description.
    type: str
"""

EXAMPLES = r"""
- name: Berlin's enrollment tokens
  patronus.sdwan.enrollment_token_info:
    site: berlin
  register: tokens
"""

RETURN = r"""
enrollment_tokens:
  description: The tokens, in creation order, used and expired ones included.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a0c
      site_id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a01
      description: berlin-gw1
      prefix: ptrn_enr_AbC
      uses_total: 1
      uses_remaining: 0
      expires_at: "2026-01-02T00:00:00Z"
      created_at: "2026-01-01T00:00:00Z"
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.client import path_id
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    argument_spec,
    read_info,
    resolve_site,
)


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            site=dict(type="str", required=True),
            description=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    p = module.params

    def read(client):
        site = resolve_site(module, client, p["site"], required=False)
        tokens = []
        if site is not None:
            tokens = client.list("/v1/sites/%s/enrollment-tokens" % path_id(site["id"]))
        if p["description"] is not None:
            tokens = [t for t in tokens if t.get("description") == p["description"]]
        return tokens

    read_info(module, "enrollment_tokens", read)


if __name__ == "__main__":
    main()

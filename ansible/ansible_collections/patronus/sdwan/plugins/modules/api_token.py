#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: api_token
short_description: Manage API tokens of a Patronus tenant
version_added: 0.1.0
description:
  - Creates and deletes an API token of the tenant (for Terraform, Ansible, CI), found by O(name). Needs an admin
    token.
  - The secret is returned only by the run that creates the token.
  - The role and expiry of an existing token cannot change; delete it and create it again.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  name:
    description:
      - Name of the token, unique in the tenant.
    type: str
    required: true
  role:
    description:
      - What the token may do. Required to create the token.
    type: str
    choices: [viewer, operator, admin]
  expires_at:
    description:
      - When the token stops working, as an RFC 3339 date and time, for example V(2027-01-01T00:00:00Z).
        Never, when left out at creation.
    type: str
  state:
    description:
      - Whether the token should exist.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The secret is in RV(token) of the run that created it. Use C(no_log=true) on the task and store it, for
    example in a vault, right away.
"""

EXAMPLES = r"""
- name: A token for the CI pipeline
  patronus.sdwan.api_token:
    name: ci
    role: operator
    expires_at: "2027-01-01T00:00:00Z"
  register: ci_token
  no_log: true
"""

RETURN = r"""
api_token:
  description: The token without its secret (predicted in check mode); null after deletion.
  returned: always
  type: dict
  sample:
    id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a0e
    name: ci
    role: operator
    prefix: ptrn_api_AbC
    expires_at: "2027-01-01T00:00:00Z"
    last_used_at: null
    etag: '"1"'
token:
  description: The secret (C(ptrn_api_...)), shown once.
  returned: when the token was created (not in check mode)
  type: str
  sample: ptrn_api_0123456789abcdef
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    Resource,
    argument_spec,
    client_from_module,
    find_one,
    same_instant,
)


class ApiToken(Resource):
    def created(self, created):
        token = created.pop("token", None)
        return {"api_token": created, "token": token}


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            name=dict(type="str", required=True),
            role=dict(type="str", choices=["viewer", "operator", "admin"]),
            expires_at=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = client_from_module(module)

    def lookup():
        current = find_one(client, "/v1/api-tokens", {"name": p["name"]})
        if current is not None and same_instant(p["expires_at"], current.get("expires_at")):
            # The same instant written another way is no change.
            current = dict(current, expires_at=p["expires_at"])
        return current

    ApiToken(
        module, client, "/v1/api-tokens", "api_token", lookup=lookup,
        immutable=("role", "expires_at"),
        required_on_create=("role",),
    ).run(dict(name=p["name"], role=p["role"], expires_at=p["expires_at"]))


if __name__ == "__main__":
    main()

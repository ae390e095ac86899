#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tenant
short_description: Manage Patronus tenants (platform operators)
version_added: 0.1.0
description:
  - Creates, updates and deletes a tenant, found by O(slug). Needs a platform token (C(ptrn_plat_...)) in O(token).
  - Deleting a tenant deletes everything it owns.
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
  slug:
    description:
      - Lowercase letters, digits and dashes; unique across the platform and used at login.
    type: str
    required: true
  name:
    description:
      - Name of the tenant. Required to create it.
    type: str
  quotas:
    description:
      - Limits on what the tenant may create. Members left out keep their value (or the server's default).
    type: dict
    suboptions:
      max_users:
        description: Most users the tenant may have.
        type: int
      max_api_tokens:
        description: Most API tokens the tenant may have.
        type: int
      max_sites:
        description: Most sites the tenant may have.
        type: int
  state:
    description:
      - Whether the tenant should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: A tenant with room for 50 sites
  patronus.sdwan.tenant:
    token: "{{ platform_token }}"
    slug: acme
    name: Acme
    quotas:
      max_sites: 50
"""

RETURN = r"""
tenant:
  description: The tenant after the change (predicted in check mode); null after deletion.
  returned: always
  type: dict
  sample:
    id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a00
    name: Acme
    slug: acme
    quotas: {max_users: 100, max_api_tokens: 50, max_sites: 50}
    etag: '"2"'
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    Resource,
    argument_spec,
    client_from_module,
)
from ansible_collections.patronus.sdwan.plugins.module_utils.diff import without_none


class Tenant(Resource):
    """A new tenant takes whole quotas or none, so quotas given in part are set right after creation."""

    quotas = None

    def created(self, created):
        if self.quotas:
            created = self.client.update(self.item_path(created), {"quotas": self.quotas}, etag=created.get("etag"))
        return {"tenant": created}


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            slug=dict(type="str", required=True),
            name=dict(type="str"),
            quotas=dict(type="dict", options=dict(
                max_users=dict(type="int"),
                max_api_tokens=dict(type="int", no_log=False),
                max_sites=dict(type="int"),
            )),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = client_from_module(module)
    quotas = without_none(p["quotas"]) if p["quotas"] is not None else None
    desired = dict(slug=p["slug"], name=p["name"], quotas=quotas or None)
    tenant = Tenant(
        module, client, "/v1/tenants", "tenant",
        key={"slug": p["slug"]},
        partial=("quotas",),
        required_on_create=("name",),
    )
    tenant.quotas = quotas
    create_body = dict((k, v) for k, v in desired.items() if v is not None and k != "quotas")
    tenant.run(desired, create_body=create_body)


if __name__ == "__main__":
    main()

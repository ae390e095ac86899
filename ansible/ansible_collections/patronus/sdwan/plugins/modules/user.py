#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: user
short_description: Manage users of a Patronus tenant
version_added: 0.1.0
description:
  - Creates, updates and deletes a user of the tenant, found by O(email). Needs an admin token.
  - The API never returns a password, so whether it differs cannot be known; O(update_password) says when to set it.
  - A tenant always keeps one admin user; the server refuses to delete or demote the last one.
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
  email:
    description:
      - The user's email address, unique in the tenant; it is the login name.
    type: str
    required: true
  display_name:
    description:
      - Name shown to people. Required to create the user.
    type: str
  role:
    description:
      - V(viewer) reads; V(operator) also writes network configuration; V(admin) also manages users and tokens.
      - Required to create the user.
    type: str
    choices: [viewer, operator, admin]
  password:
    description:
      - Password (at least 12 characters). Without one a new user cannot log in until a password is set.
    type: str
  update_password:
    description:
      - V(on_create) sets O(password) only when the user is created; V(always) sets it on every run, which then
        always reports a change.
    type: str
    choices: [always, on_create]
    default: on_create
  state:
    description:
      - Whether the user should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: An operator
  patronus.sdwan.user:
    email: ann@acme.example
    display_name: Ann
    role: operator
    password: "{{ vault_ann_password }}"

- name: Remove a user
  patronus.sdwan.user:
    email: bob@acme.example
    state: absent
"""

RETURN = r"""
user:
  description: The user after the change (predicted in check mode); null after deletion. Never the password.
  returned: always
  type: dict
  sample:
    id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a0d
    email: ann@acme.example
    display_name: Ann
    role: operator
    has_password: true
    etag: '"1"'
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.client import path_id
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    Resource,
    argument_spec,
    client_from_module,
)


class User(Resource):
    def update(self, current, changes):
        password = changes.pop("password", None)
        updated = current
        if changes:
            updated = self.client.update(self.item_path(current), changes, etag=current.get("etag"))
        if password is not None:
            self.client.request("PUT", "/v1/users/%s/password" % path_id(current["id"]), body={"password": password})
            updated = self.client.get(self.item_path(current))
        return updated


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            email=dict(type="str", required=True),
            display_name=dict(type="str"),
            role=dict(type="str", choices=["viewer", "operator", "admin"]),
            password=dict(type="str", no_log=True),
            update_password=dict(type="str", default="on_create", choices=["always", "on_create"], no_log=False),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = client_from_module(module)
    desired = dict(email=p["email"], display_name=p["display_name"], role=p["role"])
    create_body = dict((k, v) for k, v in desired.items() if v is not None)
    if p["password"] is not None:
        create_body["password"] = p["password"]
        if p["update_password"] == "always":
            # Never equal to what the server returns (it returns none), so it is always a change.
            desired["password"] = p["password"]
    User(
        module, client, "/v1/users", "user",
        key={"email": p["email"]},
        secret_fields=("password",),
        required_on_create=("display_name", "role"),
    ).run(desired, create_body=create_body)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: identity_provider
short_description: Manage the single sign-on (OIDC) identity provider of a Patronus tenant
version_added: 0.1.0
description:
  - Sets the tenant's identity provider. A tenant has at most one; managing it needs an admin token.
  - Options left out keep their current value.
  - Register C(<server URL>/v1/auth/oidc/callback) as the redirect URI at the provider; people sign in at the
    returned C(login_url).
  - The API never returns the client secret, so whether it differs cannot be known; O(update_client_secret) says
    when to send it.
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
  issuer_url:
    description:
      - The OIDC issuer; C(https://), or C(http://) on a loopback address. Required to create the provider.
    type: str
  client_id:
    description:
      - The client id registered at the provider. Required to create the provider.
    type: str
  client_secret:
    description:
      - The client secret. Required to create the provider.
    type: str
  update_client_secret:
    description:
      - V(on_create) sends O(client_secret) only when the provider is created; V(always) on every run, which then
        always reports a change.
    type: str
    choices: [always, on_create]
    default: on_create
  allowed_email_domains:
    description:
      - Only emails in these domains may sign in; any domain when empty. Order does not matter.
    type: list
    elements: str
  role_claim:
    description:
      - The ID-token claim that names the user's groups (the server's default is V(groups)).
    type: str
  role_mapping:
    description:
      - Group to role. A member of several groups gets the highest role. Order does not matter.
    type: list
    elements: dict
    suboptions:
      group:
        description: A value of the role claim.
        type: str
        required: true
      role:
        description: The role its members get.
        type: str
        required: true
        choices: [admin, operator, viewer]
  default_role:
    description:
      - The role of people in none of the mapped groups; V(none) refuses them.
    type: str
    choices: [admin, operator, viewer, none]
  password_login_admins_only:
    description:
      - Only admins sign in with a password. The server accepts V(true) only once an SSO login has succeeded with
        this issuer and client.
    type: bool
  state:
    description:
      - V(present) applies the options given; V(absent) removes the provider (SSO ends).
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Single sign-on through the company's Keycloak
  patronus.sdwan.identity_provider:
    issuer_url: https://login.example.com/realms/acme
    client_id: patronus
    client_secret: "{{ vault_oidc_client_secret }}"
    allowed_email_domains: [example.com]
    role_mapping:
      - {group: net-admins, role: admin}
      - {group: net-ops, role: operator}
    default_role: viewer

- name: No more SSO
  patronus.sdwan.identity_provider:
    state: absent
"""

RETURN = r"""
identity_provider:
  description: The provider after the change (predicted in check mode); null when there is none. Never the secret.
  returned: always
  type: dict
  sample:
    issuer_url: https://login.example.com/realms/acme
    client_id: patronus
    client_secret_set: true
    allowed_email_domains: [example.com]
    role_claim: groups
    role_mapping: [{group: net-admins, role: admin}]
    default_role: viewer
    password_login_admins_only: false
    verified_at: null
    login_url: https://patronus.example.com/v1/auth/oidc/login?tenant=acme
    etag: '"3"'
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.client import PatronusError
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    STALE_RETRIES,
    argument_spec,
    client_from_module,
    fail,
)
from ansible_collections.patronus.sdwan.plugins.module_utils.diff import changed_fields, make_diff

PATH = "/v1/identity-provider"
FIELDS = (
    "issuer_url",
    "client_id",
    "allowed_email_domains",
    "role_claim",
    "role_mapping",
    "default_role",
    "password_login_admins_only",
)
UNORDERED = ("allowed_email_domains", "role_mapping")


def desired_of(p):
    desired = dict((f, p[f]) for f in FIELDS)
    if desired["allowed_email_domains"] is not None:
        desired["allowed_email_domains"] = sorted(d.strip().lower() for d in desired["allowed_email_domains"])
    if desired["role_mapping"] is not None:
        desired["role_mapping"] = sorted(
            (dict(group=m["group"], role=m["role"]) for m in desired["role_mapping"]), key=lambda m: m["group"]
        )
    return desired


def changes_of(desired, current):
    changes = changed_fields(dict((k, v) for k, v in desired.items() if k != "default_role"), current, unordered=UNORDERED)
    want_default = desired["default_role"]
    if want_default is not None:
        want_default = None if want_default == "none" else want_default
        if want_default != current.get("default_role"):
            changes["default_role"] = want_default
    return changes


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            issuer_url=dict(type="str"),
            client_id=dict(type="str"),
            client_secret=dict(type="str", no_log=True),
            update_client_secret=dict(type="str", default="on_create", choices=["always", "on_create"], no_log=False),
            allowed_email_domains=dict(type="list", elements="str"),
            role_claim=dict(type="str"),
            role_mapping=dict(
                type="list",
                elements="dict",
                options=dict(
                    group=dict(type="str", required=True),
                    role=dict(type="str", required=True, choices=["admin", "operator", "viewer"]),
                ),
            ),
            default_role=dict(type="str", choices=["admin", "operator", "viewer", "none"]),
            password_login_admins_only=dict(type="bool"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = client_from_module(module)
    desired = desired_of(p)
    try:
        for _attempt in range(STALE_RETRIES):
            current = client.get_or_none(PATH)
            if p["state"] == "absent":
                if current is None:
                    module.exit_json(changed=False, identity_provider=None)
                diff = make_diff(current, {}, FIELDS)
                if not module.check_mode and not client.delete(PATH, etag=current.get("etag")):
                    module.exit_json(changed=False, identity_provider=None)
                module.exit_json(changed=True, diff=diff, identity_provider=None)
            if current is None:
                missing = [f for f in ("issuer_url", "client_id", "client_secret") if p[f] is None]
                if missing:
                    module.fail_json(msg="creating the identity provider needs %s" % ", ".join(missing))
                body = dict((k, v) for k, v in desired.items() if v is not None)
                if body.get("default_role") == "none":
                    del body["default_role"]
                body["client_secret"] = p["client_secret"]
                diff = make_diff({}, body, body.keys(), secret_fields=("client_secret",))
                if module.check_mode:
                    module.exit_json(changed=True, diff=diff, identity_provider=dict(body, client_secret=None))
                created = client.put(PATH, body)
                module.exit_json(changed=True, diff=diff, identity_provider=created)
            changes = changes_of(desired, current)
            if p["client_secret"] is not None and p["update_client_secret"] == "always":
                changes["client_secret"] = p["client_secret"]
            if not changes:
                module.exit_json(changed=False, identity_provider=current)
            body = dict((f, current.get(f)) for f in FIELDS)
            body.update(changes)
            if body.get("default_role") is None:
                body.pop("default_role", None)
            diff = make_diff(current, changes, changes.keys(), secret_fields=("client_secret",))
            if module.check_mode:
                predicted = dict(current)
                predicted.update(dict((k, v) for k, v in changes.items() if k != "client_secret"))
                module.exit_json(changed=True, diff=diff, identity_provider=predicted)
            try:
                updated = client.put(PATH, body, etag=current.get("etag"))
            except PatronusError as e:
                if e.status == 412:
                    continue
                raise
            module.exit_json(changed=True, diff=diff, identity_provider=updated)
        module.fail_json(msg="the identity provider changed on the server during every one of %d attempts" % STALE_RETRIES)
    except PatronusError as e:
        fail(module, e)


if __name__ == "__main__":
    main()

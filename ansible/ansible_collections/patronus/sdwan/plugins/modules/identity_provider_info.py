#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: identity_provider_info
short_description: Read the single sign-on (OIDC) identity provider of a Patronus tenant
version_added: 0.1.0
description:
  - Returns the tenant's identity provider, or null when it has none. Needs an admin token.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options: {}
"""

EXAMPLES = r"""
- name: Read the identity provider
  patronus.sdwan.identity_provider_info:
  register: idp

- name: Show where people sign in
  ansible.builtin.debug:
    msg: "{{ idp.identity_provider.login_url }}"
  when: idp.identity_provider is not none
"""

RETURN = r"""
identity_provider:
  description: The identity provider, or null. Never the client secret.
  returned: always
  type: dict
  contains:
    issuer_url:
      description: The OIDC issuer.
      type: str
      returned: success
    client_id:
      description: The client id.
      type: str
      returned: success
    client_secret_set:
      description: Whether a client secret is stored.
      type: bool
      returned: success
    role_mapping:
      description: Group to role.
      type: list
      elements: dict
      returned: success
    verified_at:
      description: When the first SSO login with this issuer and client succeeded.
      type: str
      returned: success
    login_url:
      description: Where a browser starts the tenant's SSO login.
      type: str
      returned: success
  sample:
    issuer_url: https://login.example.com/realms/acme
    client_id: patronus
    client_secret_set: true
    role_mapping: [{group: net-admins, role: admin}]
    verified_at: null
    login_url: https://patronus.example.com/v1/auth/oidc/login?tenant=acme
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import argument_spec, read_info


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    read_info(module, "identity_provider", lambda client: client.get_or_none("/v1/identity-provider"))


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: site_bgp_info
short_description: Read the BGP settings of a Patronus site
version_added: 0.1.0
description:
  - Returns a site's BGP settings, or none when it has none (or there is no such site).
  - Neighbour passwords are never returned, only whether one is set.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options:
  site:
    description: The site, by name or id.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Read a site's BGP settings
  patronus.sdwan.site_bgp_info:
    site: paris
  register: bgp

- name: Show its ASN
  ansible.builtin.debug:
    msg: "{{ bgp.site_bgp.local_asn }}"
"""

RETURN = r"""
site_bgp:
  description: The settings (see M(patronus.sdwan.site_bgp)), or none.
  returned: always
  type: dict
  sample:
    local_asn: 4200000001
    router_id: 100.64.0.1
    neighbors:
      - {address: 10.1.0.2, remote_asn: 65010, description: "", password_set: true, keepalive: 60,
         hold_time: 180, bfd: false}
    networks: [10.1.0.0/16]
    overlay_import: false
    max_learned_prefixes: 1000
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.client import path_id
from ansible_collections.patronus.sdwan.plugins.module_utils.common import argument_spec, read_info, resolve_site


def main():
    module = AnsibleModule(argument_spec=argument_spec(site=dict(type="str", required=True)), supports_check_mode=True)

    def read(client):
        site = resolve_site(module, client, module.params["site"], required=False)
        if site is None:
            return None
        return client.get_or_none("/v1/sites/%s/bgp" % path_id(site["id"]))

    read_info(module, "site_bgp", read)


if __name__ == "__main__":
    main()

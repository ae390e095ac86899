#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: site_bgp_routes_info
short_description: Read the routes a Patronus site learned over BGP
version_added: 0.1.0
description:
  - Returns the routes a site's agent learned from its BGP neighbours (after their import route maps), as it last
    reported them, each with the server's decision.
  - V(accepted) routes are in the overlay, the other sites route them to this site; V(refused) ones overlap the
    overlay prefix, another site's LAN prefix or advertised network, or a prefix another site learned first
    (RV(routes[].reason) says which, RV(routes[].conflicting_site_id) names the site); V(not_imported) ones are known
    but unused because the site's O(patronus.sdwan.site_bgp#module:overlay_import) is off.
  - A site without BGP settings, or whose agent reported nothing, has no routes.
author: Patronus contributors (@patronus-sdwan)
extends_documentation_fragment:
  - patronus.sdwan.connection
  - patronus.sdwan.attributes.info_module
options:
  site:
    description:
      - The site, by name or id. The task fails when there is no such site.
    type: str
    required: true
  state:
    description:
      - Only routes in this state.
    type: str
    choices: [accepted, refused, not_imported]
  neighbor:
    description:
      - Only routes learned from the neighbour with this address.
    type: str
  prefix:
    description:
      - Only routes for exactly this prefix (canonical, V(192.168.10.0/24)).
    type: str
"""

EXAMPLES = r"""
- name: What paris learned but the overlay does not carry
  patronus.sdwan.site_bgp_routes_info:
    site: paris
    state: refused
  register: refused

- name: Fail when a learned route is refused
  ansible.builtin.assert:
    that: refused.routes | length == 0
    fail_msg: "{{ refused.routes | map(attribute='prefix') | zip(refused.routes | map(attribute='reason')) | list }}"
"""

RETURN = r"""
site_id:
  description: The site's id.
  returned: always
  type: str
routes:
  description: The routes, in the order the agent first reported them.
  returned: always
  type: list
  elements: dict
  contains:
    prefix:
      description: The prefix.
      type: str
    neighbor:
      description: Address of the neighbour it was learned from.
      type: str
    as_path:
      description: AS path as FRR prints it; empty for the neighbour's own routes.
      type: str
    communities:
      description: Communities the route carries.
      type: list
      elements: str
    local_preference:
      description: Local preference, when the route has one.
      type: int
    med:
      description: MED, when the route has one.
      type: int
    state:
      description: V(accepted), V(refused) or V(not_imported).
      type: str
    reason:
      description: Why a refused route is refused; absent otherwise.
      type: str
    conflicting_site_id:
      description: The site a refused route collides with; absent otherwise, or for a collision with the overlay.
      type: str
    learned_at:
      description: When the site first had the prefix, from this neighbour or another it still had then.
      type: str
  sample:
    - {prefix: 192.168.10.0/24, neighbor: 10.1.0.2, as_path: "65010", communities: [], state: accepted,
       learned_at: "2026-12-06T23:40:00Z"}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.client import PatronusError, path_id
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    argument_spec,
    client_from_module,
    fail,
    resolve_site,
)


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            site=dict(type="str", required=True),
            state=dict(type="str", choices=["accepted", "refused", "not_imported"]),
            neighbor=dict(type="str"),
            prefix=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = client_from_module(module)
    try:
        site = resolve_site(module, client, p["site"])
        query = dict((k, p[k]) for k in ("state", "neighbor", "prefix") if p[k] is not None)
        routes = client.list("/v1/sites/%s/bgp/routes" % path_id(site["id"]), query)
    except PatronusError as e:
        fail(module, e)
    module.exit_json(changed=False, site_id=site["id"], routes=routes)


if __name__ == "__main__":
    main()

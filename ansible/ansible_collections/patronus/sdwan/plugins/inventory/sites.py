# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: sites
short_description: Patronus sites as Ansible hosts
version_added: 0.1.0
author: Patronus contributors (@patronus-sdwan)
description:
  - Reads the sites of a Patronus tenant and adds each as a host named after the site.
  - Groups every site into C(<group_prefix>role_<role>) and, for each label, C(<group_prefix>label_<key>_<value>)
    (characters other than letters, digits and underscores become underscores), all under C(<group_prefix>sites).
  - Host variables C(patronus_site) (the site as the API returns it), C(patronus_site_id),
    C(patronus_overlay_address), C(patronus_links) (its WAN links) and, on request, C(patronus_status).
  - The source file's name must end in C(patronus.yml) or C(patronus.yaml).
extends_documentation_fragment:
  - constructed
options:
  plugin:
    description: The name of this plugin; makes sure the file is meant for it.
    type: str
    required: true
    choices: [patronus.sdwan.sites]
  url:
    description: Base URL of the Patronus API.
    type: str
    env:
      - name: PATRONUS_URL
  token:
    description: A tenant API token (viewer is enough).
    type: str
    env:
      - name: PATRONUS_TOKEN
  validate_certs:
    description: Whether to verify the server's TLS certificate.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for each HTTP answer.
    type: int
    default: 30
  filters:
    description: Only the sites that match every filter given.
    type: dict
    default: {}
    suboptions:
      names:
        description: Only sites with one of these names.
        type: list
        elements: str
      role:
        description: Only sites of this role.
        type: str
        choices: [edge, hub]
      labels:
        description: Only sites that carry all of these labels.
        type: dict
  include_links:
    description:
      - Set C(patronus_links) to the site's WAN links, sorted by name. They come with the site (also in
        C(patronus_site.links)), so this costs no request.
    type: bool
    default: true
  include_status:
    description: Fetch each site's health and agent into C(patronus_status) (one request per site).
    type: bool
    default: false
  group_prefix:
    description: Prefix of the names of the groups this plugin makes.
    type: str
    default: ""
"""

EXAMPLES = r"""
# inventory/prod.patronus.yml
plugin: patronus.sdwan.sites
url: https://patronus.example.net
# token from PATRONUS_TOKEN
filters:
  labels:
    env: prod
include_status: true
compose:
  ansible_host: patronus_site.labels.mgmt_address | default(omit)
keyed_groups:
  - key: patronus_site.labels.region | default('none')
    prefix: region
"""

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable
from ansible_collections.patronus.sdwan.plugins.module_utils.client import (
    PatronusClient,
    PatronusError,
    path_id,
)
from ansible_collections.patronus.sdwan.plugins.module_utils.site_query import (
    group_name,
    list_sites,
    site_groups,
)


class InventoryModule(BaseInventoryPlugin, Constructable):
    NAME = "patronus.sdwan.sites"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(("patronus.yml", "patronus.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        try:
            client = PatronusClient(self.get_option("url"), self.get_option("token"),
                                    validate_certs=self.get_option("validate_certs"),
                                    timeout=self.get_option("timeout"))
            filters = self.get_option("filters") or {}
            sites = list_sites(client, names=filters.get("names"), role=filters.get("role"),
                               labels=filters.get("labels"))
            for site in sites:
                status = None
                if self.get_option("include_status"):
                    status = client.get("/v1/sites/%s/status" % path_id(site["id"]))
                self._add_site(site, site.get("links") or [], status)
        except PatronusError as e:
            raise AnsibleError("patronus.sdwan.sites: %s" % e)

    def _add_site(self, site, links, status):
        prefix = self.get_option("group_prefix")
        strict = self.get_option("strict")
        all_sites = self.inventory.add_group(group_name(prefix + "sites"))
        host = self.inventory.add_host(site["name"], group=all_sites)
        for group in site_groups(site, prefix):
            self.inventory.add_group(group)
            self.inventory.add_host(host, group=group)
        hostvars = {
            "patronus_site": site,
            "patronus_site_id": site["id"],
            "patronus_overlay_address": site.get("overlay_address"),
        }
        if self.get_option("include_links"):
            hostvars["patronus_links"] = links
        if status is not None:
            hostvars["patronus_status"] = status
        for key, value in hostvars.items():
            self.inventory.set_variable(host, key, value)
        self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host, strict=strict)

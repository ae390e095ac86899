#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: enrollment_token
short_description: Manage enrollment tokens of Patronus sites
version_added: 0.1.0
description:
  - Creates and revokes the one-time tokens with which an agent enrolls for a site.
  - A token is found by its site and O(description). While a usable one (uses left, not expired) exists, the
    module changes nothing; the secret is shown only when a token is created, so use O(regenerate=true) to get
    a fresh one.
  - O(ttl_seconds) and O(uses) apply only when a token is created.
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
  site:
    description:
      - The site the token enrolls an agent for, by name or id.
    type: str
    required: true
  description:
    description:
      - Note for people, for example which machine the token is for. Identifies the token within the site.
    type: str
    required: true
  ttl_seconds:
    description:
      - Seconds until the token expires (60 to 30 days); the server's default is 24 hours.
    type: int
  uses:
    description:
      - How many enrollments the token allows (1 to 1000); the server's default is 1.
    type: int
  regenerate:
    description:
      - Revoke the usable tokens with this description and create a new one, whose secret is returned.
    type: bool
    default: false
  state:
    description:
      - V(present) makes sure a usable token exists; V(absent) revokes every token of the site with this
        description, used or not.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The secret is in RV(token) of the run that created it. Register the result with C(no_log=true) on the task,
    or hand it straight to the machine that enrolls.
"""

EXAMPLES = r"""
- name: A token for the machine that will run Berlin's agent
  patronus.sdwan.enrollment_token:
    site: berlin
    description: berlin-gw1
    ttl_seconds: 3600
    regenerate: true
  register: enrollment
  no_log: true

- name: Revoke it
  patronus.sdwan.enrollment_token:
    site: berlin
    description: berlin-gw1
    state: absent
"""

RETURN = r"""
enrollment_token:
  description: The usable token (without its secret); null after revocation or when the site does not exist.
  returned: always
  type: dict
  sample:
    id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a0c
    site_id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a01
    description: berlin-gw1
    prefix: ptrn_enr_AbC
    uses_total: 1
    uses_remaining: 1
    expires_at: "2026-01-02T00:00:00Z"
    created_at: "2026-01-01T00:00:00Z"
token:
  description: The secret (C(ptrn_enr_...)), shown once.
  returned: when a token was created (not in check mode)
  type: str
  sample: ptrn_enr_0123456789abcdef
revoked:
  description: Ids of the tokens revoked (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a0c]
"""

import datetime

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.client import PatronusError, path_id
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    argument_spec,
    client_from_module,
    fail,
    owning_site,
)
from ansible_collections.patronus.sdwan.plugins.module_utils.diff import make_diff

SHOWN = ("description", "uses_total", "uses_remaining", "expires_at")


def usable(token, now):
    if token.get("uses_remaining", 0) <= 0:
        return False
    expires = token.get("expires_at") or ""
    try:
        when = datetime.datetime.strptime(expires[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return True
    return when > now


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            site=dict(type="str", required=True),
            description=dict(type="str", required=True),
            ttl_seconds=dict(type="int"),
            uses=dict(type="int"),
            regenerate=dict(type="bool", default=False),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = client_from_module(module)
    present = p["state"] == "present"
    result = dict(changed=False, enrollment_token=None, revoked=[])
    site = owning_site(module, client, p["site"], "enrollment_token",
                       when_absent=dict(enrollment_token=None, revoked=[]))
    try:
        base = "/v1/sites/%s/enrollment-tokens" % path_id(site["id"])
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        mine = [t for t in client.list(base) if t.get("description") == p["description"]]
        live = [t for t in mine if usable(t, now)]

        if not present:
            doomed = mine
        elif p["regenerate"]:
            doomed = live
        else:
            doomed = []
            if live:
                result["enrollment_token"] = live[0]
                module.exit_json(**result)

        result["revoked"] = [t["id"] for t in doomed]
        before = dict((k, doomed[0].get(k)) for k in SHOWN) if doomed else {}
        after = {}
        if present:
            after = dict(description=p["description"], uses_total=p["uses"] or 1)
            if p["ttl_seconds"] is not None:
                after["ttl_seconds"] = p["ttl_seconds"]
        if not doomed and not present:
            module.exit_json(**result)
        result["changed"] = True
        result["diff"] = make_diff(before, after, set(before) | set(after))
        if module.check_mode:
            if present:
                result["enrollment_token"] = after
            module.exit_json(**result)
        for t in doomed:
            client.delete("%s/%s" % (base, path_id(t["id"])))
        if present:
            body = dict(description=p["description"])
            if p["ttl_seconds"] is not None:
                body["ttl_seconds"] = p["ttl_seconds"]
            if p["uses"] is not None:
                body["uses"] = p["uses"]
            created = client.create(base, body)
            result["token"] = created.pop("token", None)
            result["enrollment_token"] = created
    except PatronusError as e:
        fail(module, e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

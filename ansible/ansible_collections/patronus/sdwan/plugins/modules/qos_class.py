#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: qos_class
short_description: Manage Patronus QoS classes
version_added: 0.1.0
description:
  - Creates, updates and deletes a QoS class of the tenant, found by O(name).
  - The guaranteed shares of all classes add up to at most 100 percent; a class that a policy uses cannot be
    deleted (the server answers which policy uses it).
  - The agent marks the outer (tunnel) datagrams of the class's traffic with the class's DSCP, so that the
    underlay can honour it, and shapes what each WAN link sends by class (tc HTB at 95 percent of the link's
    C(bandwidth_up_mbps)); the class is guaranteed O(guaranteed_percent) of that rate, may use up to
    O(max_percent) of it when other classes leave room, and classes with a lower O(priority) number borrow first.
  - A guarantee below 64 kbit/s on some link cannot be honoured there; that link's agent reports the error in
    its status and keeps the shaping it had.
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
      - Name of the class, unique in the tenant.
    type: str
    required: true
  priority:
    description:
      - 1 (served first) to 8. Required to create the class.
    type: int
  dscp:
    description:
      - DSCP value (0 to 63) that marks this class's packets. Required to create the class.
    type: int
  guaranteed_percent:
    description:
      - Share of a link's bandwidth this class is guaranteed, in percent. Required to create the class.
    type: int
  max_percent:
    description:
      - Share of a link's bandwidth this class may use at most, in percent (the server's default is 100).
    type: int
  state:
    description:
      - Whether the class should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Voice first
  patronus.sdwan.qos_class:
    name: voice
    priority: 1
    dscp: 46
    guaranteed_percent: 20
    max_percent: 40
"""

RETURN = r"""
qos_class:
  description: The class after the change (predicted in check mode); null after deletion.
  returned: always
  type: dict
  sample:
    id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a0a
    name: voice
    priority: 1
    dscp: 46
    guaranteed_percent: 20
    max_percent: 40
    etag: '"1"'
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    Resource,
    argument_spec,
    client_from_module,
)

FIELDS = ("name", "priority", "dscp", "guaranteed_percent", "max_percent")


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            name=dict(type="str", required=True),
            priority=dict(type="int"),
            dscp=dict(type="int"),
            guaranteed_percent=dict(type="int"),
            max_percent=dict(type="int"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = client_from_module(module)
    Resource(
        module, client, "/v1/qos-classes", "qos_class",
        key={"name": p["name"]},
        required_on_create=("priority", "dscp", "guaranteed_percent"),
    ).run(dict((f, p[f]) for f in FIELDS))


if __name__ == "__main__":
    main()

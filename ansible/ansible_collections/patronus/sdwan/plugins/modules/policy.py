#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: policy
short_description: Manage Patronus routing policies
version_added: 0.1.0
description:
  - Creates, updates and deletes a routing policy of the tenant, found by O(name).
  - O(match) and O(action) are each a whole specification, the way the API takes them. A member left out takes
    the server's default (no criterion, V(any) protocol, a 10 second hold-down).
  - The order of prefixes and ports does not matter; the order of O(action.link_preference) does.
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
      - Name of the policy, unique in the tenant.
    type: str
    required: true
  priority:
    description:
      - Evaluation order, unique in the tenant; lower first. Required to create the policy.
    type: int
  match:
    description:
      - Which traffic the policy applies to. Every criterion given must match; absent ones match all.
    type: dict
    suboptions:
      protocol:
        description:
          - IP protocol.
        type: str
        choices: [any, tcp, udp, icmp]
      source_prefixes:
        description:
          - Source prefixes.
        type: list
        elements: str
      destination_prefixes:
        description:
          - Destination prefixes.
        type: list
        elements: str
      destination_ports:
        description:
          - Ports (V(443)) or inclusive ranges (V(8000-8999)); only with V(tcp) or V(udp).
        type: list
        elements: str
      dscp:
        description:
          - DSCP value of the packets.
        type: int
      application:
        description:
          - A built-in application (for example V(teams), V(zoom), V(ssh)), a category of applications (for
            example V(video), V(backup)), or one of the tenant's own applications (M(patronus.sdwan.application),
            which cannot be renamed or deleted while a policy names it); the server refuses any other name. The policy takes the flows the agent
            recognises as that application; a flow not yet recognised takes the policy it would without this
            one, and moves once when it is.
        type: str
  action:
    description:
      - What to do with matching traffic. Required to create the policy.
    type: dict
    suboptions:
      path_selection:
        description:
          - How a path is chosen among those meeting the SLA. V(duplicate) sends every packet twice, on
            the best path and on the best path over another local link, towards another of the peer's
            endpoints where one works (the receiver keeps the first copy).
        type: str
        required: true
        choices: [ordered, lowest_latency, lowest_loss, lowest_cost, duplicate]
      qos_class:
        description:
          - Name of the QoS class the traffic is put in.
        type: str
      link_preference:
        description:
          - Link names in order of preference (for V(ordered); a tie-breaker otherwise).
        type: list
        elements: str
      sla:
        description:
          - Thresholds a path must meet; a path that crosses one is failed away from.
        type: dict
        suboptions:
          max_latency_ms:
            description: Highest round-trip time in milliseconds.
            type: int
          max_loss_percent:
            description: Highest packet loss in percent.
            type: float
          max_jitter_ms:
            description: Highest jitter in milliseconds.
            type: int
      failover_hold_down_seconds:
        description:
          - Seconds a path must stay healthy before traffic moves back to it (the server's default is 10).
        type: int
  site_selector:
    description:
      - Sites this policy applies to, by labels (all must match); every site when empty.
    type: dict
  state:
    description:
      - Whether the policy should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Voice over the best path, in the voice class
  patronus.sdwan.policy:
    name: voice
    priority: 10
    match:
      protocol: udp
      destination_ports: ["5060", "10000-20000"]
    action:
      path_selection: lowest_latency
      qos_class: voice
      sla:
        max_latency_ms: 150
        max_loss_percent: 1.0
    site_selector:
      env: prod
"""

RETURN = r"""
policy:
  description: The policy after the change (predicted in check mode); null after deletion.
  returned: always
  type: dict
  sample:
    id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a0b
    name: voice
    priority: 10
    match: {protocol: udp, destination_ports: ["5060", "10000-20000"], source_prefixes: [], destination_prefixes: []}
    action: {path_selection: lowest_latency, qos_class: voice, link_preference: [], failover_hold_down_seconds: 10}
    site_selector: {env: prod}
    etag: '"1"'
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    Resource,
    argument_spec,
    client_from_module,
)
from ansible_collections.patronus.sdwan.plugins.module_utils.diff import without_none_deep

# What the server fills in for a member left out (sdk/rust/src/network.rs).
NESTED_DEFAULTS = {
    "match": {"protocol": "any"},
    "action": {"failover_hold_down_seconds": 10},
}

MATCH_OPTIONS = dict(
    protocol=dict(type="str", choices=["any", "tcp", "udp", "icmp"]),
    source_prefixes=dict(type="list", elements="str"),
    destination_prefixes=dict(type="list", elements="str"),
    destination_ports=dict(type="list", elements="str"),
    dscp=dict(type="int"),
    application=dict(type="str"),
)

ACTION_OPTIONS = dict(
    path_selection=dict(type="str", required=True,
                        choices=["ordered", "lowest_latency", "lowest_loss", "lowest_cost", "duplicate"]),
    qos_class=dict(type="str"),
    link_preference=dict(type="list", elements="str"),
    sla=dict(type="dict", options=dict(
        max_latency_ms=dict(type="int"),
        max_loss_percent=dict(type="float"),
        max_jitter_ms=dict(type="int"),
    )),
    failover_hold_down_seconds=dict(type="int"),
)


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            name=dict(type="str", required=True),
            priority=dict(type="int"),
            match=dict(type="dict", options=MATCH_OPTIONS),
            action=dict(type="dict", options=ACTION_OPTIONS),
            site_selector=dict(type="dict"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    client = client_from_module(module)
    selector = p["site_selector"]
    if selector is not None:
        selector = dict((str(k), str(v)) for k, v in selector.items())
    desired = dict(
        name=p["name"],
        priority=p["priority"],
        match=without_none_deep(p["match"]) if p["match"] is not None else None,
        action=without_none_deep(p["action"]) if p["action"] is not None else None,
        site_selector=selector,
    )
    create_body = dict((k, v) for k, v in desired.items() if v is not None)
    if p["state"] == "present":
        create_body.setdefault("match", {})
    Resource(
        module, client, "/v1/policies", "policy",
        key={"name": p["name"]},
        nested=NESTED_DEFAULTS,
        prefixes=("match",),
        required_on_create=("priority", "action"),
    ).run(desired, create_body=create_body)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: site_paths_info
short_description: Read the path health of a Patronus site as its agent measures it
version_added: 0.1.0
description:
  - Returns the paths of a site as its agent last reported them. A path is one local WAN link towards one endpoint of
    a peer site; for each, whether it is up, whether traffic that matches no policy uses it, and the round-trip time,
    jitter and loss the agent's probes measured.
  - Optionally returns the history of those measurements (O(history)) and the path changes (failovers) the agent
    reported (O(failover_events)).
  - Everything here is what the site's agent measured and reported; the server measures nothing. A site whose agent
    has not reported yet has no paths, no history and no failover events.
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
  peer:
    description:
      - Only the paths to this peer site (by name or id), in RV(paths), RV(history) and RV(failover_events).
    type: str
  history:
    description:
      - Return the history of the site's paths as RV(history). V({}) asks for the last hour in one-minute steps.
      - One-minute samples are kept for two days and hourly ones for 30 days. The server refuses a window or step
        it cannot answer (for example a step that is not a multiple of 60, or more than 1440 intervals); the task
        then fails with the server's explanation.
    type: dict
    suboptions:
      from:
        description:
          - Start of the window, an RFC 3339 date and time with its offset (V(2026-12-01T08:00:00Z)).
          - One hour before O(history.to) when left out.
        type: str
      to:
        description:
          - End of the window (excluded), an RFC 3339 date and time; now when left out.
        type: str
      step:
        description:
          - Length of each interval in seconds, a multiple of 60 up to 86400; 60 when left out.
          - A step that is a whole number of hours also reads the hourly samples kept for 30 days; a shorter one reads
            only the last two days.
        type: int
      link:
        description:
          - Only the paths over this local WAN link.
        type: str
  failover_events:
    description:
      - Return the path changes the site's agent reported (kept 30 days) as RV(failover_events), oldest first.
    type: bool
    default: false
  limit:
    description:
      - At most this many failover events, the oldest first among those that match (RV(failover_events_truncated)
        tells when there are more). Use O(since) to read recent ones.
    type: int
    default: 100
  since:
    description:
      - Only failover events at or after this RFC 3339 date and time.
    type: str
  policy:
    description:
      - Only failover events of this policy's traffic.
    type: str
notes:
  - RTT is the agent's smoothed round-trip time of its probes, jitter the variation of their round-trip times
    (RFC 3550 style), loss the share of probes lost over the last ten seconds. A measurement the agent does not have
    (no probe answered yet) is V(null).
  - The values are those of the agent's latest report (RV(reported_at)); an agent that stopped reporting leaves
    them as they were. P(patronus.sdwan.site_info#module) with O(patronus.sdwan.site_info#module:include_status=true)
    tells whether the site is online.
"""

EXAMPLES = r"""
- name: Berlin's paths now
  patronus.sdwan.site_paths_info:
    site: berlin
  register: berlin

- name: Fail when a path of berlin is down
  ansible.builtin.assert:
    that: berlin.paths | rejectattr('up') | list | length == 0
    fail_msg: "down: {{ berlin.paths | rejectattr('up') | map(attribute='link') | list }}"

- name: The last six hours of berlin's paths to paris over lte, in 10-minute steps
  patronus.sdwan.site_paths_info:
    site: berlin
    peer: paris
    history:
      from: "{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(now().timestamp() | int - 6 * 3600, utc=true) }}"
      step: 600
      link: lte
  register: lte_history

- name: The voice policy's failovers of the last day
  patronus.sdwan.site_paths_info:
    site: berlin
    failover_events: true
    policy: voice
    since: "{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(now().timestamp() | int - 86400, utc=true) }}"
    limit: 500
  register: voice
"""

RETURN = r"""
site_id:
  description: The site's id.
  returned: always
  type: str
  sample: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a01
reported_at:
  description: When the server received the report the paths come from (RFC 3339); V(null) before the first report.
  returned: always
  type: str
  sample: "2026-12-01T10:15:02.123456Z"
paths:
  description: The site's paths as its agent last reported them, by peer, then link, then endpoint.
  returned: always
  type: list
  elements: dict
  contains:
    peer_site_id:
      description: Id of the peer site the path leads to.
      type: str
      returned: always
    peer_site_name:
      description: Name of that peer site; V(null) when it no longer exists.
      type: str
      returned: always
    link:
      description: The local WAN link the path leaves by.
      type: str
      returned: always
    endpoint:
      description: The peer's C(host:port) the path reaches.
      type: str
      returned: always
    up:
      description: Whether the path proved a round trip recently (the agent's probes on it are answered).
      type: bool
      returned: always
    active:
      description: Whether traffic that matches no policy uses this path now.
      type: bool
      returned: always
    rtt_ms:
      description: Smoothed round-trip time in milliseconds, or V(null).
      type: float
      returned: always
    jitter_ms:
      description: Jitter in milliseconds, or V(null).
      type: float
      returned: always
    loss_percent:
      description: Probes lost over the last ten seconds, in percent, or V(null).
      type: float
      returned: always
  sample:
    - peer_site_id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a02
      peer_site_name: paris
      link: fiber
      endpoint: 192.0.2.2:51820
      up: true
      active: true
      rtt_ms: 12.5
      jitter_ms: 1.2
      loss_percent: 0.0
    - peer_site_id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a02
      peer_site_name: paris
      link: lte
      endpoint: 198.51.100.2:51820
      up: false
      active: false
      rtt_ms: null
      jitter_ms: null
      loss_percent: null
history:
  description: The path history the server answered for O(history).
  returned: when O(history) is given
  type: dict
  contains:
    site_id:
      description: The site's id.
      type: str
      returned: always
    from:
      description: Start of the window (RFC 3339).
      type: str
      returned: always
    to:
      description: End of the window, excluded (RFC 3339).
      type: str
      returned: always
    step_seconds:
      description: Length of each interval.
      type: int
      returned: always
    series:
      description:
        - One entry per path (peer site and link) with C(peer_site_id), C(peer_site_name), C(link) and C(points).
        - Each point is an interval that has samples, oldest first, with C(at) (its start), the means C(rtt_ms),
          C(jitter_ms), C(loss_percent) (V(null) when no sample had a value), C(up_ratio) (share of the samples in
          which the path was up, 0 to 1) and C(samples) (one a minute while the agent reports).
      type: list
      elements: dict
      returned: always
  sample:
    site_id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a01
    from: "2026-12-01T09:00:00Z"
    to: "2026-12-01T10:00:00Z"
    step_seconds: 600
    series:
      - peer_site_id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a02
        peer_site_name: paris
        link: lte
        points:
          - {at: "2026-12-01T09:00:00Z", rtt_ms: 48.2, jitter_ms: 6.1, loss_percent: 0.5, up_ratio: 1.0, samples: 10}
failover_events:
  description: The path changes the agent reported, oldest first, at most O(limit).
  returned: when O(failover_events=true)
  type: list
  elements: dict
  contains:
    id:
      description: The server's id of the event.
      type: str
      returned: always
    at:
      description: When the agent saw the change (RFC 3339).
      type: str
      returned: always
    peer_site_id:
      description: The peer site whose traffic moved.
      type: str
      returned: always
    peer_site_name:
      description: Its name; V(null) when it no longer exists.
      type: str
      returned: always
    policy:
      description: The policy whose traffic moved; V(null) for traffic that matches no policy.
      type: str
      returned: always
    from_link:
      description: The local link of the path traffic left; V(null) when no path was up.
      type: str
      returned: always
    to_link:
      description: The local link of the path traffic took; V(null) when no path is up.
      type: str
      returned: always
    from_endpoint:
      description: The peer's C(host:port) of the path traffic left.
      type: str
      returned: always
    to_endpoint:
      description: The peer's C(host:port) of the path traffic took.
      type: str
      returned: always
    reason:
      description:
        - V(path_down) (the path in use went down, or the first path came up), V(sla) (the path in use stopped meeting
          the policy's SLA) or V(better) (a better path met the SLA for the policy's hold-down).
      type: str
      returned: always
  sample:
    - at: "2026-12-01T09:41:07.310Z"
      peer_site_id: 0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a02
      peer_site_name: paris
      policy: voice
      from_link: fiber
      to_link: lte
      from_endpoint: 192.0.2.2:51820
      to_endpoint: 198.51.100.2:51820
      reason: sla
failover_events_truncated:
  description: Whether more failover events match than O(limit) returned.
  returned: when O(failover_events=true)
  type: bool
  sample: false
"""

import contextlib

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.patronus.sdwan.plugins.module_utils.client import PatronusError, path_id
from ansible_collections.patronus.sdwan.plugins.module_utils.common import (
    argument_spec,
    client_from_module,
    fail,
    parse_instant,
    resolve_site,
)

PAGE_SIZE = 500
# The options behind each query parameter, for the server's field errors.
HISTORY_OPTIONS = {"/query/from": "history.from", "/query/to": "history.to", "/query/step": "history.step",
                   "/query/link": "history.link"}
EVENT_OPTIONS = {"/query/policy": "policy", "/query/since": "since", "/query/limit": "limit"}
# Up to this many peers, their names are read one by one rather than with the list of all sites.
FEW_PEERS = 10


@contextlib.contextmanager
def refused_options(module, options):
    """Fails the task on a query the server refuses (422), naming the options at fault before the
    server's own message (which names the query parameters)."""
    try:
        yield
    except PatronusError as e:
        names = sorted(set(options[f["pointer"]] for f in e.errors if f.get("pointer") in options))
        if e.status != 422 or not names:
            raise
        module.fail_json(msg="%s: %s" % (", ".join(names), e), **e.to_result())


def check_instant(module, name, value):
    """Fails the task on a date and time the server would not read, naming the option."""
    if value is not None and parse_instant(value) is None:
        module.fail_json(msg="%s: %r is not an RFC 3339 date and time with an offset, e.g. 2026-12-01T08:00:00Z"
                         % (name, value))


def failover_events(client, site_id, query, limit):
    """At most ``limit`` events matching ``query``, oldest first, and whether more match."""
    events = []
    params = dict(query)
    while True:
        params["limit"] = min(PAGE_SIZE, limit - len(events))
        page = client.get("/v1/sites/%s/failover-events" % path_id(site_id), params) or {}
        events.extend(page.get("items") or [])
        cursor = page.get("next_cursor")
        if not cursor:
            return events, False
        if len(events) >= limit:
            return events, True
        params["cursor"] = cursor


def peer_names(client, ids):
    """The names of the sites with these ids (a site deleted since has none): one read per site
    for a few, the whole list of sites for many."""
    if len(ids) <= FEW_PEERS:
        sites = [client.get_or_none("/v1/sites/%s" % path_id(i)) for i in sorted(ids)]
    else:
        sites = client.list("/v1/sites")
    return dict((s["id"], s["name"]) for s in sites if s is not None and s["id"] in ids)


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(
            site=dict(type="str", required=True),
            peer=dict(type="str"),
            history=dict(type="dict", options={
                "from": dict(type="str"),
                "to": dict(type="str"),
                "step": dict(type="int"),
                "link": dict(type="str"),
            }),
            failover_events=dict(type="bool", default=False),
            limit=dict(type="int", default=100),
            since=dict(type="str"),
            policy=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    history = p["history"]
    if history is not None:
        check_instant(module, "history.from", history["from"])
        check_instant(module, "history.to", history["to"])
    check_instant(module, "since", p["since"])
    if p["limit"] < 1:
        module.fail_json(msg="limit: must be at least 1, not %d" % p["limit"])

    client = client_from_module(module)
    result = {"changed": False}
    try:
        site = resolve_site(module, client, p["site"])
        peer_id = None
        if p["peer"]:
            peer = resolve_site(module, client, p["peer"], required=False)
            if peer is None:
                module.fail_json(msg="peer site %r not found (give its name or id)" % p["peer"])
            peer_id = peer["id"]
        site_path = "/v1/sites/%s" % path_id(site["id"])

        current = client.get(site_path + "/paths")
        paths = [x for x in current["paths"] if peer_id is None or x["peer_site_id"] == peer_id]
        result.update(site_id=site["id"], reported_at=current.get("reported_at"), paths=paths)
        named = list(paths)

        if history is not None:
            query = {"from": history["from"], "to": history["to"], "step": history["step"],
                     "link": history["link"], "peer_site_id": peer_id}
            with refused_options(module, HISTORY_OPTIONS):
                result["history"] = client.get(site_path + "/paths/history", query)
            named.extend(result["history"].get("series") or [])

        if p["failover_events"]:
            query = {"peer_site_id": peer_id, "policy": p["policy"], "since": p["since"]}
            with refused_options(module, EVENT_OPTIONS):
                events, truncated = failover_events(client, site["id"], query, p["limit"])
            result.update(failover_events=events, failover_events_truncated=truncated)
            named.extend(events)

        names = peer_names(client, set(x["peer_site_id"] for x in named))
        for x in named:
            x["peer_site_name"] = names.get(x["peer_site_id"])
    except PatronusError as e:
        fail(module, e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

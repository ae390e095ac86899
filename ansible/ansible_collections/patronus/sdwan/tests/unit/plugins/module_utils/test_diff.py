# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What counts as a change, and how the diff shows it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.patronus.sdwan.plugins.module_utils.common import same_instant
from ansible_collections.patronus.sdwan.plugins.module_utils.diff import (
    MASK,
    canonical_prefix,
    changed_fields,
    make_diff,
    without_none_deep,
)

SITE = {
    "id": "s1",
    "name": "berlin",
    "location": "Berlin",
    "labels": {"env": "prod"},
    "role": "edge",
    "lan_prefixes": ["10.2.0.0/16", "10.1.0.0/16"],
    "listen_port": 51820,
    "etag": '"1"',
}


def test_options_left_out_are_not_managed():
    assert changed_fields({"name": "berlin", "location": None, "role": None}, SITE) == {}


def test_changed_scalar():
    assert changed_fields({"name": "berlin", "location": "Paris"}, SITE) == {"location": "Paris"}


def test_unordered_lists_compare_as_sets():
    desired = {"lan_prefixes": ["10.1.0.0/16", "10.2.0.0/16"]}
    assert changed_fields(desired, SITE, unordered=("lan_prefixes",)) == {}
    assert changed_fields(desired, SITE) == desired  # in order, they differ


def test_prefixes_compare_canonically():
    current = {"lan_prefixes": ["2001:db8::/32"]}
    assert changed_fields({"lan_prefixes": ["2001:DB8:0::/32"]}, current, prefixes=("lan_prefixes",)) == {}
    assert canonical_prefix("10.1.0.1/16") == "10.1.0.1/16"  # host bits: the server's to reject
    assert canonical_prefix("eth0") == "eth0"


def test_labels_replace_the_whole_set():
    assert changed_fields({"labels": {"env": "prod", "tier": "1"}}, SITE) == {"labels": {"env": "prod", "tier": "1"}}
    assert changed_fields({"labels": {}}, SITE) == {"labels": {}}
    assert changed_fields({"labels": {"env": "prod"}}, SITE) == {}


def test_nested_objects_fill_server_defaults():
    current = {
        "match": {"protocol": "any", "source_prefixes": [], "destination_prefixes": [], "destination_ports": ["443", "80"]},
        "action": {"path_selection": "ordered", "link_preference": ["fiber", "lte"], "failover_hold_down_seconds": 10},
    }
    defaults = {"match": {"protocol": "any"}, "action": {"failover_hold_down_seconds": 10}}
    desired = {
        "match": {"destination_ports": ["80", "443"]},
        "action": {"path_selection": "ordered", "link_preference": ["fiber", "lte"]},
    }
    assert changed_fields(desired, current, nested=defaults) == {}
    # link_preference is an order
    swapped = {"action": {"path_selection": "ordered", "link_preference": ["lte", "fiber"]}}
    assert changed_fields(swapped, current, nested=defaults) == swapped
    # a member the server has but the spec leaves out (and that is not a default) is a change
    narrower = {"match": {}}
    current_with_prefix = dict(current, match=dict(current["match"], source_prefixes=["10.0.0.0/8"]))
    assert changed_fields(narrower, current_with_prefix, nested=defaults) == narrower


def test_nested_none_and_empty_are_absent():
    assert changed_fields({"action": {"sla": None, "path_selection": "ordered"}},
                          {"action": {"path_selection": "ordered", "link_preference": []}},
                          nested={"action": {}}) == {}


def test_diff_has_only_the_changed_fields():
    changes = changed_fields({"name": "berlin", "location": "Paris", "listen_port": 51820}, SITE)
    assert make_diff(SITE, changes, changes.keys()) == {
        "before": {"location": "Berlin"},
        "after": {"location": "Paris"},
    }


def test_diff_masks_secrets_on_both_sides():
    diff = make_diff({}, {"email": "a@b", "password": "hunter2hunter2"}, ["email", "password"],
                     secret_fields=("password",))
    assert diff == {"before": {}, "after": {"email": "a@b", "password": MASK}}
    assert "hunter2" not in repr(diff)


def test_diff_of_creation_and_deletion():
    assert make_diff({}, {"name": "x"}, ["name"]) == {"before": {}, "after": {"name": "x"}}
    assert make_diff({"name": "x"}, {}, ["name"]) == {"before": {"name": "x"}, "after": {}}


def test_without_none_deep():
    assert without_none_deep({"a": None, "b": {"c": None, "d": 1}, "e": [{"f": None}]}) == {"b": {"d": 1}, "e": [{}]}


def test_same_instant():
    assert same_instant("2027-01-01T00:00:00Z", "2027-01-01T00:00:00+00:00")
    assert same_instant("2027-01-01T01:00:00+01:00", "2027-01-01T00:00:00.000000Z")
    assert not same_instant("2027-01-01T00:00:00Z", "2027-01-02T00:00:00Z")
    assert not same_instant(None, "2027-01-01T00:00:00Z")

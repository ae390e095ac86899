# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deciding what would change, and showing it: pure functions, no I/O.

A module states what it wants as a dict of fields; an option the user left out is ``None`` and
means "whatever the server has". :func:`changed_fields` compares the rest with what the server
holds, :func:`make_diff` renders the before/after of exactly those fields with secrets masked.

Comparison rules, chosen so that a second run never reports a change that is not one:

- lists named in ``unordered`` compare as sets (LAN prefixes, ports), other lists in order
  (link preference is an order);
- prefixes compare in canonical form (``2001:DB8::/32`` equals ``2001:db8::/32``);
- inside nested objects (a policy's ``match`` and ``action``) a member that is absent, ``null``,
  ``[]`` or ``{}`` on either side is the same as absent, and a member the user left out takes the
  server's documented default, so ``{path_selection: ordered}`` equals what the server returns for it;
- a list of objects that is a set keyed by one member (a site's links, by name) compares through
  :class:`KeyedSet`: in any order, each item with the members a request can set only (not the
  ``id``, ``etag`` or timestamps the server adds), a member left out taking its default.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import ipaddress

MASK = "********"


def canonical_prefix(value):
    """A prefix in the canonical text form, or the value unchanged when it is not one.

    A prefix with host bits set is the server's to reject with a field error, so it stays as given.
    """
    if not isinstance(value, str) or "/" not in value:
        return value
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError:
        return value


def _is_empty(value):
    return value is None or (isinstance(value, (list, dict)) and not value)


def strip_empty(value):
    """Drops members that are None, [] or {} from dicts, recursively."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = strip_empty(v)
            if not _is_empty(v):
                out[k] = v
        return out
    if isinstance(value, list):
        return [strip_empty(v) for v in value]
    return value


def merge_defaults(value, defaults):
    """``value`` with ``defaults`` filled in where a member is absent or None, recursively."""
    if not isinstance(value, dict) or not isinstance(defaults, dict):
        return value
    out = dict(value)
    for k, d in defaults.items():
        if out.get(k) is None:
            out[k] = copy.deepcopy(d)
        elif isinstance(d, dict):
            out[k] = merge_defaults(out[k], d)
    return out


def _canon(value, unordered=False, prefixes=False):
    if isinstance(value, list):
        items = [_canon(v, prefixes=prefixes) for v in value]
        if unordered:
            items = sorted(items, key=_sort_key)
        return items
    if isinstance(value, dict):
        return dict((k, _canon(v, prefixes=prefixes)) for k, v in value.items())
    if prefixes:
        return canonical_prefix(value)
    return value


def _sort_key(value):
    return (type(value).__name__, repr(value))


def same(desired, current, unordered=False, prefixes=False, nested=False, defaults=None):
    """Whether ``current`` already is what ``desired`` asks for."""
    if nested:
        desired = strip_empty(merge_defaults(desired, defaults or {}))
        current = strip_empty(merge_defaults(current, defaults or {}))
        return _canon_nested(desired, prefixes) == _canon_nested(current, prefixes)
    return _canon(desired, unordered, prefixes) == _canon(current, unordered, prefixes)


def _canon_nested(value, prefixes):
    # Inside nested objects every list of prefixes or ports is a set; only link_preference is
    # ordered, and it is the one list the caller keeps out of this (see ORDERED_NESTED_LISTS).
    if isinstance(value, dict):
        return dict((k, _canon(v, unordered=k not in ORDERED_NESTED_LISTS, prefixes=prefixes)
                     if isinstance(v, list) else _canon_nested(v, prefixes))
                    for k, v in value.items())
    return _canon(value, prefixes=prefixes)


ORDERED_NESTED_LISTS = frozenset(["link_preference"])


def changed_fields(desired, current, unordered=(), prefixes=(), nested=None):
    """The fields of ``desired`` (those not None) whose value differs from ``current``.

    ``nested`` maps the name of a nested-object field to the server defaults of its members.
    Returns ``{field: desired value}``, ready to be a PATCH body.
    """
    nested = nested or {}
    current = current or {}
    changes = {}
    for field in sorted(desired):
        want = desired[field]
        if want is None:
            continue
        have = current.get(field)
        if field in nested:
            equal = same(want, have, prefixes=field in prefixes, nested=True, defaults=nested[field])
        else:
            equal = same(want, have, unordered=field in unordered, prefixes=field in prefixes)
        if not equal:
            changes[field] = want
    return changes


def mask(values, secret_fields=()):
    """A copy of ``values`` with the secret fields masked."""
    out = {}
    for k, v in values.items():
        out[k] = MASK if k in secret_fields and v is not None else copy.deepcopy(v)
    return out


def make_diff(before, after, fields, secret_fields=()):
    """Ansible's ``diff`` of exactly ``fields``: ``{'before': {...}, 'after': {...}}``, secrets masked.

    A field missing from ``before`` (a resource being created) or from ``after`` (one being
    deleted) is left out of that side.
    """
    before = before or {}
    after = after or {}
    b = dict((f, before[f]) for f in sorted(fields) if f in before)
    a = dict((f, after[f]) for f in sorted(fields) if f in after)
    return {"before": mask(b, secret_fields), "after": mask(a, secret_fields)}


def without_none(values):
    """``values`` without the members that are None (options the user left out)."""
    return dict((k, v) for k, v in values.items() if v is not None)


def without_none_deep(value):
    """Like :func:`without_none`, recursively through nested dicts (suboptions left out)."""
    if isinstance(value, dict):
        return dict((k, without_none_deep(v)) for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return [without_none_deep(v) for v in value]
    return value


class KeyedSet:
    """A list of objects managed as a set keyed by one member, such as a site's links by name.

    ``fields`` are the members a request sets; ``defaults`` what the server takes for a member
    left out (or None); in ``nullable`` members ``""`` means none (JSON null), like a link's
    endpoint. The whole set is declared at once: an item not listed is to be removed.
    """

    def __init__(self, key, fields, defaults=None, nullable=()):
        self.key = key
        self.fields = tuple(fields)
        self.defaults = dict(defaults or {})
        self.nullable = frozenset(nullable)

    def item(self, value):
        """One item with exactly ``fields``: defaults filled in, server-only members dropped."""
        value = value or {}
        out = {}
        for f in self.fields:
            v = value.get(f)
            if f in self.nullable and v == "":
                v = None
            if v is None:
                v = copy.deepcopy(self.defaults.get(f))
            out[f] = v
        return out

    def view(self, items):
        """The comparable and displayed form of a list: every item, sorted by the key."""
        return sorted((self.item(i) for i in items or []), key=lambda i: _sort_key(i.get(self.key)))

    def body(self, items):
        """The request body of a list: the items in the order given (so that the server's field
        pointers, ``/links/1/endpoint``, count as the user does), members that are None left out."""
        return [without_none(self.item(i)) for i in items or []]

    def duplicates(self, items):
        """The keys listed more than once."""
        seen, twice = set(), set()
        for i in items or []:
            k = (i or {}).get(self.key)
            (twice if k in seen else seen).add(k)
        return sorted(twice, key=_sort_key)

    def predict(self, current, desired):
        """What the server will hold after replacing ``current`` with ``desired``: an item that
        keeps its key keeps its server-side members (its id), a new one has none yet."""
        have = dict(((i or {}).get(self.key), i) for i in current or [])
        out = []
        for item in self.view(desired):
            predicted = copy.deepcopy(have.get(item[self.key]) or {})
            predicted.update(item)
            out.append(predicted)
        return out

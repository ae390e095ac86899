# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Listing sites with filters, and naming inventory groups after them: shared by
``site_info`` and the ``patronus.sdwan.sites`` inventory plugin."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def list_sites(client, names=None, role=None, labels=None):
    """Sites matching every filter given: any of ``names``, ``role``, all of ``labels``.

    The server filters by one name, the role and one label; the rest is filtered here.
    """
    labels = dict((str(k), str(v)) for k, v in (labels or {}).items())
    query = {}
    if role:
        query["role"] = role
    if labels:
        key = sorted(labels)[0]
        query["label"] = "%s=%s" % (key, labels[key])
    names = [n for n in (names or []) if n]
    if len(names) == 1:
        query["name"] = names[0]
    sites = client.list("/v1/sites", query)
    return [s for s in sites if matches(s, names=names, role=role, labels=labels)]


def matches(site, names=None, role=None, labels=None):
    if names and site.get("name") not in names:
        return False
    if role and site.get("role") != role:
        return False
    have = site.get("labels") or {}
    return all(have.get(k) == v for k, v in (labels or {}).items())


_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def group_name(*parts):
    """A valid Ansible group name from parts: anything but letters, digits and _ becomes _."""
    return _UNSAFE.sub("_", "_".join(str(p) for p in parts if p != "")).lower()


def site_groups(site, prefix=""):
    """The groups a site belongs to: ``<prefix>role_<role>``, ``<prefix>label_<key>_<value>``."""
    groups = []
    if site.get("role"):
        groups.append(group_name(prefix + "role", site["role"]))
    for key, value in sorted((site.get("labels") or {}).items()):
        groups.append(group_name(prefix + "label", key, value))
    return groups

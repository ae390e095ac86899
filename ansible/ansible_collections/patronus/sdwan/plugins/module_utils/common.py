# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module shares: connection options, the client, site lookup, what an ``_info``
module does (:func:`read_info`, :func:`list_info`), and the present/absent logic of
:class:`Resource` (compute the change first, honour check mode before any write, diff of the
changed fields only, retry on a stale ETag).

A module keeps its DOCUMENTATION and builds its own ``AnsibleModule`` from its argument spec, so
that it stays self-describing; what it hands to these helpers is only what is specific to it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible.module_utils.basic import env_fallback
from ansible_collections.patronus.sdwan.plugins.module_utils.client import (
    PatronusClient,
    PatronusError,
    path_id,
)
from ansible_collections.patronus.sdwan.plugins.module_utils.diff import (
    changed_fields,
    make_diff,
    mask,
    without_none,
)

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# Fields the server manages; never part of a diff.
SERVER_FIELDS = frozenset(["id", "etag", "created_at", "updated_at", "last_used_at", "prefix", "revision",
                           "overlay_address", "has_password", "uses_remaining"])

# What kind of uplink a WAN link is (the API's LinkKind).
LINK_KINDS = ["fiber", "cable", "dsl", "ethernet", "lte", "5g", "satellite", "mpls", "other"]

# The built-in application categories (the API's Category), which the tenant's applications take.
CATEGORIES = ["collaboration", "conferencing", "messaging", "voice", "video", "audio", "email", "file_sharing",
              "backup", "business", "development", "cloud", "social", "identity", "remote_access", "network",
              "software_update", "web"]

# How many times a write is recomputed when someone else changed the resource in between (412).
STALE_RETRIES = 3


def connection_argument_spec():
    """The options of the ``patronus.sdwan.connection`` doc fragment."""
    return dict(
        url=dict(type="str", fallback=(env_fallback, ["PATRONUS_URL"])),
        token=dict(type="str", no_log=True, fallback=(env_fallback, ["PATRONUS_TOKEN"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
    )


def argument_spec(**options):
    spec = connection_argument_spec()
    spec.update(options)
    return spec


def client_from_module(module):
    p = module.params
    try:
        return PatronusClient(p["url"], p["token"], validate_certs=p["validate_certs"], timeout=p["timeout"])
    except PatronusError as e:
        module.fail_json(msg=str(e))


def fail(module, error, **extra):
    """Fails the module on an API error, with the server's field errors in the message."""
    extra.update(error.to_result())
    module.fail_json(msg=str(error), **extra)


def is_uuid(value):
    return isinstance(value, str) and bool(UUID_RE.match(value))


def find_one(client, path, query):
    """The one item of a filtered list, or None."""
    items = client.list(path, query)
    return items[0] if items else None


def resolve_site(module, client, value, required=True):
    """A site given by id or by name, or None (failing the module when ``required``)."""
    site = None
    if is_uuid(value):
        site = client.get_or_none("/v1/sites/%s" % path_id(value))
    if site is None:
        site = find_one(client, "/v1/sites", {"name": value})
    if site is None and required:
        module.fail_json(msg="site %r not found (give its name or id)" % value)
    return site


def site_missing_in_check_mode(module, result_key, site_name):
    """In check mode a site that an earlier task would have created does not exist yet: predict
    the creation of what belongs to it instead of failing the whole dry run."""
    module.exit_json(changed=True, diff={"before": {}, "after": {"site": site_name}},
                     msg="site %r does not exist (yet); %s would be created with it" % (site_name, result_key),
                     **{result_key: None})


def owning_site(module, client, value, result_key, when_absent=None):
    """The site a resource of ``module`` belongs to (``value``: its name or id), or the module exits.

    When the site does not exist: with ``state=present`` the module fails, except in check mode,
    where it predicts the creation of the resource (see :func:`site_missing_in_check_mode`); with
    ``state=absent`` there is nothing to delete, and it exits unchanged with ``when_absent``
    (``{result_key: None}`` unless given).
    """
    present = module.params["state"] == "present"
    try:
        site = resolve_site(module, client, value, required=present and not module.check_mode)
    except PatronusError as e:
        fail(module, e)
    if site is None and present:
        site_missing_in_check_mode(module, result_key, value)
    if site is None:
        module.exit_json(changed=False, **(when_absent if when_absent is not None else {result_key: None}))
    return site


def read_info(module, result_key, read):
    """What an ``_info`` module does: exits unchanged with ``read(client)`` as ``result_key``,
    or fails with the server's problem."""
    client = client_from_module(module)
    try:
        value = read(client)
    except PatronusError as e:
        fail(module, e)
    module.exit_json(changed=False, **{result_key: value})


def list_info(module, result_key, collection, filters=(), site_option=None):
    """An ``_info`` module that lists ``collection``: every item, following the pages.

    ``filters`` name options that are exact-match query parameters of the same name (left out
    when the option is). ``site_option`` names an option that gives a site by name or id: only
    its items are listed (``site_id``), and none when there is no such site.
    """
    p = module.params

    def read(client):
        query = dict((f, p[f]) for f in filters)
        if site_option and p[site_option]:
            site = resolve_site(module, client, p[site_option], required=False)
            if site is None:
                return []
            query["site_id"] = site["id"]
        return client.list(collection, query)

    read_info(module, result_key, read)


def public_view(resource, extra_hidden=()):
    """The fields of a resource a person declares, for diffs."""
    return dict((k, v) for k, v in (resource or {}).items()
                if k not in SERVER_FIELDS and k not in extra_hidden)


class Resource:
    """The present/absent life cycle of one API resource.

    ``collection`` is the list path (``/v1/sites``); ``result_key`` the name the resource is
    returned under; ``lookup`` a callable returning the current resource or None, or else ``key``
    the list filter that finds it (``{"name": "berlin"}``).
    """

    def __init__(self, module, client, collection, result_key, lookup=None, key=None,
                 unordered=(), prefixes=(), nested=None, immutable=(), secret_fields=(),
                 required_on_create=(), hidden=(), nullable=(), partial=(), keyed=None):
        self.module = module
        self.client = client
        self.collection = collection
        self.result_key = result_key
        if lookup is None:
            if not key:
                raise ValueError("Resource needs a lookup or a key")
            key = dict(key)

            def lookup():
                return find_one(client, collection, key)
        self.lookup = lookup
        self.unordered = unordered
        self.prefixes = prefixes
        self.nested = nested or {}
        self.immutable = immutable
        self.secret_fields = secret_fields
        self.required_on_create = required_on_create
        self.hidden = hidden
        # Fields where the option value "" means "none" (JSON null), e.g. a link's endpoint.
        self.nullable = nullable
        # Object fields updated member by member (a tenant's quotas): members left out keep their value.
        self.partial = partial
        # List fields that are sets keyed by one member, declared whole ({"links": KeyedSet(...)}):
        # compared and shown in their view (sorted, server-only members dropped), sent as given.
        self.keyed = keyed or {}

    def item_path(self, resource):
        return "%s/%s" % (self.collection, path_id(resource["id"]))

    def viewed(self, resource):
        """``resource`` with its keyed-set fields in their comparable, displayed form."""
        out = dict(resource or {})
        for field, keyed in self.keyed.items():
            if out.get(field) is not None:
                out[field] = keyed.view(out[field])
        return out

    def bodied(self, values):
        """``values`` with its keyed-set fields in their request form."""
        out = dict(values)
        for field, keyed in self.keyed.items():
            if out.get(field) is not None:
                out[field] = keyed.body(out[field])
        return out

    def run(self, desired, create_body=None, state=None):
        """Brings the resource to ``state`` and exits the module.

        ``desired`` holds the managed fields (None = not managed); ``create_body`` the POST body
        when it differs from ``desired`` without its None members.
        """
        state = state or self.module.params.get("state", "present")
        if state != "absent":
            for field, keyed in sorted(self.keyed.items()):
                twice = keyed.duplicates(desired.get(field))
                if twice:
                    self.module.fail_json(msg="%s: each %s may be listed once, and %s %s listed more than once"
                                          % (field, keyed.key, ", ".join(repr(k) for k in twice),
                                             "is" if len(twice) == 1 else "are"))
        try:
            for _attempt in range(STALE_RETRIES):
                try:
                    result = self._run_once(state, desired, create_body)
                except PatronusError as e:
                    if e.status == 412:
                        continue
                    raise
                self.module.exit_json(**result)
            self.module.fail_json(msg="%s changed on the server during every one of %d attempts (HTTP 412)"
                                  % (self.result_key, STALE_RETRIES))
        except PatronusError as e:
            fail(self.module, e)

    def _run_once(self, state, desired, create_body):
        check = self.module.check_mode
        current = self.lookup()
        result = {"changed": False}
        if state == "absent":
            result[self.result_key] = None
            if current is None:
                return result
            before = public_view(self.viewed(current), self.hidden)
            result["changed"] = True
            result["diff"] = make_diff(before, {}, before.keys(), self.secret_fields)
            if not check:
                self.client.delete(self.item_path(current), etag=current.get("etag"))
            return result

        nulls = [f for f in self.nullable if desired.get(f) == ""]
        desired = dict((k, None if k in nulls else v) for k, v in desired.items())
        if current is None:
            body = self.bodied(create_body if create_body is not None else without_none(desired))
            missing = [f for f in self.required_on_create if body.get(f) is None]
            if missing:
                self.module.fail_json(msg="%s does not exist yet; creating it needs %s"
                                      % (self.result_key, ", ".join(missing)))
            shown = public_view(self.viewed(body), self.hidden)
            result["changed"] = True
            result["diff"] = make_diff({}, shown, shown.keys(), self.secret_fields)
            if check:
                result[self.result_key] = mask(self.viewed(body), self.secret_fields)
                return result
            created = self.client.create(self.collection, body)
            result.update(self.created(created))
            return result

        given = desired
        desired = self.viewed(desired)
        for f in self.partial:
            if isinstance(desired.get(f), dict):
                merged = dict(current.get(f) or {})
                merged.update(without_none(desired[f]))
                desired[f] = merged
        changes = changed_fields(desired, self.viewed(current), unordered=self.unordered,
                                 prefixes=self.prefixes, nested=self.nested)
        for f in nulls:
            if current.get(f) not in (None, ""):
                changes[f] = None
        frozen = sorted(f for f in changes if f in self.immutable)
        if frozen:
            self.module.fail_json(
                msg="%s cannot change on an existing %s (has %s, asked for %s): delete it with state=absent "
                    "and create it again" % (", ".join(frozen), self.result_key,
                                             ", ".join(repr(current.get(f)) for f in frozen),
                                             ", ".join(repr(changes[f]) for f in frozen)))
        if not changes:
            result[self.result_key] = current
            return result
        result["changed"] = True
        result["diff"] = make_diff(self.viewed(current), changes, changes.keys(), self.secret_fields)
        if check:
            predicted = dict(current)
            predicted.update(changes)
            for f, keyed in self.keyed.items():
                if f in changes:
                    predicted[f] = keyed.predict(current.get(f), changes[f])
            result[self.result_key] = mask(predicted, self.secret_fields)
            return result
        body = dict(changes)
        for f, keyed in self.keyed.items():
            if f in body:
                # Sent in the order the user gave, so that a field pointer counts as they do.
                body[f] = keyed.body(given[f])
        result[self.result_key] = self.update(current, body)
        return result

    def created(self, created):
        """The result members for a created resource; override to split out secrets."""
        return {self.result_key: created}

    def update(self, current, changes):
        return self.client.update(self.item_path(current), changes, etag=current.get("etag"))


def parse_instant(value):
    """An RFC 3339 date and time as an aware datetime, or None."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if "." in text:
        # datetime before Python 3.11 takes at most 6 fraction digits.
        head, rest = text.split(".", 1)
        digits = re.match(r"\d*", rest).group(0)
        text = head + "." + (digits[:6] or "0") + rest[len(digits):]
    try:
        when = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z" if "." in text else "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None
    return when


def same_instant(a, b):
    """Whether two RFC 3339 strings name the same instant (False when either is not one)."""
    x, y = parse_instant(a), parse_instant(b)
    return x is not None and y is not None and x == y

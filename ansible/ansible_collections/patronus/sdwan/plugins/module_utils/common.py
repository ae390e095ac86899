# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module shares: connection options, the client, site lookup, and the
present/absent logic (compute the change first, honour check mode before any write, diff of the
changed fields only, retry on a stale ETag)."""

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


def public_view(resource, extra_hidden=()):
    """The fields of a resource a person declares, for diffs."""
    return dict((k, v) for k, v in (resource or {}).items()
                if k not in SERVER_FIELDS and k not in extra_hidden)


class Resource:
    """The present/absent life cycle of one API resource.

    ``collection`` is the list path (``/v1/sites``); ``lookup`` a callable returning the current
    resource or None; ``result_key`` the name it is returned under.
    """

    def __init__(self, module, client, collection, result_key, lookup,
                 unordered=(), prefixes=(), nested=None, immutable=(), secret_fields=(),
                 required_on_create=(), hidden=(), nullable=(), partial=()):
        self.module = module
        self.client = client
        self.collection = collection
        self.result_key = result_key
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

    def item_path(self, resource):
        return "%s/%s" % (self.collection, path_id(resource["id"]))

    def run(self, desired, create_body=None, state=None):
        """Brings the resource to ``state`` and exits the module.

        ``desired`` holds the managed fields (None = not managed); ``create_body`` the POST body
        when it differs from ``desired`` without its None members.
        """
        state = state or self.module.params.get("state", "present")
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
            before = public_view(current, self.hidden)
            result["changed"] = True
            result["diff"] = make_diff(before, {}, before.keys(), self.secret_fields)
            if not check:
                self.client.delete(self.item_path(current), etag=current.get("etag"))
            return result

        nulls = [f for f in self.nullable if desired.get(f) == ""]
        desired = dict((k, None if k in nulls else v) for k, v in desired.items())
        if current is None:
            body = create_body if create_body is not None else without_none(desired)
            missing = [f for f in self.required_on_create if body.get(f) is None]
            if missing:
                self.module.fail_json(msg="%s does not exist yet; creating it needs %s"
                                      % (self.result_key, ", ".join(missing)))
            shown = public_view(body, self.hidden)
            result["changed"] = True
            result["diff"] = make_diff({}, shown, shown.keys(), self.secret_fields)
            if check:
                result[self.result_key] = mask(body, self.secret_fields)
                return result
            created = self.client.create(self.collection, body)
            result.update(self.created(created))
            return result

        desired = dict(desired)
        for f in self.partial:
            if isinstance(desired.get(f), dict):
                merged = dict(current.get(f) or {})
                merged.update(without_none(desired[f]))
                desired[f] = merged
        changes = changed_fields(desired, current, unordered=self.unordered, prefixes=self.prefixes,
                                 nested=self.nested)
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
        result["diff"] = make_diff(current, changes, changes.keys(), self.secret_fields)
        if check:
            predicted = dict(current)
            predicted.update(changes)
            result[self.result_key] = mask(predicted, self.secret_fields)
            return result
        result[self.result_key] = self.update(current, changes)
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

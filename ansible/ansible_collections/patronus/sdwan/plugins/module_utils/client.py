# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client every module, the inventory plugin and the agent role use.

It is small on purpose and depends on nothing but ansible-core (``open_url``), so that modules
run on any managed host without the Python SDK installed there:

- the bearer token on every request;
- retries on 429 and 503, and on connections that could not be opened, waiting what
  ``Retry-After`` says (seconds or an HTTP date) or else an exponential backoff with jitter;
- an ``Idempotency-Key`` on every POST, the same on every attempt, so that a retried POST never
  creates twice;
- ``If-Match`` on updates and deletions;
- problem+json errors raised as :class:`PatronusError`, whose message carries the server's
  ``detail`` and every field error with its JSON Pointer.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import random
import socket
import time
import uuid

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode
from ansible.module_utils.urls import open_url

RETRY_STATUSES = frozenset([429, 503])
USER_AGENT = "patronus.sdwan-ansible"


class PatronusError(Exception):
    """An error answer of the API, or no answer at all (``status`` 0)."""

    def __init__(self, status, problem=None, method=None, path=None, message=None):
        self.status = status
        self.problem = problem if isinstance(problem, dict) else {}
        self.method = method
        self.path = path
        self.type = self.problem.get("type")
        self.title = self.problem.get("title")
        self.detail = self.problem.get("detail")
        self.errors = [e for e in self.problem.get("errors") or [] if isinstance(e, dict)]
        super(PatronusError, self).__init__(message or self._message())

    def _message(self):
        where = "%s %s" % (self.method, self.path) if self.method else "the request"
        text = self.detail or self.title or "HTTP %s" % self.status
        parts = ["%s failed with HTTP %s: %s" % (where, self.status, text)]
        fields = ["%s: %s" % (e.get("pointer", ""), e.get("detail", "")) for e in self.errors]
        fields = [f for f in fields if f not in text]  # the detail often names them already
        if fields:
            parts.append("; ".join(fields))
        return " - ".join(parts)

    @property
    def field_errors(self):
        """``{pointer: detail}`` of a validation problem."""
        return dict((e.get("pointer", ""), e.get("detail", "")) for e in self.errors)

    def to_result(self):
        """What a module returns next to ``msg`` when it fails on this error."""
        return {"status": self.status, "problem": self.problem}


def parse_retry_after(value, now=None):
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date (RFC 9110); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


class PatronusClient:
    """A connection to one Patronus server with one credential."""

    def __init__(self, url, token, validate_certs=True, timeout=30, max_retries=5,
                 backoff_base=0.5, backoff_max=30.0, sleep=time.sleep, opener=open_url):
        if not url:
            raise PatronusError(0, message="no server URL: set the url option or PATRONUS_URL")
        if not token:
            raise PatronusError(0, message="no API token: set the token option or PATRONUS_TOKEN")
        self.url = url.rstrip("/")
        self._token = token
        self.validate_certs = validate_certs
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._sleep = sleep
        self._open = opener

    def _delay(self, attempt, retry_after):
        if retry_after is not None:
            return min(retry_after, self.backoff_max)
        return random.uniform(0, min(self.backoff_base * (2 ** attempt), self.backoff_max))

    def request(self, method, path, body=None, query=None, if_match=None, idempotency_key=None):
        """Sends one request (retrying as the module doc says); returns ``(status, json or None, headers)``.

        Raises :class:`PatronusError` for any status of 400 or more.
        """
        url = self.url + path
        if query:
            pairs = [(k, v) for k, v in sorted(query.items()) if v is not None]
            if pairs:
                url += "?" + urlencode(pairs)
        headers = {
            "Authorization": "Bearer %s" % self._token,
            "Accept": "application/json, application/problem+json",
            "User-Agent": USER_AGENT,
        }
        data = None
        if body is not None:
            data = json.dumps(body, sort_keys=True).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if if_match:
            headers["If-Match"] = if_match
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())

        attempt = 0
        while True:
            try:
                response = self._open(url, data=data, headers=headers, method=method,
                                      validate_certs=self.validate_certs, timeout=self.timeout,
                                      http_agent=USER_AGENT, follow_redirects="none")
                status = response.getcode() if hasattr(response, "getcode") else response.status
                raw = response.read()
                return status, _decode(raw), _headers(response)
            except HTTPError as e:
                raw = e.read() if hasattr(e, "read") else b""
                if e.code in RETRY_STATUSES and attempt < self.max_retries:
                    self._sleep(self._delay(attempt, parse_retry_after(_headers(e).get("retry-after"))))
                    attempt += 1
                    continue
                problem = _decode(raw)
                raise PatronusError(e.code, problem if isinstance(problem, dict) else None,
                                    method=method, path=path)
            except (URLError, socket.error) as e:
                # Connection refused or reset before an answer: retry like the SDKs do. A POST is
                # safe to resend thanks to its Idempotency-Key.
                if attempt < self.max_retries:
                    self._sleep(self._delay(attempt, None))
                    attempt += 1
                    continue
                reason = getattr(e, "reason", e)
                raise PatronusError(0, method=method, path=path,
                                    message="%s %s: cannot reach %s: %s" % (method, path, self.url, reason))

    # Conveniences over request().

    def get(self, path, query=None):
        return self.request("GET", path, query=query)[1]

    def get_or_none(self, path):
        """The resource, or None when the server answers 404."""
        try:
            return self.get(path)
        except PatronusError as e:
            if e.status == 404:
                return None
            raise

    def list(self, path, query=None, page_size=500):
        """Every item of a paginated list, following ``next_cursor``."""
        items = []
        params = dict(query or {})
        params["limit"] = page_size
        while True:
            page = self.get(path, params) or {}
            items.extend(page.get("items") or [])
            cursor = page.get("next_cursor")
            if not cursor:
                return items
            params["cursor"] = cursor

    def create(self, path, body):
        return self.request("POST", path, body=body)[1]

    def update(self, path, body, etag=None):
        return self.request("PATCH", path, body=body, if_match=etag)[1]

    def put(self, path, body, etag=None):
        return self.request("PUT", path, body=body, if_match=etag)[1]

    def delete(self, path, etag=None):
        """Deletes; returns False when it was already gone (404)."""
        try:
            self.request("DELETE", path, if_match=etag)
        except PatronusError as e:
            if e.status == 404:
                return False
            raise
        return True


def path_id(value):
    """A path segment, quoted."""
    return quote(str(value), safe="")


def _decode(raw):
    if not raw:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        return json.loads(raw)
    except ValueError:
        return {"detail": raw.strip()[:500]}


def _headers(response):
    headers = getattr(response, "headers", None)
    if headers is None and hasattr(response, "info"):
        headers = response.info()
    if headers is None:
        return {}
    return dict((k.lower(), v) for k, v in headers.items())

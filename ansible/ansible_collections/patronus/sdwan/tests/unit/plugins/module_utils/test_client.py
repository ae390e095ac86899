# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared client against a fake opener: retries, Retry-After, Idempotency-Key, If-Match,
problem+json errors, pagination."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.message
import io
import json
import time

import pytest

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible_collections.patronus.sdwan.plugins.module_utils.client import (
    PatronusClient,
    PatronusError,
    parse_retry_after,
)


class Response:
    def __init__(self, status, body=None, headers=None):
        self.status = status
        self._body = json.dumps(body).encode() if body is not None else b""
        self.headers = headers or {}

    def getcode(self):
        return self.status

    def read(self):
        return self._body


def http_error(status, body=None, headers=None):
    msg = email.message.Message()
    for k, v in (headers or {}).items():
        msg[k] = v
    raw = json.dumps(body).encode() if body is not None else b""
    return HTTPError("http://x", status, "error", msg, io.BytesIO(raw))


class FakeOpener:
    """Answers from a script; records every request."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, url, data=None, headers=None, method=None, **kwargs):
        self.calls.append(dict(url=url, data=json.loads(data) if data else None, headers=dict(headers), method=method))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def client_and_sleeps(opener, **kwargs):
    sleeps = []
    c = PatronusClient("http://api.test/", "ptrn_api_secret", opener=opener, sleep=sleeps.append, **kwargs)
    return c, sleeps


def client(opener, **kwargs):
    return client_and_sleeps(opener, **kwargs)[0]


def test_sends_bearer_token_and_json():
    opener = FakeOpener(Response(200, {"id": "1"}))
    c = client(opener)
    assert c.get("/v1/sites/1") == {"id": "1"}
    call = opener.calls[0]
    assert call["url"] == "http://api.test/v1/sites/1"
    assert call["headers"]["Authorization"] == "Bearer ptrn_api_secret"
    assert "Idempotency-Key" not in call["headers"]


def test_post_carries_the_same_idempotency_key_on_every_attempt():
    opener = FakeOpener(http_error(503), http_error(429, headers={"Retry-After": "2"}), Response(201, {"id": "1"}))
    c, sleeps = client_and_sleeps(opener)
    assert c.create("/v1/sites", {"name": "a"}) == {"id": "1"}
    keys = set(call["headers"]["Idempotency-Key"] for call in opener.calls)
    assert len(opener.calls) == 3 and len(keys) == 1
    assert sleeps[1] == 2.0  # honours Retry-After
    assert all(call["data"] == {"name": "a"} for call in opener.calls)


def test_retry_after_as_http_date():
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= parse_retry_after(when) <= 31
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None


def test_retry_after_is_capped():
    opener = FakeOpener(http_error(429, headers={"Retry-After": "3600"}), Response(200, {}))
    c, sleeps = client_and_sleeps(opener, backoff_max=10)
    c.get("/v1/sites")
    assert sleeps == [10]


def test_gives_up_after_max_retries_with_the_last_error():
    opener = FakeOpener(*[http_error(503, {"type": "t", "title": "Unavailable", "status": 503})] * 3)
    c, sleeps = client_and_sleeps(opener, max_retries=2)
    with pytest.raises(PatronusError) as e:
        c.get("/v1/sites")
    assert e.value.status == 503
    assert len(sleeps) == 2


def test_connection_errors_are_retried():
    opener = FakeOpener(URLError("refused"), Response(200, {"ok": True}))
    c, sleeps = client_and_sleeps(opener)
    assert c.get("/readyz") == {"ok": True}
    assert len(sleeps) == 1


def test_unreachable_server_is_an_error_with_status_0():
    opener = FakeOpener(*[URLError("refused")] * 2)
    c = client(opener, max_retries=1)
    with pytest.raises(PatronusError) as e:
        c.get("/v1/sites")
    assert e.value.status == 0
    assert "cannot reach http://api.test" in str(e.value)


def test_validation_problem_names_each_field():
    problem = {
        "type": "https://patronus.dev/problems/validation",
        "title": "Invalid request",
        "status": 422,
        "detail": "1 field is invalid",
        "errors": [{"pointer": "/lan_prefixes/0", "detail": "not an IP prefix"}],
    }
    opener = FakeOpener(http_error(422, problem))
    c, sleeps = client_and_sleeps(opener)
    with pytest.raises(PatronusError) as e:
        c.create("/v1/sites", {"name": "x", "lan_prefixes": ["nope"]})
    assert sleeps == []  # a 4xx other than 429 is not retried
    err = e.value
    assert err.status == 422
    assert err.field_errors == {"/lan_prefixes/0": "not an IP prefix"}
    assert "/lan_prefixes/0: not an IP prefix" in str(err)
    assert "POST /v1/sites failed with HTTP 422: 1 field is invalid" in str(err)
    assert err.to_result()["problem"]["type"].endswith("/validation")


def test_update_and_delete_send_if_match():
    opener = FakeOpener(Response(200, {"id": "1"}), Response(204))
    c = client(opener)
    c.update("/v1/sites/1", {"location": "x"}, etag='"3"')
    c.delete("/v1/sites/1", etag='"4"')
    assert opener.calls[0]["method"] == "PATCH" and opener.calls[0]["headers"]["If-Match"] == '"3"'
    assert opener.calls[1]["method"] == "DELETE" and opener.calls[1]["headers"]["If-Match"] == '"4"'


def test_delete_of_a_missing_resource_is_false():
    opener = FakeOpener(http_error(404, {"type": "t", "title": "Not found", "status": 404}))
    c = client(opener)
    assert c.delete("/v1/sites/1") is False


def test_list_follows_cursors():
    opener = FakeOpener(
        Response(200, {"items": [{"id": "1"}, {"id": "2"}], "next_cursor": "2"}),
        Response(200, {"items": [{"id": "3"}], "next_cursor": None}),
    )
    c = client(opener)
    assert [i["id"] for i in c.list("/v1/sites", {"name": None, "role": "hub"})] == ["1", "2", "3"]
    assert opener.calls[0]["url"] == "http://api.test/v1/sites?limit=500&role=hub"
    assert opener.calls[1]["url"] == "http://api.test/v1/sites?cursor=2&limit=500&role=hub"


def test_missing_url_or_token():
    with pytest.raises(PatronusError, match="PATRONUS_URL"):
        PatronusClient("", "t")
    with pytest.raises(PatronusError, match="PATRONUS_TOKEN"):
        PatronusClient("http://x", None)


def test_non_json_error_body_is_kept_as_detail():
    err = HTTPError("http://x", 502, "bad gateway", email.message.Message(), io.BytesIO(b"<html>proxy</html>"))
    c = client(FakeOpener(err))
    with pytest.raises(PatronusError, match="proxy"):
        c.get("/v1/sites")

# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The present/absent life cycle: what is written, what check mode writes (nothing), diffs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.patronus.sdwan.plugins.module_utils.client import PatronusError
from ansible_collections.patronus.sdwan.plugins.module_utils.common import Resource


class Exit(Exception):
    def __init__(self, failed, result):
        super(Exit, self).__init__(result)
        self.failed = failed
        self.result = result


class FakeModule:
    def __init__(self, state="present", check_mode=False):
        self.params = {"state": state}
        self.check_mode = check_mode

    def exit_json(self, **result):
        raise Exit(False, result)

    def fail_json(self, **result):
        raise Exit(True, result)


class FakeClient:
    """An in-memory collection of one resource, counting writes; can answer 412 once."""

    def __init__(self, current=None, stale_once=False):
        self.current = copy.deepcopy(current)
        self.writes = []
        self.stale_once = stale_once

    def lookup(self):
        return copy.deepcopy(self.current)

    def create(self, path, body):
        self.writes.append(("POST", path, body))
        self.current = dict(body, id="new", etag='"1"')
        return copy.deepcopy(self.current)

    def update(self, path, body, etag=None):
        if self.stale_once:
            self.stale_once = False
            self.current["etag"] = '"99"'
            raise PatronusError(412, {"title": "Precondition Failed", "status": 412})
        assert etag == self.current["etag"]
        self.writes.append(("PATCH", path, body, etag))
        self.current.update(body)
        return copy.deepcopy(self.current)

    def delete(self, path, etag=None):
        self.writes.append(("DELETE", path, etag))
        self.current = None
        return True


def run(client, desired, state="present", check_mode=False, **kwargs):
    module = FakeModule(state, check_mode)
    with pytest.raises(Exit) as e:
        Resource(module, client, "/v1/things", "thing", lookup=client.lookup, **kwargs).run(desired)
    return e.value


THING = {"id": "t1", "name": "a", "size": 1, "secret": None, "etag": '"1"', "created_at": "x"}


def test_create():
    client = FakeClient()
    out = run(client, {"name": "a", "size": 2, "note": None})
    assert out.result["changed"] and client.writes == [("POST", "/v1/things", {"name": "a", "size": 2})]
    assert out.result["diff"] == {"before": {}, "after": {"name": "a", "size": 2}}


def test_create_in_check_mode_writes_nothing():
    client = FakeClient()
    out = run(client, {"name": "a", "size": 2}, check_mode=True)
    assert out.result["changed"] and client.writes == []
    assert out.result["thing"] == {"name": "a", "size": 2}


def test_required_on_create():
    out = run(FakeClient(), {"name": "a", "size": None}, required_on_create=("size",))
    assert out.failed and "size" in out.result["msg"]


def test_no_change_no_write():
    client = FakeClient(THING)
    out = run(client, {"name": "a", "size": 1})
    assert not out.result["changed"] and client.writes == [] and "diff" not in out.result


def test_update_sends_only_the_changes_with_if_match():
    client = FakeClient(THING)
    out = run(client, {"name": "a", "size": 5})
    assert client.writes == [("PATCH", "/v1/things/t1", {"size": 5}, '"1"')]
    assert out.result["diff"] == {"before": {"size": 1}, "after": {"size": 5}}


def test_update_in_check_mode_writes_nothing_and_predicts():
    client = FakeClient(THING)
    out = run(client, {"name": "a", "size": 5}, check_mode=True)
    assert out.result["changed"] and client.writes == []
    assert out.result["thing"]["size"] == 5


def test_stale_etag_is_read_again_and_retried():
    client = FakeClient(THING, stale_once=True)
    out = run(client, {"name": "a", "size": 5})
    assert out.result["changed"]
    assert client.writes == [("PATCH", "/v1/things/t1", {"size": 5}, '"99"')]


def test_immutable_field_fails_without_writing():
    client = FakeClient(THING)
    out = run(client, {"name": "a", "size": 5}, immutable=("size",))
    assert out.failed and "size cannot change" in out.result["msg"] and client.writes == []


def test_secrets_are_masked_in_diff_and_check_mode_result():
    client = FakeClient()
    out = run(client, {"name": "a", "secret": "s3cr3t-passphrase"}, check_mode=True, secret_fields=("secret",))
    assert "s3cr3t" not in repr(out.result)


def test_nullable_empty_string_sends_null():
    client = FakeClient(dict(THING, endpoint="198.51.100.1:51820"))
    run(client, {"name": "a", "endpoint": ""}, nullable=("endpoint",))
    assert client.writes[-1][2] == {"endpoint": None}
    out = run(client, {"name": "a", "endpoint": ""}, nullable=("endpoint",))
    assert not out.result["changed"]


def test_partial_objects_keep_members_left_out():
    client = FakeClient(dict(THING, quotas={"max_users": 10, "max_sites": 5}))
    out = run(client, {"quotas": {"max_sites": 5}}, partial=("quotas",))
    assert not out.result["changed"]
    run(client, {"quotas": {"max_sites": 6}}, partial=("quotas",))
    assert client.writes[-1][2] == {"quotas": {"max_users": 10, "max_sites": 6}}


def test_delete_and_delete_again():
    client = FakeClient(THING)
    out = run(client, {"name": "a"}, state="absent")
    assert out.result["changed"] and client.writes == [("DELETE", "/v1/things/t1", '"1"')]
    assert out.result["diff"]["after"] == {} and out.result["diff"]["before"]["size"] == 1
    out = run(client, {"name": "a"}, state="absent")
    assert not out.result["changed"]


def test_delete_in_check_mode_writes_nothing():
    client = FakeClient(THING)
    out = run(client, {"name": "a"}, state="absent", check_mode=True)
    assert out.result["changed"] and client.writes == [] and client.current is not None


def test_api_error_fails_with_field_errors():
    class Failing(FakeClient):
        def create(self, path, body):
            raise PatronusError(422, {"title": "Invalid", "status": 422, "detail": "invalid",
                                      "errors": [{"pointer": "/lan_prefixes/0", "detail": "not a prefix"}]},
                                method="POST", path=path)
    out = run(Failing(), {"name": "a"})
    assert out.failed and "/lan_prefixes/0: not a prefix" in out.result["msg"]
    assert out.result["status"] == 422

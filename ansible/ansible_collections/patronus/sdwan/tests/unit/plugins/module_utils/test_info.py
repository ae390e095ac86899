# -*- coding: utf-8 -*-
# Copyright: Patronus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the _info modules share (read_info, list_info), the site a resource belongs to
(owning_site) and a Resource found by its key."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.patronus.sdwan.plugins.module_utils import common
from ansible_collections.patronus.sdwan.plugins.module_utils.client import PatronusError

SITE_ID = "0190a7d6-3c4e-7b1a-9a43-0c2b8e5f6a01"


class Exit(Exception):
    def __init__(self, failed, result):
        super(Exit, self).__init__(result)
        self.failed = failed
        self.result = result


class FakeModule:
    def __init__(self, check_mode=False, **params):
        self.params = params
        self.check_mode = check_mode

    def exit_json(self, **result):
        raise Exit(False, result)

    def fail_json(self, **result):
        raise Exit(True, result)


class FakeClient:
    """Answers lists from a dict of path -> items, filtering on the query; records the queries."""

    def __init__(self, items, fail_with=None):
        self.items = items
        self.queries = []
        self.fail_with = fail_with

    def list(self, path, query=None):
        if self.fail_with:
            raise self.fail_with
        query = dict((k, v) for k, v in (query or {}).items() if v is not None)
        self.queries.append((path, query))
        return [i for i in self.items.get(path, []) if all(i.get(k) == v for k, v in query.items())]

    def get_or_none(self, path):
        return None


def run(fn, *args, **kwargs):
    with pytest.raises(Exit) as e:
        fn(*args, **kwargs)
    return e.value


@pytest.fixture
def client(monkeypatch):
    fake = FakeClient({
        "/v1/sites": [{"id": SITE_ID, "name": "berlin"}],
        "/v1/links": [{"id": "l1", "site_id": SITE_ID, "name": "fiber"},
                      {"id": "l2", "site_id": "other", "name": "fiber"}],
        "/v1/qos-classes": [{"id": "q1", "name": "voice"}, {"id": "q2", "name": "bulk"}],
    })
    monkeypatch.setattr(common, "client_from_module", lambda module: fake)
    return fake


def test_list_info_passes_the_filters_given(client):
    out = run(common.list_info, FakeModule(name="voice"), "qos_classes", "/v1/qos-classes", filters=("name",))
    assert out.result == {"changed": False, "qos_classes": [{"id": "q1", "name": "voice"}]}
    out = run(common.list_info, FakeModule(name=None), "qos_classes", "/v1/qos-classes", filters=("name",))
    assert len(out.result["qos_classes"]) == 2 and client.queries[-1] == ("/v1/qos-classes", {})


def test_list_info_of_a_site(client):
    out = run(common.list_info, FakeModule(site="berlin", name=None), "links", "/v1/links",
              filters=("name",), site_option="site")
    assert [l["id"] for l in out.result["links"]] == ["l1"]
    out = run(common.list_info, FakeModule(site="nowhere", name=None), "links", "/v1/links",
              filters=("name",), site_option="site")
    assert out.result == {"changed": False, "links": []}
    assert client.queries[-1] == ("/v1/sites", {"name": "nowhere"})  # the links were not listed
    out = run(common.list_info, FakeModule(site=None, name="fiber"), "links", "/v1/links",
              filters=("name",), site_option="site")
    assert len(out.result["links"]) == 2


def test_read_info_fails_with_the_problem(client):
    client.fail_with = PatronusError(403, {"title": "Forbidden", "status": 403, "detail": "admin only"},
                                     method="GET", path="/v1/users")
    out = run(common.list_info, FakeModule(), "users", "/v1/users")
    assert out.failed and "admin only" in out.result["msg"] and out.result["status"] == 403


def test_owning_site(client):
    site = common.owning_site(FakeModule(state="present"), client, "berlin", "link")
    assert site["id"] == SITE_ID
    # Missing: an error for real, a predicted creation in check mode, nothing to delete when absent.
    out = run(common.owning_site, FakeModule(state="present"), client, "nowhere", "link")
    assert out.failed and "not found" in out.result["msg"]
    out = run(common.owning_site, FakeModule(check_mode=True, state="present"), client, "nowhere", "link")
    assert not out.failed and out.result["changed"] and out.result["link"] is None
    out = run(common.owning_site, FakeModule(state="absent"), client, "nowhere", "link")
    assert out.result == {"changed": False, "link": None}
    out = run(common.owning_site, FakeModule(state="absent"), client, "nowhere", "enrollment_token",
              when_absent={"enrollment_token": None, "revoked": []})
    assert out.result == {"changed": False, "enrollment_token": None, "revoked": []}


def test_resource_found_by_its_key(client):
    module = FakeModule(state="present")
    out = run(common.Resource(module, client, "/v1/qos-classes", "qos_class", key={"name": "voice"}).run,
              {"name": "voice"})
    assert not out.result["changed"] and out.result["qos_class"]["id"] == "q1"
    assert client.queries[-1] == ("/v1/qos-classes", {"name": "voice"})
    with pytest.raises(ValueError):
        common.Resource(module, client, "/v1/qos-classes", "qos_class")

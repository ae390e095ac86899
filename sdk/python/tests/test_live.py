"""The SDK against a live server: what a user script and the Ansible modules rely on."""

from __future__ import annotations

import base64
import datetime
import os
import time
import uuid
from typing import Any

import pytest

import patronus
from patronus.generated.api.agent import agent_enroll, agent_report_routes, agent_status
from patronus.generated.api.agents import agents_create_token
from patronus.models import (
    AgentStatusReport,
    EnrollmentTokenCreated,
    EnrollRequest,
    EnrollResponse,
    LearnedRoutesAnswer,
    LearnedRoutesReport,
    LinkUpdate,
    NewEnrollmentToken,
    NewLink,
    NewSite,
    NewSiteLabels,
    SiteUpdate,
)

from .conftest import Recorder, lan_prefix, unique


def new_site(client: patronus.Client, **fields: object) -> patronus.models.Site:
    body = {"name": unique("site"), "lan_prefixes": [lan_prefix()], **fields}
    return client.sites.create(body)


def test_site_with_links_lifecycle(client: patronus.Client) -> None:
    site = client.sites.create(
        NewSite(
            name=unique("berlin"),
            location="Berlin",
            lan_prefixes=[lan_prefix()],
            labels=NewSiteLabels.from_dict({"env": "test"}),
        )
    )
    assert site.role == "edge"
    assert site.etag
    fiber = client.links.create(
        NewLink(
            site_id=site.id,
            name="fiber",
            interface="eth1",
            kind="fiber",
            endpoint="198.51.100.7:51820",
            bandwidth_up_mbps=500,
            bandwidth_down_mbps=1000,
        )
    )
    lte = client.links.create(
        {
            "site_id": str(site.id),
            "name": "lte",
            "interface": "wwan0",
            "kind": "lte",
            "bandwidth_up_mbps": 20,
            "bandwidth_down_mbps": 100,
            "priority": 2,
        }
    )
    assert fiber.endpoint == "198.51.100.7:51820"
    assert lte.endpoint is None or lte.endpoint is patronus.UNSET

    got = client.sites.get(site.id)
    assert got.name == site.name and got.etag == site.etag
    assert sorted(link.name for link in client.links.list(site_id=site.id)) == ["fiber", "lte"]
    assert client.links.lookup_by_name(site.id, "lte").id == lte.id  # type: ignore[union-attr]

    config = client.sites.config(site.id)
    assert config.config.site_id == site.id
    assert sorted(link.name for link in config.config.links) == ["fiber", "lte"]
    assert len(config.hash_) == 64

    updated = client.sites.update(site.id, SiteUpdate(location="Berlin-Mitte"), if_match=site.etag)
    assert updated.location == "Berlin-Mitte"
    assert updated.etag != site.etag

    # `endpoint: null` in a PATCH removes the endpoint; an absent field keeps its value.
    behind_nat = client.links.update(fiber.id, LinkUpdate(endpoint=None), if_match=fiber.etag)
    assert behind_nat.endpoint in (None, patronus.UNSET)
    assert behind_nat.interface == "eth1"

    client.sites.delete(site.id, if_match=updated.etag)
    with pytest.raises(patronus.NotFoundError) as err:
        client.sites.get(site.id)
    assert err.value.status == 404
    assert err.value.kind == "not-found"
    with pytest.raises(patronus.NotFoundError):
        client.links.get(fiber.id)  # deleted with its site
    with pytest.raises(patronus.NotFoundError):
        client.sites.delete(site.id)


def test_stale_etag_is_precondition_failed(client: patronus.Client) -> None:
    site = new_site(client)
    client.sites.update(site.id, {"description": "first"}, if_match=site.etag)
    with pytest.raises(patronus.PreconditionFailedError) as err:
        client.sites.update(site.id, {"description": "second"}, if_match=site.etag)
    assert err.value.status == 412
    assert client.sites.get(site.id).description == "first"
    with pytest.raises(patronus.PreconditionFailedError):
        client.sites.delete(site.id, if_match=site.etag)
    client.sites.delete(site.id)


def test_validation_error_has_field_errors(client: patronus.Client) -> None:
    with pytest.raises(patronus.ValidationError) as err:
        client.sites.create({"name": unique("bad"), "lan_prefixes": ["10.0.0.0/8", "not-a-prefix"]})
    e = err.value
    assert e.status == 422
    assert e.type.endswith("/validation")
    assert [f.pointer for f in e.errors] == ["/lan_prefixes/1"]
    assert e.errors[0].detail
    assert isinstance(e, patronus.ApiError)
    assert "/lan_prefixes/1" in str(e)


def test_list_iterates_over_pages(client: patronus.Client) -> None:
    batch = unique("batch")
    created = [new_site(client, labels={"batch": batch}) for _ in range(7)]

    first = client.sites.list_page(limit=3, label=f"batch={batch}")
    assert len(first.items) == 3 and first.next_cursor

    seen = list(client.sites.list(label=f"batch={batch}", page_size=3))
    assert [s.id for s in seen] == [s.id for s in created]  # ids are creation-ordered

    assert client.sites.lookup_by_name(created[4].name).id == created[4].id  # type: ignore[union-attr]
    assert client.sites.lookup_by_name(unique("nobody")) is None
    for s in created:
        client.sites.delete(s.id)


def test_rate_limited_requests_are_retried(limited_client: patronus.Client, recorder: Recorder) -> None:
    started = time.monotonic()
    for _ in range(5):
        limited_client.topology.get()
    statuses = [a.status for a in recorder.attempts]
    assert statuses.count(200) == 5
    assert 429 in statuses, statuses
    # Retry-After is at least a second; the client waited rather than hammering.
    assert time.monotonic() - started >= 0.9
    assert len(statuses) <= 5 + 5 * limited_client.retry.max_retries


def test_retried_post_keeps_its_idempotency_key(limited_client: patronus.Client, recorder: Recorder) -> None:
    for _ in range(3):
        limited_client.topology.get()  # spend the burst, so that the POST meets a 429 first
    site = new_site(limited_client)
    posts = [a for a in recorder.attempts if a.method == "POST"]
    assert [a.status for a in posts][0] == 429
    assert posts[-1].status == 201
    keys = {a.idempotency_key for a in posts}
    assert len(keys) == 1 and None not in keys
    limited_client.sites.delete(site.id)


def test_lost_response_is_replayed_not_created_twice() -> None:
    recorder = Recorder(lose_first_post=True)
    with patronus.Client(transport=recorder) as client:
        name = unique("once")
        site = new_site(client, name=name)
        posts = [a for a in recorder.attempts if a.method == "POST"]
        assert [a.status for a in posts] == [201, 201]
        assert posts[0].idempotency_key == posts[1].idempotency_key
        assert posts[1].replayed
        assert [s.id for s in client.sites.list(name=name)] == [site.id]
        client.sites.delete(site.id)


def test_configuration_from_arguments_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    url, token = os.environ["PATRONUS_URL"], os.environ["PATRONUS_TOKEN"]
    monkeypatch.delenv("PATRONUS_URL")
    monkeypatch.delenv("PATRONUS_TOKEN")
    with pytest.raises(patronus.ConfigurationError):
        patronus.Client()
    with patronus.Client(url=url, token=token) as client:
        client.topology.get()
    with patronus.Client(url=url, token="ptrn_api_wrong", max_retries=0) as client:
        with pytest.raises(patronus.UnauthorizedError):
            client.topology.get()


def test_topology_put_with_if_match(client: patronus.Client) -> None:
    topo = client.topology.get()
    updated = client.topology.put(
        {"mode": topo.mode, "persistent_keepalive": 20, "overlay_prefix": topo.overlay_prefix}, if_match=topo.etag
    )
    assert updated.persistent_keepalive == 20
    with pytest.raises(patronus.PreconditionFailedError):
        client.topology.put({"mode": topo.mode}, if_match=topo.etag)


def test_site_bgp_keeps_the_write_only_password(client: patronus.Client) -> None:
    site = new_site(client)
    with pytest.raises(patronus.NotFoundError):
        client.site_bgp.get(site.id)
    neighbor = site.lan_prefixes[0].replace("0/24", "2")
    spec: dict[str, Any] = {
        "local_asn": 65001,
        "neighbors": [{"address": neighbor, "remote_asn": 4200000100, "password": "md5-secret"}],
    }
    created = client.site_bgp.put(site.id, spec)
    assert created.local_asn == 65001
    assert created.neighbors[0].password_set
    assert "md5-secret" not in str(created.to_dict())
    del spec["neighbors"][0]["password"]
    kept = client.site_bgp.put(site.id, spec, if_match=created.etag)
    assert kept.neighbors[0].password_set and kept.etag == created.etag
    with pytest.raises(patronus.ValidationError) as bad:
        client.site_bgp.put(site.id, {**spec, "local_asn": 23456})
    assert [e.pointer for e in bad.value.errors] == ["/local_asn"]
    with pytest.raises(patronus.PreconditionFailedError):
        client.site_bgp.delete(site.id, if_match='"999"')
    client.site_bgp.delete(site.id, if_match=created.etag)


def enroll_agent(client: patronus.Client, site_id: uuid.UUID) -> str:
    """Enrolls an agent for the site; returns its credential."""
    token = agents_create_token.sync(site_id, client=client.generated, body=NewEnrollmentToken())
    assert isinstance(token, EnrollmentTokenCreated), token
    key = base64.b64encode(os.urandom(32)).decode()
    enrolled = agent_enroll.sync_detailed(
        client=client.generated,
        body=EnrollRequest(token=token.token, public_key=key, hostname="edge-1", agent_version="0.1.0"),
    )
    assert isinstance(enrolled.parsed, EnrollResponse), enrolled.content
    return enrolled.parsed.credential


def test_identity_provider_put_get_delete(client: patronus.Client) -> None:
    with pytest.raises(patronus.NotFoundError):
        client.identity_provider.get()
    spec: dict[str, Any] = {
        "issuer_url": "https://login.example.com/realms/acme",
        "client_id": "patronus",
        "role_mapping": [{"group": "net-ops", "role": "operator"}],
    }
    with pytest.raises(patronus.ValidationError) as missing:
        client.identity_provider.put(spec)
    assert [e.pointer for e in missing.value.errors] == ["/client_secret"]
    created = client.identity_provider.put({**spec, "client_secret": "s3cret"})
    assert created.client_secret_set is True
    assert "s3cret" not in str(created.to_dict())
    updated = client.identity_provider.put({**spec, "default_role": "viewer"}, if_match=created.etag)
    assert updated.client_secret_set is True and updated.default_role == "viewer"
    with pytest.raises(patronus.PreconditionFailedError):
        client.identity_provider.put(spec, if_match=created.etag)
    client.identity_provider.delete(if_match=updated.etag)
    with pytest.raises(patronus.NotFoundError):
        client.identity_provider.delete()


def report_as_agent(client: patronus.Client, site_id: uuid.UUID, report: dict[str, Any]) -> None:
    """Enrolls an agent for the site and posts one status report with its credential, as a
    patronus-agent does."""
    with patronus.Client(token=enroll_agent(client, site_id)) as agent:
        posted = agent_status.sync_detailed(client=agent.generated, body=AgentStatusReport.from_dict(report))
        assert posted.status_code == 204, posted.content


def test_site_bgp_routes_as_the_agent_reports_them(client: patronus.Client) -> None:
    site = new_site(client)
    lan = site.lan_prefixes[0]
    neighbor = lan.replace("0/24", "2")
    client.site_bgp.put(site.id, {"neighbors": [{"address": neighbor, "remote_asn": 65010}], "overlay_import": True})
    overlay = client.topology.get().overlay_prefix
    report = {"routes": [{"prefix": lan, "neighbor": neighbor, "as_path": "65010"}, {"prefix": overlay, "neighbor": neighbor}]}
    with patronus.Client(token=enroll_agent(client, site.id)) as agent:
        answer = agent_report_routes.sync(client=agent.generated, body=LearnedRoutesReport.from_dict(report))
    assert isinstance(answer, LearnedRoutesAnswer), answer
    assert (answer.accepted, answer.refused, answer.not_imported) == (1, 1, 0)
    refused = list(client.site_bgp.routes(site.id, state="refused"))
    assert [r.prefix for r in refused] == [overlay]
    assert "overlay" in str(refused[0].reason)
    accepted = client.site_bgp.routes_page(site.id, state="accepted", limit=1)
    assert [(r.prefix, r.as_path) for r in accepted.items] == [(lan, "65010")]
    with pytest.raises(patronus.ValidationError) as bad:
        list(client.site_bgp.routes(site.id, prefix="10.0.0.1/8"))
    assert [e.pointer for e in bad.value.errors] == ["/query/prefix"]


def test_site_paths_history_and_failover_events(client: patronus.Client) -> None:
    site, peer = new_site(client), new_site(client)

    before = client.sites.paths(site.id)
    assert before.site_id == site.id
    assert before.paths == []
    assert before.reported_at in (None, patronus.UNSET)
    assert client.sites.path_history(site.id).series == []

    at = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    events = [
        {"peer_site_id": str(peer.id), "from_link": "fiber", "to_link": "lte", "reason": "path_down"},
        {"peer_site_id": str(peer.id), "policy": "voice", "from_link": "fiber", "to_link": "lte", "reason": "sla"},
        {"peer_site_id": str(peer.id), "policy": "voice", "from_link": "lte", "to_link": "fiber", "reason": "better"},
    ]
    for n, e in enumerate(events):
        e["at"] = (at + datetime.timedelta(seconds=n)).isoformat()
    report_as_agent(
        client,
        site.id,
        {
            "agent_version": "0.1.0",
            "uptime_seconds": 30,
            "peers": [
                {
                    "site_id": str(peer.id),
                    "active_link": "fiber",
                    "paths": [
                        {"link": "fiber", "endpoint": "192.0.2.2:51820", "up": True, "active": True,
                         "rtt_ms": 12.5, "jitter_ms": 1.25, "loss_percent": 0.5},
                        {"link": "lte", "endpoint": "198.51.100.2:51820", "up": False},
                    ],
                }
            ],
            "failover_events": events,
        },
    )

    now = client.sites.paths(site.id)
    assert isinstance(now.reported_at, datetime.datetime)
    assert abs((datetime.datetime.now(datetime.UTC) - now.reported_at).total_seconds()) < 300
    fiber, lte = now.paths
    assert (fiber.peer_site_id, fiber.link, fiber.endpoint, fiber.up, fiber.active) == (
        peer.id, "fiber", "192.0.2.2:51820", True, True)
    assert (fiber.rtt_ms, fiber.jitter_ms, fiber.loss_percent) == (12.5, 1.25, 0.5)
    assert (lte.link, lte.up, lte.active) == ("lte", False, False)
    assert lte.rtt_ms in (None, patronus.UNSET)

    # The fleet overview counts the site and names it in its newest path changes.
    fleet = client.fleet_status()
    health = fleet.health
    assert health.online + health.degraded + health.offline + health.unenrolled == fleet.sites >= 2
    assert any(f.site_id == site.id for f in fleet.recent_failovers)
    assert fleet.site_names.additional_properties[str(site.id)] == site.name

    # One report is one sample per path: one point each in the last hour.
    history = client.sites.path_history(site.id)
    assert history.step_seconds == 60
    assert [(s.link, len(s.points)) for s in history.series] == [("fiber", 1), ("lte", 1)]
    point = history.series[0].points[0]
    assert (point.rtt_ms, point.up_ratio, point.samples) == (12.5, 1.0, 1)
    assert history.series[1].points[0].up_ratio == 0.0
    hourly = client.sites.path_history(
        site.id, from_=at - datetime.timedelta(hours=3), step=3600, peer_site_id=str(peer.id), link="lte"
    )
    assert hourly.step_seconds == 3600
    assert [s.link for s in hourly.series] == ["lte"]
    with pytest.raises(patronus.ValidationError) as err:
        client.sites.path_history(site.id, step=90)
    assert [f.pointer for f in err.value.errors] == ["/query/step"]

    first = client.sites.failover_events_page(site.id, limit=2)
    assert len(first.items) == 2 and first.next_cursor
    assert [e.reason for e in client.sites.failover_events(site.id, page_size=1)] == ["path_down", "sla", "better"]
    assert first.items[0].policy in (None, patronus.UNSET)
    assert (first.items[0].to_link, first.items[0].site_id) == ("lte", site.id)
    assert [e.reason for e in client.sites.failover_events(site.id, policy="voice")] == ["sla", "better"]
    later = client.sites.failover_events(site.id, since=at + datetime.timedelta(seconds=2))
    assert [e.reason for e in later] == ["better"]

    missing = uuid.UUID("0190a000-0000-7000-8000-000000000000")
    with pytest.raises(patronus.NotFoundError):
        client.sites.paths(missing)
    with pytest.raises(patronus.NotFoundError):
        client.sites.path_history(missing)
    with pytest.raises(patronus.NotFoundError):
        list(client.sites.failover_events(missing))
    client.sites.delete(site.id)
    client.sites.delete(peer.id)


def test_tenant_application_lifecycle_and_policy_reference(client: patronus.Client) -> None:
    name = unique("crm")
    app = client.applications.create(
        {
            "name": name,
            "category": "business",
            "domains": [f"{name}.example.com"],
            "prefixes": ["2001:db8:7::/48", "203.0.113.0/24"],
            "protocol": "tcp",
            "ports": ["443"],
        }
    )
    assert app.protocol == "tcp"
    assert app.prefixes == ["203.0.113.0/24", "2001:db8:7::/48"]
    found = client.applications.lookup_by_name(name)
    assert found is not None and found.id == app.id
    assert client.applications.lookup_by_name(unique("none")) is None
    assert app.id in [a.id for a in client.applications.list(category="business")]
    assert app.id not in [a.id for a in client.applications.list(category="video")]

    updated = client.applications.update(app.id, {"ports": ["8443"]}, if_match=app.etag)
    assert updated.ports == ["8443"]
    with pytest.raises(patronus.PreconditionFailedError):
        client.applications.update(app.id, {"description": "stale"}, if_match=app.etag)

    with pytest.raises(patronus.ValidationError) as err:
        client.applications.create({"name": "teams", "category": "web", "ports": ["1"]})
    assert [f.pointer for f in err.value.errors] == ["/name"]

    policy = client.policies.create(
        {
            "name": unique("crm-policy"),
            "priority": 900_000 + int(uuid.uuid4().int % 99_999),
            "match": {"application": name},
            "action": {"path_selection": "lowest_latency"},
        }
    )
    with pytest.raises(patronus.ConflictError):
        client.applications.delete(app.id)
    client.policies.delete(policy.id)
    client.applications.delete(app.id)
    with pytest.raises(patronus.NotFoundError):
        client.applications.get(app.id)

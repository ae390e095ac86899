package provider

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/oapi-codegen/nullable"

	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// Conversions of the topology resource and of the read-only data sources (site config, site status).

func TestTopologyFromAPIAndBack(t *testing.T) {
	m := topologyFromAPI(&api.Topology{
		Etag: `"4"`, Mode: api.TopologyModeHubAndSpoke, OverlayPrefix: "100.70.0.0/16",
		PersistentKeepalive: 15, Revision: 42, UpdatedAt: time.Unix(0, 0),
	})
	if m.ID.ValueString() != topologyID || m.Mode.ValueString() != "hub_and_spoke" ||
		m.OverlayPrefix.ValueString() != "100.70.0.0/16" || m.PersistentKeepalive.ValueInt64() != 15 ||
		m.Revision.ValueInt64() != 42 || m.Etag.ValueString() != `"4"` {
		t.Fatalf("unexpected model: %+v", m)
	}
	raw, err := json.Marshal(m.spec())
	if err != nil {
		t.Fatal(err)
	}
	if got := string(raw); got != `{"mode":"hub_and_spoke","overlay_prefix":"100.70.0.0/16","persistent_keepalive":15}` {
		t.Fatalf("PUT body %s", got)
	}
}

func TestSiteConfigFromAPIListsPeersWithTheirEndpointsInOrder(t *testing.T) {
	site := uuid.MustParse("0192b3c4-0000-7000-8000-000000000001")
	peer := uuid.MustParse("0192b3c4-0000-7000-8000-000000000002")
	compiled := &api.CompiledConfig{
		Hash:     "ab12",
		Revision: 9,
		Config: api.SiteConfig{
			SiteID: site, OverlayAddress: "100.64.0.1/16", ListenPort: 51820, Revision: 9,
			LanPrefixes: []string{"10.1.0.0/16"}, Role: api.SiteRoleEdge, SchemaVersion: 1,
			Peers: []api.ConfigPeer{{
				SiteID: peer, SiteName: "paris", PublicKey: "key=", PersistentKeepalive: 25,
				AllowedIps: []string{"10.2.0.0/16", "100.64.0.2/32"},
				Endpoints: []api.ConfigEndpoint{
					{Link: "fiber", Address: "198.51.100.2:51820", Priority: 1},
					{Link: "lte", Address: "203.0.113.2:51820", Priority: 2, Cost: 10},
				},
			}},
		},
	}
	m, err := siteConfigFromAPI(compiled)
	if err != nil {
		t.Fatal(err)
	}
	if m.SiteID.ValueString() != site.String() || m.Hash.ValueString() != "ab12" || m.Revision.ValueInt64() != 9 ||
		m.OverlayAddress.ValueString() != "100.64.0.1/16" {
		t.Fatalf("unexpected model: %+v", m)
	}
	peers := m.Peers.Elements()
	if len(peers) != 1 {
		t.Fatalf("peers %v", peers)
	}
	attrs := peers[0].(types.Object).Attributes()
	if attrs["site_name"].(types.String).ValueString() != "paris" || attrs["site_id"].(types.String).ValueString() != peer.String() {
		t.Fatalf("peer %v", attrs)
	}
	if got := strings.Join(listToStrings(attrs["endpoints"].(types.List)), ","); got != "198.51.100.2:51820,203.0.113.2:51820" {
		t.Fatalf("endpoints %s", got)
	}
	if got := strings.Join(listToStrings(attrs["allowed_ips"].(types.List)), ","); got != "10.2.0.0/16,100.64.0.2/32" {
		t.Fatalf("allowed_ips %s", got)
	}
	// The document attribute is the whole compiled document, as JSON.
	var doc api.SiteConfig
	if err := json.Unmarshal([]byte(m.Document.ValueString()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SiteID != site || len(doc.Peers) != 1 || doc.Peers[0].Endpoints[1].Cost != 10 {
		t.Fatalf("document %s", m.Document.ValueString())
	}
}

func TestSiteStatusOfASiteWithoutAgentIsNullWhereNothingIsKnown(t *testing.T) {
	site := uuid.MustParse("0192b3c4-0000-7000-8000-000000000001")
	m, err := siteStatusFromAPI(&api.SiteStatus{
		SiteID: site, Health: api.SiteHealthUnenrolled,
		Reason: nullable.NewNullableWithValue("no agent has enrolled"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.Health.ValueString() != "unenrolled" || m.Reason.ValueString() != "no agent has enrolled" {
		t.Fatalf("unexpected model: %+v", m)
	}
	for name, v := range map[string]interface{ IsNull() bool }{
		"agent": m.Agent, "report": m.Report, "applied_hash": m.AppliedHash, "applied_revision": m.AppliedRevision,
		"last_seen_at": m.LastSeenAt, "last_error": m.LastError, "desired_hash": m.DesiredHash,
	} {
		if !v.IsNull() {
			t.Errorf("%s is %v, want null", name, v)
		}
	}
}

func TestSiteStatusOfAReportingAgent(t *testing.T) {
	seen := time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	agent := uuid.MustParse("0192b3c4-0000-7000-8000-0000000000aa")
	m, err := siteStatusFromAPI(&api.SiteStatus{
		SiteID:          uuid.MustParse("0192b3c4-0000-7000-8000-000000000001"),
		Health:          api.SiteHealthDegraded,
		Reason:          nullable.NewNullableWithValue("the agent reports an error"),
		DesiredHash:     nullable.NewNullableWithValue("new"),
		DesiredRevision: nullable.NewNullableWithValue(int64(8)),
		LastSeenAt:      nullable.NewNullableWithValue(seen),
		Agent: nullable.NewNullableWithValue(api.Agent{
			ID: agent, Hostname: "edge-1", PublicKey: "key=", AgentVersion: "0.1.0", EnrolledAt: seen,
		}),
		Report: nullable.NewNullableWithValue(api.AgentStatusReport{
			AgentVersion: "0.1.0", UptimeSeconds: 60,
			AppliedHash:     nullable.NewNullableWithValue("old"),
			AppliedRevision: nullable.NewNullableWithValue(int64(7)),
			LastError:       nullable.NewNullableWithValue("link lte: no carrier"),
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.Health.ValueString() != "degraded" || m.DesiredHash.ValueString() != "new" || m.DesiredRevision.ValueInt64() != 8 ||
		m.AppliedHash.ValueString() != "old" || m.AppliedRevision.ValueInt64() != 7 ||
		m.LastError.ValueString() != "link lte: no carrier" {
		t.Fatalf("unexpected model: %+v", m)
	}
	// Timestamps are RFC 3339 in UTC, whatever zone the API answered in.
	if m.LastSeenAt.ValueString() != "2026-12-01T09:00:00Z" {
		t.Fatalf("last_seen_at %s", m.LastSeenAt.ValueString())
	}
	a := m.Agent.Attributes()
	if a["id"].(types.String).ValueString() != agent.String() || a["hostname"].(types.String).ValueString() != "edge-1" ||
		!a["last_seen_at"].IsNull() || a["enrolled_at"].(types.String).ValueString() != "2026-12-01T09:00:00Z" {
		t.Fatalf("agent %v", a)
	}
	var report map[string]any
	if err := json.Unmarshal([]byte(m.Report.ValueString()), &report); err != nil {
		t.Fatal(err)
	}
	if report["last_error"] != "link lte: no carrier" || report["uptime_seconds"] != float64(60) {
		t.Fatalf("report %s", m.Report.ValueString())
	}
}

func TestSitePathsBeforeTheFirstReportAreEmptyWithNoTime(t *testing.T) {
	site := uuid.MustParse("0192b3c4-0000-7000-8000-000000000001")
	m := sitePathsFromAPI(&api.SitePaths{SiteID: site, Paths: []api.PathHealth{}})
	if m.SiteID.ValueString() != site.String() || !m.ReportedAt.IsNull() || m.Paths.IsNull() || len(m.Paths.Elements()) != 0 {
		t.Fatalf("unexpected model: %+v", m)
	}
}

func TestSitePathsKeepTheMeasuredValuesAndNullWhereNothingWasMeasured(t *testing.T) {
	peer := uuid.MustParse("0192b3c4-0000-7000-8000-000000000002")
	at := time.Date(2026, 12, 1, 10, 0, 30, 0, time.FixedZone("CET", 3600))
	m := sitePathsFromAPI(&api.SitePaths{
		SiteID:     uuid.MustParse("0192b3c4-0000-7000-8000-000000000001"),
		ReportedAt: nullable.NewNullableWithValue(at),
		Paths: []api.PathHealth{
			{PeerSiteID: peer, Link: "fiber", Endpoint: "192.0.2.2:51820", Up: true, Active: true,
				RttMs: nullable.NewNullableWithValue(12.5), JitterMs: nullable.NewNullableWithValue(1.25),
				LossPercent: nullable.NewNullableWithValue(0.0)},
			{PeerSiteID: peer, Link: "lte", Endpoint: "198.51.100.2:51820", RttMs: nullable.NewNullNullable[float64]()},
		},
	})
	if m.ReportedAt.ValueString() != "2026-12-01T09:00:30Z" {
		t.Fatalf("reported_at %s", m.ReportedAt.ValueString())
	}
	paths := m.Paths.Elements()
	if len(paths) != 2 {
		t.Fatalf("paths %v", paths)
	}
	fiber, lte := paths[0].(types.Object).Attributes(), paths[1].(types.Object).Attributes()
	if fiber["peer_site_id"].(types.String).ValueString() != peer.String() || fiber["link"].(types.String).ValueString() != "fiber" ||
		fiber["endpoint"].(types.String).ValueString() != "192.0.2.2:51820" || !fiber["up"].(types.Bool).ValueBool() ||
		!fiber["active"].(types.Bool).ValueBool() || fiber["rtt_ms"].(types.Float64).ValueFloat64() != 12.5 ||
		fiber["jitter_ms"].(types.Float64).ValueFloat64() != 1.25 {
		t.Fatalf("fiber %v", fiber)
	}
	// A measured zero loss is 0, not null.
	if loss := fiber["loss_percent"].(types.Float64); loss.IsNull() || loss.ValueFloat64() != 0 {
		t.Fatalf("fiber loss %v", loss)
	}
	if lte["up"].(types.Bool).ValueBool() || lte["active"].(types.Bool).ValueBool() {
		t.Fatalf("lte %v", lte)
	}
	for _, name := range []string{"rtt_ms", "jitter_ms", "loss_percent"} {
		if !lte[name].IsNull() {
			t.Errorf("lte %s is %v, want null", name, lte[name])
		}
	}
}

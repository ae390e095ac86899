package provider

import (
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestSiteBGPSchemaIsValid(t *testing.T) {
	checkSchema(t, siteBGPResourceSchema())
}

func TestSiteBGPKeepsTheConfiguredPasswordAndSendsEmptyForNone(t *testing.T) {
	site := uuid.New()
	answer := &api.SiteBgp{
		SiteID: site, LocalAsn: 4200000001, RouterID: "100.64.0.1", Networks: []string{"10.1.0.0/16"},
		Neighbors: []api.BgpNeighbor{
			{Address: "10.1.0.2", RemoteAsn: 65010, PasswordSet: true, Keepalive: 60, HoldTime: 180},
			{Address: "10.1.0.3", RemoteAsn: 65011, PasswordSet: false, Keepalive: 10, HoldTime: 30, Bfd: true},
		},
		RouteMaps: []api.BgpRouteMap{{Name: "in", Entries: []api.BgpRouteMapEntry{{
			Action: api.BgpActionPermit, SetMed: patronus.Value(int64(50)),
		}}}},
		MaxLearnedPrefixes: 1000, Etag: `"3"`,
	}
	prior := siteBGPModel{Neighbors: []bgpNeighborModel{
		{Address: types.StringValue("10.1.0.2"), Password: types.StringValue("md5-secret")},
		{Address: types.StringValue("10.1.0.3"), Password: types.StringNull()},
	}}
	m := siteBGPFromAPI(answer, &prior)
	if m.Neighbors[0].Password.ValueString() != "md5-secret" || !m.Neighbors[1].Password.IsNull() {
		t.Fatalf("passwords: %+v", m.Neighbors)
	}
	if m.LocalASN.ValueInt64() != 4200000001 || m.ID.ValueString() != site.String() || m.Etag.ValueString() != `"3"` {
		t.Fatalf("model %+v", m)
	}
	if !m.RouteMaps[0].Entries[0].MatchCommunities.IsNull() || m.RouteMaps[0].Entries[0].SetMED.ValueInt64() != 50 {
		t.Fatalf("route map %+v", m.RouteMaps[0].Entries[0])
	}
	// After an import there is no prior: no password in state.
	if imported := siteBGPFromAPI(answer, nil); !imported.Neighbors[0].Password.IsNull() {
		t.Fatalf("import invented a password")
	}

	body := m.spec()
	if p, _ := body.Neighbors[0].Password.Get(); p != "md5-secret" {
		t.Fatalf("password not sent: %q", p)
	}
	// Terraform owns the object: a neighbour without a password in the configuration has none.
	if p, err := body.Neighbors[1].Password.Get(); err != nil || p != "" {
		t.Fatalf("no password must be sent as \"\": %q %v", p, err)
	}
	if asn, _ := body.LocalAsn.Get(); asn != 4200000001 {
		t.Fatalf("local_asn %d", asn)
	}
	if body.PrefixLists == nil || len(body.Networks) != 1 {
		t.Fatalf("lists must be sent, empty or not: %+v", body)
	}
	if med, _ := body.RouteMaps[0].Entries[0].SetMed.Get(); med != 50 {
		t.Fatalf("set_med %d", med)
	}
}

package provider

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestLinkConversions(t *testing.T) {
	site := uuid.New()
	l := &api.Link{ID: uuid.New(), SiteID: site, Name: "fiber", Interface: "eth1", Kind: api.LinkKindFiber,
		Endpoint: patronus.Value("198.51.100.7:51820"), BandwidthUpMbps: 500, BandwidthDownMbps: 1000, Cost: 3, Priority: 1, Etag: `"1"`}
	m := linkFromAPI(l)
	if m.Endpoint.ValueString() != "198.51.100.7:51820" || m.Kind.ValueString() != "fiber" || m.SiteID.ValueString() != site.String() {
		t.Fatalf("unexpected model %+v", m)
	}
	body := m.newLink(site)
	if v, _ := body.Endpoint.Get(); v != "198.51.100.7:51820" || *body.Cost != 3 || *body.Priority != 1 || body.BandwidthUpMbps != 500 {
		t.Fatalf("unexpected NewLink %+v", body)
	}

	// Behind NAT: no endpoint in state, none in the creation, and null in an update (clears it).
	l.Endpoint = patronus.Null[string]()
	m = linkFromAPI(l)
	if !m.Endpoint.IsNull() {
		t.Fatalf("endpoint %v, want null", m.Endpoint)
	}
	raw, _ := json.Marshal(m.newLink(site))
	if strings.Contains(string(raw), "endpoint") {
		t.Fatalf("NewLink of a NATed link sends an endpoint: %s", raw)
	}
	raw, _ = json.Marshal(m.linkUpdate())
	if !strings.Contains(string(raw), `"endpoint":null`) {
		t.Fatalf("LinkUpdate of a NATed link must clear the endpoint: %s", raw)
	}
	m.Endpoint = types.StringValue("wan.example.net:443")
	raw, _ = json.Marshal(m.linkUpdate())
	if !strings.Contains(string(raw), `"endpoint":"wan.example.net:443"`) {
		t.Fatalf("LinkUpdate: %s", raw)
	}
}

func TestLinkSchemaIsValid(t *testing.T) {
	checkSchema(t, linkResourceSchema())
}

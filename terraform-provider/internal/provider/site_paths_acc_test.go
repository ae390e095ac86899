package provider

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// reportAsAgent enrolls an agent for the site through the API and posts one status report with
// the credential the enrollment returned, as a patronus-agent on the site's machine would.
func (a *accTenant) reportAsAgent(ctx context.Context, siteID patronus.ID, report api.AgentStatusReport) error {
	agent, err := a.enrollAgent(ctx, siteID)
	if err != nil {
		return err
	}
	posted, err := agent.API.AgentStatusWithResponse(ctx, report)
	if err != nil {
		return fmt.Errorf("status report: %w", err)
	}
	if posted.StatusCode() != http.StatusNoContent {
		return fmt.Errorf("status report: HTTP %d: %s", posted.StatusCode(), posted.Body)
	}
	return nil
}

// enrollAgent enrolls an agent for the site through the API; the client it returns holds the
// agent credential, as a patronus-agent on the site's machine would.
func (a *accTenant) enrollAgent(ctx context.Context, siteID patronus.ID) (*patronus.Client, error) {
	token, err := a.client.EnrollmentTokens.Create(ctx, siteID, api.NewEnrollmentToken{})
	if err != nil {
		return nil, fmt.Errorf("enrollment token: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	enrolled, err := a.client.API.AgentEnrollWithResponse(ctx, api.EnrollRequest{
		Token: token.Token, PublicKey: base64.StdEncoding.EncodeToString(key), Hostname: "edge-1", AgentVersion: "0.1.0",
	})
	if err != nil {
		return nil, fmt.Errorf("enroll: %w", err)
	}
	if enrolled.JSON201 == nil {
		return nil, fmt.Errorf("enroll: HTTP %d: %s", enrolled.StatusCode(), enrolled.Body)
	}
	return patronus.New(patronus.WithURL(a.url), patronus.WithToken(enrolled.JSON201.Credential))
}

func TestAccSitePathsDataSource(t *testing.T) {
	a := newAccTenant(t)
	const branch, peer = "data.patronus_site_paths.branch", "data.patronus_site_paths.peer"
	config := a.config(fmt.Sprintf(`
resource "patronus_site" "branch" {
  name         = "branch"
  lan_prefixes = [%q]
}
resource "patronus_site" "peer" {
  name         = "peer"
  lan_prefixes = [%q]
}
data "patronus_site_paths" "branch" {
  site_id = patronus_site.branch.id
}
data "patronus_site_paths" "peer" {
  site_id = patronus_site.peer.id
}
output "fiber_rtt_ms" {
  value = one([for p in data.patronus_site_paths.branch.paths : p.rtt_ms if p.link == "fiber"])
}
`, lanPrefix(), lanPrefix()))
	var branchID, peerID patronus.ID
	ids := func(s *terraform.State) (err error) {
		if branchID, err = stateID(s, "patronus_site.branch"); err == nil {
			peerID, err = stateID(s, "patronus_site.peer")
		}
		return err
	}
	report := func(ctx context.Context) error {
		return a.reportAsAgent(ctx, branchID, api.AgentStatusReport{
			AgentVersion: "0.1.0", UptimeSeconds: 30,
			Peers: []api.PeerState{{SiteID: peerID, ActiveLink: patronus.Value("fiber"), Paths: []api.PathState{
				{Link: "fiber", Endpoint: "192.0.2.2:51820", Up: true, Active: patronus.Ptr(true),
					RttMs: patronus.Value(12.5), JitterMs: patronus.Value(1.25), LossPercent: patronus.Value(0.0)},
				{Link: "lte", Endpoint: "198.51.100.2:51820", Up: false},
			}}},
		})
	}
	rfc3339 := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	path := func(i int, name string) tfjsonpath.Path {
		return tfjsonpath.New("paths").AtSliceIndex(i).AtMapKey(name)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		Steps: []resource.TestStep{
			{
				Config:      a.config(`data "patronus_site_paths" "missing" { site_id = "0190a000-0000-7000-8000-000000000000" }`),
				ExpectError: regexp.MustCompile(`No such site`),
			},
			{
				Config:      a.config(`data "patronus_site_paths" "bad" { site_id = "branch" }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?i)uuid`),
			},
			{ // no agent has reported: no paths, no time
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(branch, tfjsonpath.New("paths"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(branch, tfjsonpath.New("reported_at"), knownvalue.Null()),
				},
				Check: ids,
			},
			{ // the branch's agent reports its two paths to the peer; the peer's never did
				PreConfig: outside(t, "report the branch's paths as its agent", report),
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(branch, tfjsonpath.New("reported_at"), knownvalue.StringRegexp(rfc3339)),
					statecheck.ExpectKnownValue(branch, tfjsonpath.New("paths"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(branch, path(0, "link"), knownvalue.StringExact("fiber")),
					statecheck.ExpectKnownValue(branch, path(0, "endpoint"), knownvalue.StringExact("192.0.2.2:51820")),
					statecheck.ExpectKnownValue(branch, path(0, "up"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(branch, path(0, "active"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(branch, path(0, "rtt_ms"), knownvalue.Float64Exact(12.5)),
					statecheck.ExpectKnownValue(branch, path(0, "jitter_ms"), knownvalue.Float64Exact(1.25)),
					statecheck.ExpectKnownValue(branch, path(0, "loss_percent"), knownvalue.Float64Exact(0)),
					statecheck.ExpectKnownValue(branch, path(1, "link"), knownvalue.StringExact("lte")),
					statecheck.ExpectKnownValue(branch, path(1, "endpoint"), knownvalue.StringExact("198.51.100.2:51820")),
					statecheck.ExpectKnownValue(branch, path(1, "up"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(branch, path(1, "active"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(branch, path(1, "rtt_ms"), knownvalue.Null()),
					statecheck.ExpectKnownValue(branch, path(1, "loss_percent"), knownvalue.Null()),
					statecheck.ExpectKnownOutputValue("fiber_rtt_ms", knownvalue.Float64Exact(12.5)),
					statecheck.ExpectKnownValue(peer, tfjsonpath.New("paths"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(peer, tfjsonpath.New("reported_at"), knownvalue.Null()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPair(branch, "paths.0.peer_site_id", "patronus_site.peer", "id"),
					resource.TestCheckResourceAttrPair(branch, "paths.1.peer_site_id", "patronus_site.peer", "id"),
					func(s *terraform.State) error {
						at, err := time.Parse(time.RFC3339, s.RootModule().Resources[branch].Primary.Attributes["reported_at"])
						if err != nil {
							return err
						}
						if age := time.Since(at); age < -time.Minute || age > 5*time.Minute {
							return fmt.Errorf("reported_at %s is not the time of the report (%s ago)", at, age)
						}
						return nil
					},
				),
			},
		},
	})
}

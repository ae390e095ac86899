package provider

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// Links inline in patronus_site, against the live server.

const fiberLink = `fiber = {
      interface           = "eth1"
      kind                = "fiber"
      endpoint            = "198.51.100.7:51820"
      bandwidth_up_mbps   = 500
      bandwidth_down_mbps = 1000
      priority            = 1
    }`

func lteLink(cost int) string {
	return fmt.Sprintf(`lte = {
      interface           = "wwan0"
      kind                = "lte"
      bandwidth_up_mbps   = 20
      bandwidth_down_mbps = 100
      cost                = %d
      priority            = 2
    }`, cost)
}

// inlineSite is a configuration with one site, "paris", whose links are the given `name = {..}`.
func (a *accTenant) inlineSite(prefix string, links ...string) string {
	return a.config(fmt.Sprintf(`
resource "patronus_site" "paris" {
  name         = "paris"
  lan_prefixes = [%q]
  links = {
    %s
  }
}`, prefix, strings.Join(links, "\n    ")))
}

// renamed is a link of inlineSite under another name.
func renamed(link, name string) string {
	_, body, _ := strings.Cut(link, " = {")
	return name + " = {" + body
}

// siteLinks is the site's links on the server, by name.
func (a *accTenant) siteLinks(ctx context.Context, siteID patronus.ID) (map[string]api.Link, error) {
	site, err := a.client.Sites.Get(ctx, siteID)
	if err != nil {
		return nil, err
	}
	out := map[string]api.Link{}
	for _, l := range site.Links {
		out[l.Name] = l
	}
	return out, nil
}

func linkNames(links map[string]api.Link) string {
	names := make([]string, 0, len(links))
	for n := range links {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func TestAccSiteInlineLinks(t *testing.T) {
	a := newAccTenant(t)
	p := lanPrefix()
	const addr = "patronus_site.paris"
	var siteID patronus.ID
	var first map[string]api.Link // the links as created
	serverLinks := func(check func(links map[string]api.Link) error) resource.TestCheckFunc {
		return func(*terraform.State) error {
			links, err := a.siteLinks(context.Background(), siteID)
			if err != nil {
				return err
			}
			return check(links)
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy: checkGone("patronus_site", func(ctx context.Context, id patronus.ID) error {
			_, err := a.client.Sites.Get(ctx, id)
			return err
		}),
		Steps: []resource.TestStep{
			{ // create with two links, in one request
				Config: a.inlineSite(p, lteLink(10), fiberLink),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("links"), knownvalue.MapExact(map[string]knownvalue.Check{
						"fiber": knownvalue.ObjectExact(map[string]knownvalue.Check{
							"interface": knownvalue.StringExact("eth1"),
							"kind":      knownvalue.StringExact("fiber"), "endpoint": knownvalue.StringExact("198.51.100.7:51820"),
							"bandwidth_up_mbps": knownvalue.Int64Exact(500), "bandwidth_down_mbps": knownvalue.Int64Exact(1000),
							"cost": knownvalue.Int64Exact(0), "priority": knownvalue.Int64Exact(1),
						}),
						"lte": knownvalue.ObjectExact(map[string]knownvalue.Check{
							"interface": knownvalue.StringExact("wwan0"),
							"kind":      knownvalue.StringExact("lte"), "endpoint": knownvalue.Null(),
							"bandwidth_up_mbps": knownvalue.Int64Exact(20), "bandwidth_down_mbps": knownvalue.Int64Exact(100),
							"cost": knownvalue.Int64Exact(10), "priority": knownvalue.Int64Exact(2),
						}),
					})),
				},
				Check: resource.ComposeTestCheckFunc(
					func(s *terraform.State) (err error) { siteID, err = stateID(s, addr); return err },
					serverLinks(func(links map[string]api.Link) error {
						first = links
						if linkNames(links) != "fiber,lte" {
							return fmt.Errorf("links on the server: %s", linkNames(links))
						}
						return nil
					}),
				),
			},
			{ // the order links are written in is no change
				Config: a.inlineSite(p, fiberLink, lteLink(10)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{ // change one: the plan shows it by name; it keeps its id, the other is not touched
				Config: a.inlineSite(p, fiberLink, lteLink(4)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("links").AtMapKey("lte").AtMapKey("cost"), knownvalue.Int64Exact(4)),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("links").AtMapKey("fiber").AtMapKey("cost"), knownvalue.Int64Exact(0)),
				}},
				Check: serverLinks(func(links map[string]api.Link) error {
					if links["lte"].Cost != 4 || links["lte"].ID != first["lte"].ID {
						return fmt.Errorf("lte after the change: %+v (before: %+v)", links["lte"], first["lte"])
					}
					if links["fiber"].ID != first["fiber"].ID || links["fiber"].Etag != first["fiber"].Etag {
						return fmt.Errorf("fiber was touched: %+v (before: %+v)", links["fiber"], first["fiber"])
					}
					return nil
				}),
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},                         // import by id
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "paris"}, // and by name
			{ // remove one
				Config: a.inlineSite(p, fiberLink),
				Check: serverLinks(func(links map[string]api.Link) error {
					if linkNames(links) != "fiber" || links["fiber"].ID != first["fiber"].ID {
						return fmt.Errorf("links on the server: %v", links)
					}
					if _, err := a.client.Links.Get(context.Background(), first["lte"].ID); !patronus.IsNotFound(err) {
						return fmt.Errorf("the removed link still answers: %v", err)
					}
					return nil
				}),
			},
			{ // replace all
				Config: a.inlineSite(p,
					`mpls = {
      interface           = "eth2"
      kind                = "mpls"
      endpoint            = "192.0.2.7:51820"
      bandwidth_up_mbps   = 100
      bandwidth_down_mbps = 100
    }`, `"5g" = {
      interface           = "wwan1"
      kind                = "5g"
      bandwidth_up_mbps   = 50
      bandwidth_down_mbps = 300
    }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("links"), knownvalue.MapSizeExact(2)),
					// The defaults of the fields left out.
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("links").AtMapKey("5g"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"cost": knownvalue.Int64Exact(0), "priority": knownvalue.Int64Exact(100), "endpoint": knownvalue.Null(),
					})),
				},
				Check: serverLinks(func(links map[string]api.Link) error {
					if linkNames(links) != "5g,mpls" || links["5g"].Priority != 100 || links["5g"].Kind != api.LinkKindN5G {
						return fmt.Errorf("links on the server: %v", links)
					}
					for _, l := range links {
						if l.ID == first["fiber"].ID || l.ID == first["lte"].ID {
							return fmt.Errorf("an old link survived: %+v", l)
						}
					}
					return nil
				}),
			},
			{ // a link added outside Terraform shows in the plan, and apply deletes it
				PreConfig: outside(t, "add a link", func(ctx context.Context) error {
					_, err := a.client.Links.Create(ctx, api.NewLink{SiteID: siteID, Name: "dsl", Interface: "eth3", BandwidthUpMbps: 5, BandwidthDownMbps: 50})
					return err
				}),
				Config: a.config(fmt.Sprintf(`
resource "patronus_site" "paris" {
  name         = "paris"
  lan_prefixes = [%q]
  links = {
    mpls = { interface = "eth2", kind = "mpls", endpoint = "192.0.2.7:51820", bandwidth_up_mbps = 100, bandwidth_down_mbps = 100 }
    "5g" = { interface = "wwan1", kind = "5g", bandwidth_up_mbps = 50, bandwidth_down_mbps = 300 }
  }
}`, p)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("links"), knownvalue.MapSizeExact(2)),
				}},
				Check: serverLinks(func(links map[string]api.Link) error {
					if linkNames(links) != "5g,mpls" {
						return fmt.Errorf("links on the server: %s", linkNames(links))
					}
					return nil
				}),
			},
			{ // `links = {}` deletes them all
				Config: a.inlineSite(p),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("links"), knownvalue.MapSizeExact(0)),
				},
				Check: serverLinks(func(links map[string]api.Link) error {
					if len(links) != 0 {
						return fmt.Errorf("links on the server: %s", linkNames(links))
					}
					return nil
				}),
			},
		},
	})
}

// A bad link is refused by the server on the attribute at fault, and nothing is written: neither
// the site with its other link on creation, nor any change on update. The validators mirror the
// server's rules and catch bad values at plan time, so to exercise the server's own check (what
// a rule only the server knows would do) the test changes one endpoint on its way to the server:
// "203.0.113.66:51820" in a site's body leaves as "not an endpoint".
func TestAccSiteInlineLinkErrors(t *testing.T) {
	a := newAccTenant(t)
	p := lanPrefix()
	const addr = "patronus_site.paris"
	withEndpoint := func(endpoint string) string {
		return a.inlineSite(p, fiberLink, fmt.Sprintf(`lte = {
      interface           = "wwan0"
      endpoint            = %q
      bandwidth_up_mbps   = 20
      bandwidth_down_mbps = 100
      cost                = 10
    }`, endpoint))
	}
	wire := &rewritingTransport{old: `"203.0.113.66:51820"`, new: `"not an endpoint"`}
	noSite := outside(t, "check that no site was written", func(ctx context.Context) error {
		sites, err := a.client.Sites.All(ctx, &api.SitesListParams{})
		if err == nil && len(sites) != 0 {
			err = fmt.Errorf("a refused creation wrote %d sites (%s)", len(sites), sites[0].Name)
		}
		return err
	})
	var siteID patronus.ID
	var before map[string]api.Link
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(&http.Client{Transport: wire}),
		Steps: []resource.TestStep{
			{ // validators, at plan time: a bad link name (the key), a bad endpoint
				Config:      a.inlineSite(p, fiberLink, renamed(lteLink(1), `"lte "`)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid value.*"lte " = \{.*"lte " must not start or end with white\s+space`),
			},
			{
				Config:      a.inlineSite(p, strings.Replace(fiberLink, "198.51.100.7:51820", "198.51.100.7", 1)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`host:port`),
			},
			{ // the server's check, on creation: the error names the link and its attribute
				PreConfig:   func() { wire.armed.Store(true) },
				Config:      withEndpoint("203.0.113.66:51820"),
				ExpectError: regexp.MustCompile(`(?s)Cannot create the site.*links\["lte"\]\.endpoint: must be\s+host:port`),
			},
			{
				PreConfig: func() { noSite(); wire.armed.Store(false) },
				Config:    withEndpoint("203.0.113.9:51820"),
				Check: func(s *terraform.State) (err error) {
					if siteID, err = stateID(s, addr); err == nil {
						before, err = a.siteLinks(context.Background(), siteID)
					}
					return err
				},
			},
			{ // on update: nothing changes, not even the link that was valid
				PreConfig:   func() { wire.armed.Store(true) },
				Config:      strings.Replace(withEndpoint("203.0.113.66:51820"), `"eth1"`, `"eth9"`, 1),
				ExpectError: regexp.MustCompile(`(?s)Cannot update the site.*links\["lte"\]\.endpoint: must be\s+host:port`),
			},
			{
				PreConfig: func() {
					wire.armed.Store(false)
					outside(t, "check that nothing was written", func(ctx context.Context) error {
						links, err := a.siteLinks(ctx, siteID)
						if err != nil {
							return err
						}
						for name, l := range before {
							if links[name].Etag != l.Etag || links[name].Interface != l.Interface {
								return fmt.Errorf("a refused update changed %s: %+v, was %+v", name, links[name], l)
							}
						}
						return nil
					})()
				},
				Config: withEndpoint("203.0.113.9:51820"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// rewritingTransport replaces old by new in the bodies of site creations and updates while armed.
type rewritingTransport struct {
	armed    atomic.Bool
	old, new string
}

func (w *rewritingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if w.armed.Load() && req.Body != nil && strings.HasPrefix(req.URL.Path, "/v1/sites") &&
		(req.Method == http.MethodPost || req.Method == http.MethodPatch) {
		raw, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		raw = bytes.ReplaceAll(raw, []byte(w.old), []byte(w.new))
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(raw))
		req.ContentLength = int64(len(raw))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
	}
	return http.DefaultTransport.RoundTrip(req)
}

// A link changed outside Terraform after the plan read it is not overwritten: If-Match does not
// cover a site's links, so the provider compares them before it replaces them.
func TestAccSiteInlineLinksConcurrentChange(t *testing.T) {
	a := newAccTenant(t)
	p := lanPrefix()
	var siteID patronus.ID
	var changes atomic.Int32
	// While armed, every read of the site is preceded by a colleague's change of its lte link,
	// so the read Terraform makes just before the update finds one that its plan did not see.
	interferer := &interferingTransport{before: func(req *http.Request) {
		if req.Method != http.MethodGet || !strings.HasPrefix(req.URL.Path, "/v1/sites/") {
			return
		}
		ctx := context.Background()
		links, err := a.siteLinks(ctx, siteID)
		if err == nil {
			lte := links["lte"]
			_, err = a.client.Links.Update(ctx, lte.ID, api.LinkUpdate{Cost: patronus.Value(100 + changes.Add(1))}, lte.Etag)
		}
		if err != nil {
			t.Errorf("concurrent change: %v", err)
		}
	}}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(&http.Client{Transport: interferer}),
		Steps: []resource.TestStep{
			{
				Config: a.inlineSite(p, fiberLink, lteLink(10)),
				Check:  func(s *terraform.State) (err error) { siteID, err = stateID(s, "patronus_site.paris"); return err },
			},
			{
				PreConfig:   func() { interferer.armed.Store(true) },
				Config:      a.inlineSite(p, strings.Replace(fiberLink, "priority            = 1", "priority            = 5", 1), lteLink(10)),
				ExpectError: regexp.MustCompile(`Changed outside Terraform: cannot update the site's links`),
			},
			{
				PreConfig: func() {
					interferer.armed.Store(false)
					links, err := a.siteLinks(context.Background(), siteID)
					if err != nil || links["lte"].Cost != 100+changes.Load() || links["fiber"].Priority != 1 {
						t.Fatalf("the colleague's change was overwritten, or Terraform's applied: %v %v", links, err)
					}
				},
				Config: a.inlineSite(p, strings.Replace(fiberLink, "priority            = 1", "priority            = 5", 1), lteLink(10)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("patronus_site.paris", plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}

// Without `links`, a site manages no link: patronus_link resources do, and nothing shows as a
// change; the site's `links` only reports them. Removing `links` from a configuration keeps the
// links. Import works both ways.
func TestAccSiteLinksManagedApart(t *testing.T) {
	a := newAccTenant(t)
	p := lanPrefix()
	const addr = "patronus_site.lyon"
	apart := a.config(fmt.Sprintf(`
resource "patronus_site" "lyon" {
  name         = "lyon"
  lan_prefixes = [%q]
}
resource "patronus_link" "fiber" {
  site_id             = patronus_site.lyon.id
  name                = "fiber"
  interface           = "eth1"
  bandwidth_up_mbps   = 500
  bandwidth_down_mbps = 1000
}
resource "patronus_link" "lte" {
  site_id             = patronus_site.lyon.id
  name                = "lte"
  interface           = "wwan0"
  bandwidth_up_mbps   = 20
  bandwidth_down_mbps = 100
}
data "patronus_site" "lyon" {
  id         = patronus_site.lyon.id
  depends_on = [patronus_link.fiber, patronus_link.lte]
}`, p))
	inline := a.config(fmt.Sprintf(`
resource "patronus_site" "lyon" {
  name         = "lyon"
  lan_prefixes = [%q]
  links = {
    fiber = { interface = "eth1", bandwidth_up_mbps = 500, bandwidth_down_mbps = 1000 }
  }
}`, p))
	bare := a.config(fmt.Sprintf(`
resource "patronus_site" "lyon" {
  name         = "lyon"
  lan_prefixes = [%q]
}`, p))
	var siteID patronus.ID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		Steps: []resource.TestStep{
			{Config: apart},
			{ // the next plan is empty, and the site reports the links it does not manage
				Config: apart,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("links"), knownvalue.MapExact(map[string]knownvalue.Check{
						"fiber": knownvalue.ObjectPartial(map[string]knownvalue.Check{"interface": knownvalue.StringExact("eth1")}),
						"lte":   knownvalue.ObjectPartial(map[string]knownvalue.Check{"interface": knownvalue.StringExact("wwan0")}),
					})),
					// The data source lists them by name, with their ids.
					statecheck.ExpectKnownValue("data.patronus_site.lyon", tfjsonpath.New("links"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("fiber"), "id": knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("lte"), "endpoint": knownvalue.Null()}),
					})),
				},
				Check: func(s *terraform.State) (err error) { siteID, err = stateID(s, addr); return err },
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "lyon"},
			{ // a change of a link is the patronus_link's, not the site's
				Config: strings.Replace(apart, "bandwidth_up_mbps   = 20", "bandwidth_up_mbps   = 30", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("patronus_link.lte", plancheck.ResourceActionUpdate),
				}},
			},
			{ // forget the patronus_link resources without deleting the links; the site takes
				// them over with `links`, which deletes the one it does not list
				Config: inline + `
removed {
  from = patronus_link.fiber
  lifecycle {
    destroy = false
  }
}
removed {
  from = patronus_link.lte
  lifecycle {
    destroy = false
  }
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					links, err := a.siteLinks(context.Background(), siteID)
					if err == nil && linkNames(links) != "fiber" {
						err = fmt.Errorf("links on the server: %s", linkNames(links))
					}
					return err
				},
			},
			{ // `links` removed: no change, and the links stay
				Config: bare,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: func(*terraform.State) error {
					links, err := a.siteLinks(context.Background(), siteID)
					if err == nil && linkNames(links) != "fiber" {
						err = fmt.Errorf("links on the server: %s", linkNames(links))
					}
					return err
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
		},
	})
}

// A site that sets `links` and a patronus_link of the same site: the provider refuses it, naming
// the site and the link, before the link is created (at the apply that creates the site, whose id
// the plan cannot know; at plan time once the site exists).
func TestAccSiteLinksMixed(t *testing.T) {
	a := newAccTenant(t)
	p := lanPrefix()
	mixed := func(link string) string {
		return a.inlineSite(p, fiberLink) + fmt.Sprintf(`
resource "patronus_link" "extra" {
  site_id             = patronus_site.paris.id
  name                = %q
  interface           = "eth5"
  bandwidth_up_mbps   = 10
  bandwidth_down_mbps = 10
}`, link)
	}
	var siteID patronus.ID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		Steps: []resource.TestStep{
			{
				Config:      mixed("mpls"),
				ExpectError: regexp.MustCompile(`(?s)managed in two places.*site "paris" \([0-9a-f-]{36}\) sets\s+` + "`links`" + `\s+\("fiber"\).*link "mpls".*not in that\s+list`),
			},
			{
				PreConfig: outside(t, "check that the link was not created", func(ctx context.Context) error {
					site, err := a.client.Sites.LookupByName(ctx, "paris")
					if err != nil {
						return err
					}
					siteID = site.ID
					if len(site.Links) != 1 {
						return fmt.Errorf("the site has %d links", len(site.Links))
					}
					return nil
				}),
				Config:      mixed("mpls"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)managed in two places.*link "mpls"`),
			},
			{
				Config:      mixed("fiber"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)managed in two places.*link "fiber".*also\s+lists`),
			},
			{ // a patronus_link that finds its site through a data source, not the resource: the
				// two are planned in either order, and whichever is second reports it
				Config: a.inlineSite(p, fiberLink) + `
data "patronus_site" "paris" {
  name = "paris"
}
resource "patronus_link" "extra" {
  site_id             = data.patronus_site.paris.id
  name                = "mpls"
  interface           = "eth5"
  bandwidth_up_mbps   = 10
  bandwidth_down_mbps = 10
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)managed in two places.*"mpls"`),
			},
			{ // fixed: the link is in `links`, and no patronus_link is left
				Config: a.inlineSite(p, fiberLink, strings.Replace(renamed(lteLink(1), "mpls"), `"wwan0"`, `"eth5"`, 1)),
				Check: func(*terraform.State) error {
					links, err := a.siteLinks(context.Background(), siteID)
					if err == nil && linkNames(links) != "fiber,mpls" {
						err = fmt.Errorf("links on the server: %s", linkNames(links))
					}
					return err
				},
			},
		},
	})
}

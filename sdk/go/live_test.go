package patronus_test

// These tests run against a live server: scripts/test-sdks starts one (and a second one limited
// to 2 requests/s) and sets PATRONUS_URL, PATRONUS_TOKEN and PATRONUS_TEST_LIMITED_URL.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestMain(m *testing.M) {
	if os.Getenv("PATRONUS_URL") == "" || os.Getenv("PATRONUS_TOKEN") == "" {
		fmt.Fprintln(os.Stderr, "PATRONUS_URL and PATRONUS_TOKEN are not set: run scripts/test-sdks")
		os.Exit(2)
	}
	os.Exit(m.Run())
}

var prefixes atomic.Int32

// lanPrefix is a LAN prefix no other site of this run uses (they may not overlap in a tenant).
func lanPrefix() string {
	n := prefixes.Add(1) + 100*int32(os.Getpid()%100)
	return fmt.Sprintf("10.%d.%d.0/24", n/256, n%256)
}

func unique(name string) string { return name + "-" + uuid.NewString()[:8] }

func newClient(t *testing.T, opts ...patronus.Option) *patronus.Client {
	t.Helper()
	c, err := patronus.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func newSite(t *testing.T, c *patronus.Client, body api.NewSite) *api.Site {
	t.Helper()
	if body.Name == "" {
		body.Name = unique("site")
	}
	if body.LanPrefixes == nil {
		body.LanPrefixes = []string{lanPrefix()}
	}
	return must[*api.Site](t)(c.Sites.Create(context.Background(), body))
}

type attempt struct {
	method, path   string
	status         int
	idempotencyKey string
	replayed       bool
}

// recorder sits under the client's retries and records every attempt that reaches the wire.
// With loseFirstPost it sends the first POST on but answers the client with a 503, as if the
// response had been lost on the way back.
type recorder struct {
	mu            sync.Mutex
	attempts      []attempt
	loseFirstPost bool
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts = append(r.attempts, attempt{
		method: req.Method, path: req.URL.Path, status: resp.StatusCode,
		idempotencyKey: req.Header.Get("Idempotency-Key"),
		replayed:       resp.Header.Get("Idempotent-Replayed") == "true",
	})
	if r.loseFirstPost && req.Method == http.MethodPost {
		r.loseFirstPost = false
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return &http.Response{
			StatusCode: http.StatusServiceUnavailable,
			Header:     http.Header{"Retry-After": {"0"}, "Content-Type": {"application/problem+json"}},
			Body:       io.NopCloser(strings.NewReader(`{"type":"about:blank","title":"Service Unavailable","status":503}`)),
			Request:    req,
		}, nil
	}
	return resp, nil
}

func (r *recorder) of(method string) []attempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []attempt
	for _, a := range r.attempts {
		if a.method == method {
			out = append(out, a)
		}
	}
	return out
}

func limitedClient(t *testing.T, rec *recorder) *patronus.Client {
	url := os.Getenv("PATRONUS_TEST_LIMITED_URL")
	if url == "" {
		t.Fatal("PATRONUS_TEST_LIMITED_URL is not set: run the suite through scripts/test-sdks")
	}
	return newClient(t, patronus.WithURL(url), patronus.WithHTTPClient(&http.Client{Transport: rec}))
}

func TestSiteWithLinksLifecycle(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	site := newSite(t, c, api.NewSite{
		Name: unique("berlin"), Location: patronus.Ptr("Berlin"), Labels: map[string]string{"env": "test"},
	})
	if site.Role != api.SiteRoleEdge || site.Etag == "" {
		t.Fatalf("unexpected site %+v", site)
	}
	fiber := must[*api.Link](t)(c.Links.Create(ctx, api.NewLink{
		SiteID: site.ID, Name: "fiber", Interface: "eth1", Kind: patronus.Ptr(api.LinkKindFiber),
		Endpoint: patronus.Value("198.51.100.7:51820"), BandwidthUpMbps: 500, BandwidthDownMbps: 1000,
	}))
	lte := must[*api.Link](t)(c.Links.Create(ctx, api.NewLink{
		SiteID: site.ID, Name: "lte", Interface: "wwan0", Kind: patronus.Ptr(api.LinkKindLte),
		BandwidthUpMbps: 20, BandwidthDownMbps: 100, Priority: patronus.Ptr(int32(2)),
	}))
	if ep, _ := fiber.Endpoint.Get(); ep != "198.51.100.7:51820" {
		t.Fatalf("endpoint %q", ep)
	}
	if lte.Endpoint.IsSpecified() && !lte.Endpoint.IsNull() {
		t.Fatalf("lte has an endpoint: %+v", lte.Endpoint)
	}

	got := must[*api.Site](t)(c.Sites.Get(ctx, site.ID))
	if got.Name != site.Name || got.Etag != site.Etag {
		t.Fatalf("got %+v, want %+v", got, site)
	}
	links := must[[]api.Link](t)(c.Links.All(ctx, &api.LinksListParams{SiteID: &site.ID}))
	names := []string{links[0].Name, links[1].Name}
	slices.Sort(names)
	if len(links) != 2 || names[0] != "fiber" || names[1] != "lte" {
		t.Fatalf("links %v", names)
	}
	if l := must[*api.Link](t)(c.Links.LookupByName(ctx, site.ID, "lte")); l.ID != lte.ID {
		t.Fatalf("lookup found %v", l.ID)
	}

	cfg := must[*api.CompiledConfig](t)(c.Sites.Config(ctx, site.ID))
	if cfg.Config.SiteID != site.ID || len(cfg.Config.Links) != 2 || len(cfg.Hash) != 64 {
		t.Fatalf("config %+v", cfg)
	}

	updated := must[*api.Site](t)(c.Sites.Update(ctx, site.ID, api.SiteUpdate{Location: patronus.Value("Berlin-Mitte")}, site.Etag))
	if updated.Location != "Berlin-Mitte" || updated.Etag == site.Etag {
		t.Fatalf("updated %+v", updated)
	}

	// Null clears the endpoint; unset fields keep their value.
	natted := must[*api.Link](t)(c.Links.Update(ctx, fiber.ID, api.LinkUpdate{Endpoint: patronus.Null[string]()}, fiber.Etag))
	if natted.Endpoint.IsSpecified() && !natted.Endpoint.IsNull() || natted.Interface != "eth1" {
		t.Fatalf("after removing the endpoint: %+v", natted)
	}

	if err := c.Sites.Delete(ctx, site.ID, updated.Etag); err != nil {
		t.Fatal(err)
	}
	_, err := c.Sites.Get(ctx, site.ID)
	var apiErr *patronus.APIError
	if !errors.Is(err, patronus.ErrNotFound) || !patronus.IsNotFound(err) || !errors.As(err, &apiErr) ||
		apiErr.StatusCode != 404 || apiErr.Kind() != "not-found" {
		t.Fatalf("get after delete: %v", err)
	}
	if _, err := c.Links.Get(ctx, fiber.ID); !errors.Is(err, patronus.ErrNotFound) {
		t.Fatalf("link after its site's deletion: %v", err)
	}
	if err := c.Sites.Delete(ctx, site.ID, ""); !errors.Is(err, patronus.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestStaleETagIsPreconditionFailed(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	site := newSite(t, c, api.NewSite{})
	must[*api.Site](t)(c.Sites.Update(ctx, site.ID, api.SiteUpdate{Description: patronus.Value("first")}, site.Etag))
	_, err := c.Sites.Update(ctx, site.ID, api.SiteUpdate{Description: patronus.Value("second")}, site.Etag)
	var apiErr *patronus.APIError
	if !errors.Is(err, patronus.ErrPreconditionFailed) || !errors.As(err, &apiErr) || apiErr.StatusCode != 412 {
		t.Fatalf("stale update: %v", err)
	}
	if d := must[*api.Site](t)(c.Sites.Get(ctx, site.ID)).Description; d != "first" {
		t.Fatalf("description %q", d)
	}
	if err := c.Sites.Delete(ctx, site.ID, site.Etag); !errors.Is(err, patronus.ErrPreconditionFailed) {
		t.Fatalf("stale delete: %v", err)
	}
	if err := c.Sites.Delete(ctx, site.ID, ""); err != nil {
		t.Fatal(err)
	}
}

func TestValidationErrorHasFieldErrors(t *testing.T) {
	c := newClient(t)
	_, err := c.Sites.Create(context.Background(), api.NewSite{
		Name: unique("bad"), LanPrefixes: []string{"10.0.0.0/8", "not-a-prefix"},
	})
	var apiErr *patronus.APIError
	if !errors.Is(err, patronus.ErrValidation) || !errors.As(err, &apiErr) {
		t.Fatalf("want a validation error, got %v", err)
	}
	if apiErr.StatusCode != 422 || !strings.HasSuffix(apiErr.Type, "/validation") {
		t.Fatalf("problem %+v", apiErr)
	}
	if len(apiErr.Errors) != 1 || apiErr.Errors[0].Pointer != "/lan_prefixes/1" || apiErr.Errors[0].Detail == "" {
		t.Fatalf("field errors %+v", apiErr.Errors)
	}
	if !strings.Contains(err.Error(), "/lan_prefixes/1") {
		t.Fatalf("message %q", err)
	}
}

func TestListIteratesOverPages(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	batch := unique("batch")
	var created []*api.Site
	for range 7 {
		created = append(created, newSite(t, c, api.NewSite{Labels: map[string]string{"batch": batch}}))
	}
	params := &api.SitesListParams{Label: patronus.Ptr("batch=" + batch), Limit: patronus.Ptr(int32(3))}

	first := must[*patronus.Page[api.Site]](t)(c.Sites.ListPage(ctx, params, ""))
	if len(first.Items) != 3 || first.NextCursor == "" {
		t.Fatalf("first page %+v", first)
	}
	var seen []patronus.ID
	for s, err := range c.Sites.List(ctx, params) {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, s.ID)
	}
	var want []patronus.ID
	for _, s := range created {
		want = append(want, s.ID)
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("listed %v, want %v", seen, want)
	}
	// Breaking out of the loop stops fetching.
	n := 0
	for range c.Sites.List(ctx, params) {
		n++
		break
	}
	if n != 1 {
		t.Fatal("break did not stop the iteration")
	}

	if s := must[*api.Site](t)(c.Sites.LookupByName(ctx, created[4].Name)); s.ID != created[4].ID {
		t.Fatalf("lookup found %v", s.ID)
	}
	if _, err := c.Sites.LookupByName(ctx, unique("nobody")); !errors.Is(err, patronus.ErrNotFound) {
		t.Fatalf("lookup of a missing name: %v", err)
	}
	for _, s := range created {
		if err := c.Sites.Delete(ctx, s.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRateLimitedRequestsAreRetried(t *testing.T) {
	rec := &recorder{}
	c := limitedClient(t, rec)
	started := time.Now()
	for range 5 {
		must[*api.Topology](t)(c.Topology.Get(context.Background()))
	}
	var statuses []int
	for _, a := range rec.of(http.MethodGet) {
		statuses = append(statuses, a.status)
	}
	ok := 0
	for _, s := range statuses {
		if s == 200 {
			ok++
		}
	}
	if ok != 5 || !slices.Contains(statuses, 429) {
		t.Fatalf("statuses %v", statuses)
	}
	if time.Since(started) < 900*time.Millisecond {
		t.Fatalf("retried without waiting for Retry-After (%v)", time.Since(started))
	}
}

func TestRetriedPostKeepsItsIdempotencyKey(t *testing.T) {
	rec := &recorder{}
	c := limitedClient(t, rec)
	ctx := context.Background()
	for range 3 {
		must[*api.Topology](t)(c.Topology.Get(ctx)) // spend the burst, so that the POST meets a 429 first
	}
	site := newSite(t, c, api.NewSite{})
	posts := rec.of(http.MethodPost)
	if len(posts) < 2 || posts[0].status != 429 || posts[len(posts)-1].status != 201 {
		t.Fatalf("POST attempts %+v", posts)
	}
	for _, p := range posts {
		if p.idempotencyKey == "" || p.idempotencyKey != posts[0].idempotencyKey {
			t.Fatalf("POST attempts with different keys %+v", posts)
		}
	}
	if err := c.Sites.Delete(ctx, site.ID, ""); err != nil {
		t.Fatal(err)
	}
}

func TestLostResponseIsReplayedNotCreatedTwice(t *testing.T) {
	ctx := context.Background()
	rec := &recorder{loseFirstPost: true}
	c := newClient(t, patronus.WithHTTPClient(&http.Client{Transport: rec}))
	name := unique("once")
	site := newSite(t, c, api.NewSite{Name: name})
	posts := rec.of(http.MethodPost)
	if len(posts) != 2 || posts[0].status != 201 || posts[1].status != 201 || !posts[1].replayed ||
		posts[0].idempotencyKey != posts[1].idempotencyKey {
		t.Fatalf("POST attempts %+v", posts)
	}
	all := must[[]api.Site](t)(c.Sites.All(ctx, &api.SitesListParams{Name: &name}))
	if len(all) != 1 || all[0].ID != site.ID {
		t.Fatalf("sites named %s: %+v", name, all)
	}
	if err := c.Sites.Delete(ctx, site.ID, ""); err != nil {
		t.Fatal(err)
	}
}

func TestConfigurationFromArgumentsAndEnvironment(t *testing.T) {
	url, token := os.Getenv("PATRONUS_URL"), os.Getenv("PATRONUS_TOKEN")
	t.Setenv("PATRONUS_URL", "")
	t.Setenv("PATRONUS_TOKEN", "")
	if _, err := patronus.New(); !errors.Is(err, patronus.ErrConfiguration) {
		t.Fatalf("New without URL: %v", err)
	}
	c := newClient(t, patronus.WithURL(url), patronus.WithToken(token))
	must[*api.Topology](t)(c.Topology.Get(context.Background()))
	bad := newClient(t, patronus.WithURL(url), patronus.WithToken("ptrn_api_wrong"), patronus.WithMaxRetries(0))
	if _, err := bad.Topology.Get(context.Background()); !errors.Is(err, patronus.ErrUnauthorized) {
		t.Fatalf("wrong token: %v", err)
	}
}

func TestTopologyPutWithIfMatch(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	topo := must[*api.Topology](t)(c.Topology.Get(ctx))
	updated := must[*api.Topology](t)(c.Topology.Put(ctx, api.TopologySpec{
		Mode: topo.Mode, OverlayPrefix: patronus.Value(topo.OverlayPrefix), PersistentKeepalive: patronus.Value(int32(20)),
	}, topo.Etag))
	if updated.PersistentKeepalive != 20 {
		t.Fatalf("topology %+v", updated)
	}
	if _, err := c.Topology.Put(ctx, api.TopologySpec{Mode: topo.Mode}, topo.Etag); !errors.Is(err, patronus.ErrPreconditionFailed) {
		t.Fatalf("stale put: %v", err)
	}
}

func TestSiteBGPPutKeepsTheWriteOnlyPasswordAndDeletes(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	lan := lanPrefix()
	site := newSite(t, c, api.NewSite{LanPrefixes: []string{lan}})
	if _, err := c.SiteBGP.Get(ctx, site.ID); !errors.Is(err, patronus.ErrNotFound) {
		t.Fatalf("get before put: %v", err)
	}
	neighbor := strings.TrimSuffix(lan, "0/24") + "2"
	spec := api.SiteBgpSpec{
		LocalAsn:  patronus.Value(int64(65001)),
		Neighbors: []api.BgpNeighborSpec{{Address: neighbor, RemoteAsn: 4200000100, Password: patronus.Value("md5-secret")}},
	}
	created := must[*api.SiteBgp](t)(c.SiteBGP.Put(ctx, site.ID, spec, ""))
	if created.LocalAsn != 65001 || !created.Neighbors[0].PasswordSet || created.Neighbors[0].RemoteAsn != 4200000100 {
		t.Fatalf("created %+v", created)
	}
	spec.Neighbors[0].Password = nullable.Nullable[string]{}
	kept := must[*api.SiteBgp](t)(c.SiteBGP.Put(ctx, site.ID, spec, created.Etag))
	if !kept.Neighbors[0].PasswordSet || kept.Etag != created.Etag {
		t.Fatalf("a put without the password keeps it and changes nothing: %+v", kept)
	}
	spec.LocalAsn = patronus.Value(int64(0))
	var apiErr *patronus.APIError
	if _, err := c.SiteBGP.Put(ctx, site.ID, spec, ""); !errors.As(err, &apiErr) || len(apiErr.Errors) != 1 || apiErr.Errors[0].Pointer != "/local_asn" {
		t.Fatalf("reserved ASN: %v", err)
	}
	if err := c.SiteBGP.Delete(ctx, site.ID, "\"999\""); !errors.Is(err, patronus.ErrPreconditionFailed) {
		t.Fatalf("stale delete: %v", err)
	}
	if err := c.SiteBGP.Delete(ctx, site.ID, created.Etag); err != nil {
		t.Fatalf("delete: %v", err)
	}
}

func TestSiteBGPRoutesAsTheAgentReportsThem(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	lan := lanPrefix()
	site := newSite(t, c, api.NewSite{LanPrefixes: []string{lan}})
	neighbor := strings.TrimSuffix(lan, "0/24") + "2"
	must[*api.SiteBgp](t)(c.SiteBGP.Put(ctx, site.ID, api.SiteBgpSpec{
		Neighbors:     []api.BgpNeighborSpec{{Address: neighbor, RemoteAsn: 65010}},
		OverlayImport: patronus.Ptr(true),
	}, ""))
	agent := enrollAgent(t, c, site.ID)
	overlay := must[*api.Topology](t)(c.Topology.Get(ctx)).OverlayPrefix
	// A learned prefix equal to the site's own LAN is accepted (redundant); the overlay refused.
	reported, err := agent.API.AgentReportRoutesWithResponse(ctx, api.LearnedRoutesReport{Routes: []api.LearnedRouteReport{
		{Prefix: lan, Neighbor: neighbor, AsPath: patronus.Ptr("65010")},
		{Prefix: overlay, Neighbor: neighbor},
	}})
	if err != nil || reported.JSON200 == nil || reported.JSON200.Accepted != 1 || reported.JSON200.Refused != 1 {
		t.Fatalf("report: %v %s", err, reported.Body)
	}
	refused := api.LearnedRouteStateRefused
	var got []*api.LearnedRoute
	for r, err := range c.SiteBGP.Routes(ctx, site.ID, &api.BgpListRoutesParams{State: &refused}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if len(got) != 1 {
		t.Fatalf("refused routes: %+v", got)
	}
	if reason, _ := got[0].Reason.Get(); got[0].Prefix != overlay || !strings.Contains(reason, "overlay") {
		t.Fatalf("refused route: %+v", got[0])
	}
	var apiErr *patronus.APIError
	for _, err := range c.SiteBGP.Routes(ctx, site.ID, &api.BgpListRoutesParams{Prefix: patronus.Ptr("10.0.0.1/8")}) {
		if !errors.As(err, &apiErr) || len(apiErr.Errors) != 1 || apiErr.Errors[0].Pointer != "/query/prefix" {
			t.Fatalf("a prefix with host bits: %v", err)
		}
	}
}

func TestIdentityProviderPutGetDelete(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	if _, err := c.IdentityProvider.Get(ctx); !errors.Is(err, patronus.ErrNotFound) {
		t.Fatalf("no provider yet: %v", err)
	}
	spec := api.IdentityProviderSpec{
		IssuerURL: "https://login.example.com/realms/acme", ClientID: "patronus",
		RoleMapping: []api.GroupRole{{Group: "net-admins", Role: api.RoleAdmin}},
	}
	if _, err := c.IdentityProvider.Put(ctx, spec, ""); !errors.Is(err, patronus.ErrValidation) {
		t.Fatalf("a new provider needs its secret: %v", err)
	}
	spec.ClientSecret = patronus.Value("s3cret")
	created := must[*api.IdentityProvider](t)(c.IdentityProvider.Put(ctx, spec, ""))
	if !created.ClientSecretSet || created.RoleMapping[0].Role != api.RoleAdmin {
		t.Fatalf("created %+v", created)
	}
	spec.ClientSecret = nullable.Nullable[string]{}
	spec.AllowedEmailDomains = []string{"example.com"}
	updated := must[*api.IdentityProvider](t)(c.IdentityProvider.Put(ctx, spec, created.Etag))
	if !updated.ClientSecretSet || len(updated.AllowedEmailDomains) != 1 {
		t.Fatalf("updated %+v", updated)
	}
	if _, err := c.IdentityProvider.Put(ctx, spec, created.Etag); !errors.Is(err, patronus.ErrPreconditionFailed) {
		t.Fatalf("stale put: %v", err)
	}
	if err := c.IdentityProvider.Delete(ctx, updated.Etag); err != nil {
		t.Fatal(err)
	}
	if err := c.IdentityProvider.Delete(ctx, ""); !errors.Is(err, patronus.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestGeneratedClientIsReachable(t *testing.T) {
	c := newClient(t)
	resp, err := c.API.TopologyGetWithResponse(context.Background())
	if err != nil || resp.JSON200 == nil || resp.HTTPResponse.Header.Get("ETag") == "" {
		t.Fatalf("generated client: %v %+v", err, resp)
	}
}

func TestEnrollmentTokensAndSiteStatus(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	site := newSite(t, c, api.NewSite{})

	created := must[*api.EnrollmentTokenCreated](t)(c.EnrollmentTokens.Create(ctx, site.ID,
		api.NewEnrollmentToken{Description: patronus.Value("rack 4"), Uses: patronus.Value(int32(2)), TTLSeconds: patronus.Value(int32(3600))}))
	if !strings.HasPrefix(created.Token, "ptrn_enr_") || created.UsesTotal != 2 || created.Description != "rack 4" {
		t.Fatalf("unexpected token: %+v", created)
	}
	got := must[*api.EnrollmentToken](t)(c.EnrollmentTokens.Get(ctx, site.ID, created.ID))
	if got.Prefix != created.Prefix || got.UsesRemaining != 2 {
		t.Fatalf("listed token differs: %+v", got)
	}

	status := must[*api.SiteStatus](t)(c.Sites.Status(ctx, site.ID))
	if status.Health != api.SiteHealthUnenrolled {
		t.Fatalf("health %q, want unenrolled", status.Health)
	}
	fleet := must[*api.FleetStatus](t)(c.FleetStatus(ctx))
	h := fleet.Health
	if fleet.Sites < 1 || h.Unenrolled < 1 || h.Online+h.Degraded+h.Offline+h.Unenrolled != fleet.Sites {
		t.Fatalf("fleet status does not count the site: %+v", fleet)
	}
	if _, err := c.Sites.Agent(ctx, site.ID); !patronus.IsNotFound(err) {
		t.Fatalf("agent of an unenrolled site: %v, want not found", err)
	}

	if err := c.EnrollmentTokens.Revoke(ctx, site.ID, created.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnrollmentTokens.Get(ctx, site.ID, created.ID); !patronus.IsNotFound(err) {
		t.Fatalf("revoked token: %v, want not found", err)
	}
	if err := c.EnrollmentTokens.Revoke(ctx, site.ID, created.ID); !patronus.IsNotFound(err) {
		t.Fatalf("second revocation: %v, want not found", err)
	}
}

// reportAs enrolls an agent for the site and posts one status report as that agent would, with
// the agent credential the enrollment returned.
func reportAs(t *testing.T, c *patronus.Client, siteID patronus.ID, report api.AgentStatusReport) {
	t.Helper()
	agent := enrollAgent(t, c, siteID)
	posted, err := agent.API.AgentStatusWithResponse(context.Background(), report)
	if err != nil || posted.StatusCode() != http.StatusNoContent {
		t.Fatalf("status report: %v %d %s", err, posted.StatusCode(), posted.Body)
	}
}

// enrollAgent enrolls an agent for the site; the client it returns holds the agent credential.
func enrollAgent(t *testing.T, c *patronus.Client, siteID patronus.ID) *patronus.Client {
	t.Helper()
	ctx := context.Background()
	token := must[*api.EnrollmentTokenCreated](t)(c.EnrollmentTokens.Create(ctx, siteID, api.NewEnrollmentToken{}))
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	enrolled, err := c.API.AgentEnrollWithResponse(ctx, api.EnrollRequest{
		Token: token.Token, PublicKey: base64.StdEncoding.EncodeToString(key), Hostname: "edge-1", AgentVersion: "0.1.0",
	})
	if err != nil || enrolled.JSON201 == nil {
		t.Fatalf("enroll: %v %s", err, enrolled.Body)
	}
	return newClient(t, patronus.WithToken(enrolled.JSON201.Credential))
}

func TestSitePathsHistoryAndFailoverEvents(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	site := newSite(t, c, api.NewSite{})
	peer := newSite(t, c, api.NewSite{})

	before := must[*api.SitePaths](t)(c.Sites.Paths(ctx, site.ID))
	if before.SiteID != site.ID || len(before.Paths) != 0 || before.ReportedAt.IsSpecified() && !before.ReportedAt.IsNull() {
		t.Fatalf("paths before any report: %+v", before)
	}
	if h := must[*api.PathHistory](t)(c.Sites.PathHistory(ctx, site.ID, nil)); len(h.Series) != 0 || h.StepSeconds != 60 {
		t.Fatalf("history before any report: %+v", h)
	}

	at := time.Now().UTC().Truncate(time.Second)
	event := func(n int, policy string, from, to string, reason api.FailoverReason) api.FailoverEvent {
		e := api.FailoverEvent{At: at.Add(time.Duration(n) * time.Second), PeerSiteID: peer.ID, Reason: reason,
			FromLink: patronus.Value(from), ToLink: patronus.Value(to)}
		if policy != "" {
			e.Policy = patronus.Value(policy)
		}
		return e
	}
	reportAs(t, c, site.ID, api.AgentStatusReport{
		AgentVersion: "0.1.0", UptimeSeconds: 30,
		Peers: []api.PeerState{{SiteID: peer.ID, ActiveLink: patronus.Value("fiber"), Paths: []api.PathState{
			{Link: "fiber", Endpoint: "192.0.2.2:51820", Up: true, Active: patronus.Ptr(true),
				RttMs: patronus.Value(12.5), JitterMs: patronus.Value(1.25), LossPercent: patronus.Value(0.5)},
			{Link: "lte", Endpoint: "198.51.100.2:51820", Up: false},
		}}},
		FailoverEvents: []api.FailoverEvent{
			event(0, "", "fiber", "lte", api.FailoverReasonPathDown),
			event(1, "voice", "fiber", "lte", api.FailoverReasonSLA),
			event(2, "voice", "lte", "fiber", api.FailoverReasonBetter),
		},
	})

	now := must[*api.SitePaths](t)(c.Sites.Paths(ctx, site.ID))
	reported, err := now.ReportedAt.Get()
	if err != nil || time.Since(reported) > 5*time.Minute || time.Until(reported) > time.Minute {
		t.Fatalf("reported_at %v (%v)", reported, err)
	}
	if len(now.Paths) != 2 {
		t.Fatalf("paths %+v", now.Paths)
	}
	fiber, lte := now.Paths[0], now.Paths[1]
	rtt, _ := fiber.RttMs.Get()
	jitter, _ := fiber.JitterMs.Get()
	loss, _ := fiber.LossPercent.Get()
	if fiber.PeerSiteID != peer.ID || fiber.Link != "fiber" || fiber.Endpoint != "192.0.2.2:51820" || !fiber.Up ||
		!fiber.Active || rtt != 12.5 || jitter != 1.25 || loss != 0.5 {
		t.Fatalf("fiber path %+v", fiber)
	}
	if lte.Link != "lte" || lte.Up || lte.Active || lte.RttMs.IsSpecified() && !lte.RttMs.IsNull() {
		t.Fatalf("lte path %+v", lte)
	}

	// One report is one sample per path: one point each in the last hour.
	h := must[*api.PathHistory](t)(c.Sites.PathHistory(ctx, site.ID, nil))
	if len(h.Series) != 2 || h.Series[0].Link != "fiber" || len(h.Series[0].Points) != 1 {
		t.Fatalf("history %+v", h)
	}
	if p := h.Series[0].Points[0]; p.Samples != 1 || p.UpRatio != 1 || must[float64](t)(p.RttMs.Get()) != 12.5 {
		t.Fatalf("fiber point %+v", p)
	}
	if p := h.Series[1].Points[0]; p.UpRatio != 0 || p.RttMs.IsSpecified() && !p.RttMs.IsNull() {
		t.Fatalf("lte point %+v", p)
	}
	hourly := must[*api.PathHistory](t)(c.Sites.PathHistory(ctx, site.ID, &api.PathsHistoryParams{
		From: patronus.Ptr(time.Now().Add(-3 * time.Hour)), Step: patronus.Ptr(int32(3600)), Link: patronus.Ptr("lte"),
	}))
	if hourly.StepSeconds != 3600 || len(hourly.Series) != 1 || hourly.Series[0].Link != "lte" {
		t.Fatalf("hourly lte history %+v", hourly)
	}
	_, err = c.Sites.PathHistory(ctx, site.ID, &api.PathsHistoryParams{Step: patronus.Ptr(int32(90))})
	var apiErr *patronus.APIError
	if !errors.Is(err, patronus.ErrValidation) || !errors.As(err, &apiErr) || len(apiErr.Errors) != 1 ||
		apiErr.Errors[0].Pointer != "/query/step" {
		t.Fatalf("a step of 90 s: %v", err)
	}

	first := must[*patronus.Page[api.FailoverEventRecord]](t)(c.Sites.FailoverEventsPage(ctx, site.ID,
		&api.PathsFailoverEventsParams{Limit: patronus.Ptr(int32(2))}, ""))
	if len(first.Items) != 2 || first.NextCursor == "" {
		t.Fatalf("first page %+v", first)
	}
	var reasons []api.FailoverReason
	for e, err := range c.Sites.FailoverEvents(ctx, site.ID, &api.PathsFailoverEventsParams{Limit: patronus.Ptr(int32(1))}) {
		if err != nil {
			t.Fatal(err)
		}
		reasons = append(reasons, e.Reason)
	}
	if !slices.Equal(reasons, []api.FailoverReason{api.FailoverReasonPathDown, api.FailoverReasonSLA, api.FailoverReasonBetter}) {
		t.Fatalf("reasons %v", reasons)
	}
	if first.Items[0].Policy.IsSpecified() && !first.Items[0].Policy.IsNull() ||
		must[string](t)(first.Items[0].ToLink.Get()) != "lte" || first.Items[0].SiteID != site.ID {
		t.Fatalf("first event %+v", first.Items[0])
	}
	voice := must[[]api.FailoverEventRecord](t)(c.Sites.AllFailoverEvents(ctx, site.ID, &api.PathsFailoverEventsParams{Policy: patronus.Ptr("voice")}))
	if len(voice) != 2 || voice[1].Reason != api.FailoverReasonBetter {
		t.Fatalf("voice events %+v", voice)
	}
	later := must[[]api.FailoverEventRecord](t)(c.Sites.AllFailoverEvents(ctx, site.ID, &api.PathsFailoverEventsParams{Since: patronus.Ptr(at.Add(2 * time.Second))}))
	if len(later) != 1 || later[0].Reason != api.FailoverReasonBetter {
		t.Fatalf("events since the third %+v", later)
	}

	missing := uuid.Must(uuid.NewV7())
	if _, err := c.Sites.Paths(ctx, missing); !patronus.IsNotFound(err) {
		t.Fatalf("paths of a missing site: %v", err)
	}
	if _, err := c.Sites.PathHistory(ctx, missing, nil); !patronus.IsNotFound(err) {
		t.Fatalf("history of a missing site: %v", err)
	}
	if _, err := c.Sites.AllFailoverEvents(ctx, missing, nil); !patronus.IsNotFound(err) {
		t.Fatalf("failover events of a missing site: %v", err)
	}
	for _, s := range []*api.Site{site, peer} {
		if err := c.Sites.Delete(ctx, s.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTenantApplicationLifecycleAndPolicyReference(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)
	name := unique("crm")
	tcp := api.ApplicationProtocolTCP
	app := must[*api.TenantApplication](t)(c.Applications.Create(ctx, api.NewTenantApplication{
		Name: name, Category: api.CategoryBusiness, Domains: []string{name + ".example.com"},
		Prefixes: []string{"2001:db8:7::/48", "203.0.113.0/24"}, Protocol: &tcp, Ports: []string{"443"},
	}))
	if app.Protocol != api.ApplicationProtocolTCP || len(app.Prefixes) != 2 || app.Prefixes[0] != "203.0.113.0/24" {
		t.Fatalf("created: %+v", app)
	}
	found := must[*api.TenantApplication](t)(c.Applications.LookupByName(ctx, name))
	if found.ID != app.ID {
		t.Fatalf("lookup: %+v", found)
	}
	if _, err := c.Applications.LookupByName(ctx, unique("none")); !errors.Is(err, patronus.ErrNotFound) {
		t.Fatalf("lookup of a missing name: %v", err)
	}
	video := api.Category("video")
	page := must[*patronus.Page[api.TenantApplication]](t)(c.Applications.ListPage(ctx, &api.ApplicationsListParams{Category: &video}, ""))
	for _, a := range page.Items {
		if a.ID == app.ID {
			t.Fatal("listed under another category")
		}
	}

	updated := must[*api.TenantApplication](t)(c.Applications.Update(ctx, app.ID, api.TenantApplicationUpdate{Ports: patronus.Value([]string{"8443"})}, app.Etag))
	if len(updated.Ports) != 1 || updated.Ports[0] != "8443" {
		t.Fatalf("updated: %+v", updated)
	}
	if _, err := c.Applications.Update(ctx, app.ID, api.TenantApplicationUpdate{Description: patronus.Value("stale")}, app.Etag); !errors.Is(err, patronus.ErrPreconditionFailed) {
		t.Fatalf("stale update: %v", err)
	}
	_, err := c.Applications.Create(ctx, api.NewTenantApplication{Name: "teams", Category: api.CategoryBusiness, Ports: []string{"1"}})
	var apiErr *patronus.APIError
	if !errors.Is(err, patronus.ErrValidation) || !errors.As(err, &apiErr) || len(apiErr.Errors) != 1 || apiErr.Errors[0].Pointer != "/name" {
		t.Fatalf("built-in name: %v", err)
	}

	policy := must[*api.Policy](t)(c.Policies.Create(ctx, api.NewPolicy{
		Name: unique("crm-policy"), Priority: int32(900000 + time.Now().UnixNano()%99999),
		Match:  api.PolicyMatch{Application: patronus.Value(name)},
		Action: api.PolicyAction{PathSelection: api.PathSelectionLowestLatency},
	}))
	if err := c.Applications.Delete(ctx, app.ID, ""); !errors.Is(err, patronus.ErrConflict) {
		t.Fatalf("delete while a policy names it: %v", err)
	}
	if err := c.Policies.Delete(ctx, policy.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.Applications.Delete(ctx, app.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Applications.Get(ctx, app.ID); !errors.Is(err, patronus.ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
}

// Package patronus is the Go client of the Patronus SD-WAN control plane API.
//
// The models and the request functions in package api are generated from the OpenAPI spec
// (openapi/openapi.json); this package adds what a script or a Terraform provider wants on top:
// configuration from arguments or PATRONUS_URL and PATRONUS_TOKEN, typed errors carrying the
// problem+json document, retries with backoff on 429 and 503 (honouring Retry-After, with an
// Idempotency-Key on every POST so that a retry never creates twice), iterators over paginated
// lists, and If-Match on updates and deletions.
//
//	client, err := patronus.New() // PATRONUS_URL, PATRONUS_TOKEN
//	site, err := client.Sites.Create(ctx, api.NewSite{Name: "berlin", LanPrefixes: []string{"10.1.0.0/16"}})
//	for s, err := range client.Sites.List(ctx, nil) { ... }
//	site, err = client.Sites.Update(ctx, site.ID, api.SiteUpdate{Location: patronus.Value("Berlin")}, site.Etag)
//	if errors.Is(err, patronus.ErrPreconditionFailed) { ... } // someone changed it since
package patronus

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// Version of this SDK, sent in the User-Agent.
const Version = "0.1.0"

// ID identifies every object of the API (a UUID).
type ID = uuid.UUID

// ParseID reads an ID from its text form, as Terraform state holds it.
func ParseID(s string) (ID, error) { return uuid.Parse(s) }

// RequestOption changes one request, e.g. WithIdempotencyKey.
type RequestOption = api.RequestEditorFn

// WithIdempotencyKey sets the Idempotency-Key of a POST (by default a fresh UUID per call).
func WithIdempotencyKey(key string) RequestOption {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Idempotency-Key", key)
		return nil
	}
}

// WithHeader sets a header on one request.
func WithHeader(name, value string) RequestOption {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set(name, value)
		return nil
	}
}

// Client is safe for concurrent use.
type Client struct {
	// URL is the API's base URL, e.g. https://patronus.example.com.
	URL string
	// API is the generated client: every operation of the spec, with this client's credentials,
	// retries and headers. Use it for what the typed services below do not cover.
	API *api.ClientWithResponses

	Sites      *Sites
	Links      *Links
	QosClasses *QosClasses
	// Applications are the tenant's own applications, which policies match by name.
	Applications *Applications
	Policies     *Policies
	Peerings     *Peerings
	Topology     *Topology
	// SiteBGP holds each site's BGP settings, which its agent runs with FRR.
	SiteBGP *SiteBGP
	// IdentityProvider is the tenant's single sign-on (admins only).
	IdentityProvider *IdentityProvider
	Users            *Users
	APITokens        *APITokens
	AuditEvents      *AuditEvents
	// EnrollmentTokens are bound to a site; Sites.Status and Sites.Agent show what enrolled, and
	// Sites.Paths, Sites.PathHistory and Sites.FailoverEvents what its agent measures.
	EnrollmentTokens *EnrollmentTokens
	// Tenants needs a platform token.
	Tenants *Tenants

	raw *api.Client
}

type settings struct {
	url, token, userAgent string
	httpClient            *http.Client
	retry                 RetryPolicy
	headers               http.Header
}

// Option configures New.
type Option func(*settings)

// WithURL sets the API's base URL (default: $PATRONUS_URL).
func WithURL(url string) Option { return func(s *settings) { s.url = url } }

// WithToken sets the bearer token (default: $PATRONUS_TOKEN): a tenant API token
// (ptrn_api_...), an access token from /v1/auth/login, or a platform token for Tenants.
func WithToken(token string) Option { return func(s *settings) { s.token = token } }

// WithHTTPClient sets the http.Client underneath the retries (default: one with a 60 s timeout).
func WithHTTPClient(c *http.Client) Option { return func(s *settings) { s.httpClient = c } }

// WithRetryPolicy replaces DefaultRetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option { return func(s *settings) { s.retry = p } }

// WithMaxRetries changes only the number of retries (0: none).
func WithMaxRetries(n int) Option { return func(s *settings) { s.retry.MaxRetries = n } }

// WithUserAgent puts a product of yours before the SDK's in the User-Agent.
func WithUserAgent(product string) Option { return func(s *settings) { s.userAgent = product } }

// WithDefaultHeader sets a header on every request.
func WithDefaultHeader(name, value string) Option {
	return func(s *settings) { s.headers.Set(name, value) }
}

// New makes a client from the options, falling back to the environment variables
// PATRONUS_URL and PATRONUS_TOKEN. It fails with ErrConfiguration when either is missing.
func New(opts ...Option) (*Client, error) {
	s := settings{
		url:        os.Getenv("PATRONUS_URL"),
		token:      os.Getenv("PATRONUS_TOKEN"),
		httpClient: &http.Client{Timeout: 60 * time.Second},
		retry:      DefaultRetryPolicy,
		headers:    http.Header{},
	}
	for _, o := range opts {
		o(&s)
	}
	if s.url == "" {
		return nil, fmt.Errorf("%w: no API URL: use WithURL or set PATRONUS_URL", ErrConfiguration)
	}
	if s.token == "" {
		return nil, fmt.Errorf("%w: no API token: use WithToken or set PATRONUS_TOKEN", ErrConfiguration)
	}
	url := strings.TrimRight(s.url, "/")
	ua := "patronus-go/" + Version
	if s.userAgent != "" {
		ua = s.userAgent + " " + ua
	}
	editor := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+s.token)
		req.Header.Set("User-Agent", ua)
		req.Header.Set("Accept", "application/json, application/problem+json")
		for k, v := range s.headers {
			req.Header[k] = v
		}
		if req.Method == http.MethodPost && req.Header.Get("Idempotency-Key") == "" {
			req.Header.Set("Idempotency-Key", uuid.NewString())
		}
		return nil
	}
	raw, err := api.NewClient(url,
		api.WithHTTPClient(&retryingDoer{http: s.httpClient, policy: s.retry}),
		api.WithRequestEditorFn(editor))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfiguration, err)
	}
	c := &Client{URL: url, API: &api.ClientWithResponses{ClientInterface: raw}, raw: raw}
	c.Sites = newSites(raw)
	c.Links = newLinks(raw)
	c.QosClasses = newQosClasses(raw)
	c.Applications = newApplications(raw)
	c.Policies = newPolicies(raw)
	c.IdentityProvider = &IdentityProvider{raw: raw}
	c.Peerings = newPeerings(raw)
	c.Topology = &Topology{raw: raw}
	c.SiteBGP = &SiteBGP{raw: raw}
	c.Users = newUsers(raw)
	c.APITokens = newAPITokens(raw)
	c.AuditEvents = &AuditEvents{raw: raw}
	c.EnrollmentTokens = &EnrollmentTokens{raw: raw}
	c.Tenants = newTenants(raw)
	return c, nil
}

// Whoami tells whose token the client holds.
func (c *Client) Whoami(ctx context.Context) (*api.Whoami, error) {
	return decode[api.Whoami](c.raw.AuthWhoami(ctx))
}

// FleetStatus is the tenant's fleet at a glance: its sites counted by health, the sites needing
// attention (at most 100, worst first) and the 20 newest path changes, in one read.
func (c *Client) FleetStatus(ctx context.Context) (*api.FleetStatus, error) {
	return decode[api.FleetStatus](c.raw.FleetStatus(ctx, &api.FleetStatusParams{}))
}

// decode reads a response: the body as T on success, an *APIError otherwise.
func decode[T any](resp *http.Response, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("patronus: reading the response: %w", err)
	}
	if resp.StatusCode >= 400 {
		return nil, newAPIError(resp, body)
	}
	v := new(T)
	if err := json.Unmarshal(body, v); err != nil {
		return nil, fmt.Errorf("patronus: decoding %s %s: %w", resp.Request.Method, resp.Request.URL.Path, err)
	}
	return v, nil
}

// noContent reads a response that carries no body on success (DELETE).
func noContent(resp *http.Response, err error) error {
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 400 {
		return newAPIError(resp, body)
	}
	return nil
}

// Ptr returns a pointer to v, for the optional fields of creation bodies (api.NewSite.Location).
func Ptr[T any](v T) *T { return &v }

// Value is a nullable field set to v, for PATCH bodies (api.SiteUpdate.Location).
func Value[T any](v T) nullable.Nullable[T] { return nullable.NewNullableWithValue(v) }

// Null is a nullable field set to JSON null: in a PATCH it clears the field
// (api.LinkUpdate{Endpoint: patronus.Null[string]()} puts a link behind NAT).
func Null[T any]() nullable.Nullable[T] { return nullable.NewNullNullable[T]() }

func ifMatchParam(etag string) *string {
	if etag == "" {
		return nil
	}
	return &etag
}

// Package provider is the Terraform provider of the Patronus SD-WAN control plane, built on
// terraform-plugin-framework and the Go SDK (sdk/go).
//
// Every resource follows the same rules: import by id or by name; a read answered 404 drops the
// resource from state (found by status code); updates and deletions send If-Match with the ETag
// of the last read, so a change made outside Terraform since then fails the apply instead of being
// overwritten (and the next plan shows it as drift); validators mirror the server's field rules;
// API errors become diagnostics on the attribute they name.
package provider

import (
	"context"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
)

// Address is the provider's source address in the Terraform registry.
const Address = "registry.terraform.io/patronus-sdwan/patronus"

// New returns a constructor of the provider, as providerserver.Serve wants it.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &patronusProvider{version: version, owners: newLinkOwners()} }
}

// NewWithHTTPClient is New with the http.Client the provider's API client sends through
// (tests use it to watch or disturb requests).
func NewWithHTTPClient(version string, httpClient *http.Client) func() provider.Provider {
	return func() provider.Provider {
		return &patronusProvider{version: version, httpClient: httpClient, owners: newLinkOwners()}
	}
}

type patronusProvider struct {
	version    string
	httpClient *http.Client
	owners     *linkOwners                     // one per provider instance, so per Terraform run (plan, or apply)
	client     atomic.Pointer[patronus.Client] // once configured (server.go reads sites with it)
}

type providerModel struct {
	URL        types.String `tfsdk:"url"`
	Token      types.String `tfsdk:"token"`
	MaxRetries types.Int64  `tfsdk:"max_retries"`
}

func (p *patronusProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "patronus"
	resp.Version = p.version
}

func (p *patronusProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Patronus provider manages a tenant of the [Patronus](https://patronus.dev) SD-WAN " +
			"control plane: its sites, WAN links, topology, peerings, QoS classes, policies, enrollment tokens, " +
			"users and API tokens, and (with a platform token) tenants.\n\n" +
			"Requests that the server answers with 429 or 503 are retried with backoff, honouring `Retry-After`; " +
			"every creation carries an `Idempotency-Key`, so a retry never creates twice. Updates and deletions " +
			"send `If-Match` with the ETag Terraform last read: a change made outside Terraform in between makes " +
			"the apply fail rather than be silently overwritten, and shows as drift in the next plan.",
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Base URL of the Patronus API, e.g. `https://patronus.example.com`. " +
					"Defaults to the `PATRONUS_URL` environment variable.",
			},
			"token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Bearer token: a tenant API token (`ptrn_api_...`) for everything in a tenant, or a " +
					"platform token (`ptrn_plat_...`) for `patronus_tenant`. Defaults to the `PATRONUS_TOKEN` " +
					"environment variable.",
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times a request answered with 429 or 503 (or whose connection failed) is " +
					"retried, with exponential backoff or what `Retry-After` says. Defaults to the " +
					"`PATRONUS_MAX_RETRIES` environment variable, else 5; 0 turns retries off.",
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
		},
	}
}

func (p *patronusProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for name, v := range map[string]types.String{"url": config.URL, "token": config.Token} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown Patronus "+name,
				"The provider's "+name+" depends on a value not known before apply. Set it to a known value, or "+
					"use the PATRONUS_"+envName(name)+" environment variable.")
		}
	}
	if config.MaxRetries.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("max_retries"), "Unknown max_retries",
			"max_retries depends on a value not known before apply; set it to a known value.")
	}
	if resp.Diagnostics.HasError() {
		return
	}

	url := os.Getenv("PATRONUS_URL")
	if !config.URL.IsNull() {
		url = config.URL.ValueString()
	}
	token := os.Getenv("PATRONUS_TOKEN")
	if !config.Token.IsNull() {
		token = config.Token.ValueString()
	}
	retries := int64(patronus.DefaultRetryPolicy.MaxRetries)
	if v := os.Getenv("PATRONUS_MAX_RETRIES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 0 {
			resp.Diagnostics.AddError("Invalid PATRONUS_MAX_RETRIES", "PATRONUS_MAX_RETRIES must be a whole number of 0 or more, not "+strconv.Quote(v)+".")
			return
		}
		retries = n
	}
	if !config.MaxRetries.IsNull() {
		retries = config.MaxRetries.ValueInt64()
	}
	if url == "" {
		resp.Diagnostics.AddAttributeError(path.Root("url"), "Missing Patronus URL",
			"Set the provider's url, or the PATRONUS_URL environment variable, to the base URL of the Patronus API.")
	}
	if token == "" {
		resp.Diagnostics.AddAttributeError(path.Root("token"), "Missing Patronus token",
			"Set the provider's token, or the PATRONUS_TOKEN environment variable, to an API token of the tenant "+
				"(ptrn_api_...) or, for tenants, a platform token (ptrn_plat_...).")
	}
	if resp.Diagnostics.HasError() {
		return
	}

	httpClient := p.httpClient
	if httpClient == nil {
		httpClient = defaultHTTPClient()
	}
	client, err := patronus.New(
		patronus.WithURL(url),
		patronus.WithToken(token),
		patronus.WithMaxRetries(int(retries)),
		patronus.WithHTTPClient(httpClient),
		patronus.WithUserAgent("terraform-provider-patronus/"+p.version+" (+https://patronus.dev) terraform/"+req.TerraformVersion),
	)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the Patronus client", err.Error())
		return
	}
	data := &providerData{client: client, owners: p.owners}
	p.client.Store(client)
	resp.ResourceData = data
	resp.DataSourceData = data
}

func envName(attr string) string {
	switch attr {
	case "url":
		return "URL"
	default:
		return "TOKEN"
	}
}

// defaultHTTPClient keeps enough idle connections for Terraform's parallelism (10 by default; the
// standard transport keeps 2 per host, so most requests would open a new connection).
func defaultHTTPClient() *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = 64
	transport.MaxIdleConnsPerHost = 64
	transport.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	return &http.Client{Timeout: 60 * time.Second, Transport: transport}
}

func (p *patronusProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newSiteResource,
		newLinkResource,
		newTopologyResource,
		newIdentityProviderResource,
		newSiteBGPResource,
		newPeeringResource,
		newQosClassResource,
		newApplicationResource,
		newPolicyResource,
		newEnrollmentTokenResource,
		newUserResource,
		newAPITokenResource,
		newTenantResource,
	}
}

func (p *patronusProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newSiteDataSource,
		newSitesDataSource,
		newSiteConfigDataSource,
		newSiteStatusDataSource,
		newSitePathsDataSource,
		newSiteBGPRoutesDataSource,
		newTenantDataSource,
	}
}

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	client *patronus.Client
	owners *linkOwners // the provider instance's
}

package provider

// The provider's protocol server: the framework's, except for two requests about patronus_site
// that it answers itself: the plan of a site that changes nothing, and the read of a site.
//
// In a plan of a fleet with nothing to change, Terraform asks the provider to plan every site, and
// the framework's PlanResourceChange walks the site's whole value several times (defaults, unknown
// marking, attribute plan modifiers), looking each path up in the schema: about half of the
// provider's CPU in `terraform plan` of 1,000 sites (BENCHMARKS.md, "Links inline"). When the
// configuration, with the schema's defaults, says what the prior state says, the framework's
// answer is the prior state: nothing to default, and what the plan modifiers and ModifyPlan would
// put back (siteLinksPlan's links left out, UseStateForUnknown's id and overlay address, the ETag
// of sameButETag) is what the state holds. So that case is answered from the raw values, decoded
// once, after ModifyPlan's check of links managed in two places. Everything else (a creation, a
// destruction, a change, an unknown value, a diagnostic) goes to the framework, unchanged.
// TestSitePlanShortcutAgreesWithTheFramework holds the two to the same answers.
//
// The read: the framework converts the state it is given (a walk over the whole value), calls
// Read, then walks the new state twice more (semantic equality, write-only attributes: the site
// has neither) before converting it back; siteResource.Read itself is a GET and a conversion.
// Once the provider is configured, the read of a site is that GET and conversion here, with the
// same answers: the site's state, a null state on a 404, the current state with the error
// otherwise. TestSiteReadShortcutAgreesWithTheFramework compares them.

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
)

// NewServer is the protocol server of a provider from New or NewWithHTTPClient.
func NewServer(newProvider func() provider.Provider) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		p := newProvider()
		framework, err := providerserver.NewProtocol6WithError(p)()
		if err != nil {
			return nil, err
		}
		pp, ok := p.(*patronusProvider)
		if !ok {
			return framework, nil
		}
		return &server{ProviderServer: framework, owners: pp.owners, provider: pp}, nil
	}
}

type server struct {
	tfprotov6.ProviderServer
	owners   *linkOwners
	provider *patronusProvider
}

func (s *server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	if req.TypeName == "patronus_site" {
		if resp, ok := s.readSite(ctx, req); ok {
			return resp, nil
		}
	}
	return s.ProviderServer.ReadResource(ctx, req)
}

// readSite is siteResource.Read without the framework; ok is false, before any request, when it
// leaves the read to the framework (not configured yet, a state without a valid id).
func (s *server) readSite(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, bool) {
	client := s.provider.client.Load()
	if client == nil || req.CurrentState == nil {
		return nil, false
	}
	typ := siteObjectType().TerraformType(ctx)
	current, err := req.CurrentState.Unmarshal(typ)
	var state map[string]tftypes.Value
	var idText string
	if err != nil || current.IsNull() || current.As(&state) != nil || state["id"].As(&idText) != nil {
		return nil, false
	}
	id, err := patronus.ParseID(idText)
	if err != nil {
		return nil, false
	}
	resp := &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}
	var diags diag.Diagnostics
	next := tftypes.NewValue(typ, nil) // gone: Terraform drops it from the state
	site, err := client.Sites.Get(ctx, id)
	switch {
	case patronus.IsNotFound(err):
	case err != nil:
		addAPIError(&diags, nil, nil, "read the site", err)
	default:
		next, diags = siteFromAPI(site).raw(ctx)
	}
	if !diags.HasError() {
		dv, err := tfprotov6.NewDynamicValue(typ, next)
		if err != nil {
			diags.AddError("Unexpected value of a site", err.Error()+": this is a bug in the provider")
		} else {
			resp.NewState = &dv
		}
	}
	for _, d := range diags {
		severity := tfprotov6.DiagnosticSeverityError
		if d.Severity() == diag.SeverityWarning {
			severity = tfprotov6.DiagnosticSeverityWarning
		}
		resp.Diagnostics = append(resp.Diagnostics, &tfprotov6.Diagnostic{Severity: severity, Summary: d.Summary(), Detail: d.Detail()})
	}
	return resp, true
}

func (s *server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if req.TypeName == "patronus_site" && s.siteUnchanged(ctx, req) {
		return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.PriorState, PlannedPrivate: req.PriorPrivate}, nil
	}
	return s.ProviderServer.PlanResourceChange(ctx, req)
}

// siteDefaults are the defaults of patronus_site's attributes and of a link's in `links`, as
// Terraform values; ok is false when the schema has a default of a kind this file does not read
// (the shortcut is then never taken).
func siteDefaults() (site, link map[string]tftypes.Value, ok bool) {
	d := siteDefaultValues()
	return d.site, d.link, d.ok
}

var siteDefaultValues = sync.OnceValue(func() (d struct {
	site, link map[string]tftypes.Value
	ok         bool
}) {
	ctx := context.Background()
	var okSite, okLink bool
	d.site, okSite = attributeDefaults(ctx, siteResourceSchema().Attributes)
	d.link, okLink = attributeDefaults(ctx, siteLinkAttributes())
	d.ok = okSite && okLink
	return d
})

func attributeDefaults(ctx context.Context, attributes map[string]schema.Attribute) (map[string]tftypes.Value, bool) {
	out := map[string]tftypes.Value{}
	for name, a := range attributes {
		var v attr.Value
		switch a := a.(type) {
		case schema.StringAttribute:
			if a.Default != nil {
				resp := defaults.StringResponse{}
				a.Default.DefaultString(ctx, defaults.StringRequest{}, &resp)
				v = resp.PlanValue
			}
		case schema.Int64Attribute:
			if a.Default != nil {
				resp := defaults.Int64Response{}
				a.Default.DefaultInt64(ctx, defaults.Int64Request{}, &resp)
				v = resp.PlanValue
			}
		case schema.MapAttribute:
			if a.Default != nil {
				resp := defaults.MapResponse{}
				a.Default.DefaultMap(ctx, defaults.MapRequest{}, &resp)
				v = resp.PlanValue
			}
		case schema.SetAttribute:
			if a.Default != nil {
				resp := defaults.SetResponse{}
				a.Default.DefaultSet(ctx, defaults.SetRequest{}, &resp)
				v = resp.PlanValue
			}
		case schema.MapNestedAttribute:
			if a.Default != nil {
				return nil, false
			}
		default:
			return nil, false
		}
		if v == nil {
			continue
		}
		tv, err := v.ToTerraformValue(ctx)
		if err != nil {
			return nil, false
		}
		out[name] = tv
	}
	return out, true
}

// siteUnchanged tells whether the framework's plan of a site would be its prior state (see the
// top of this file), having made ModifyPlan's record of the links it sets.
func (s *server) siteUnchanged(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) bool {
	siteDefault, linkDefault, ok := siteDefaults()
	if !ok || req.PriorState == nil || req.ProposedNewState == nil || req.Config == nil {
		return false
	}
	typ := siteObjectType().TerraformType(ctx)
	prior, err1 := req.PriorState.Unmarshal(typ)
	proposed, err2 := req.ProposedNewState.Unmarshal(typ)
	config, err3 := req.Config.Unmarshal(typ)
	if err1 != nil || err2 != nil || err3 != nil || prior.IsNull() || proposed.IsNull() || !config.IsFullyKnown() ||
		!proposed.IsFullyKnown() || !prior.IsFullyKnown() {
		return false
	}
	var state, plan, conf map[string]tftypes.Value
	if prior.As(&state) != nil || proposed.As(&plan) != nil || config.As(&conf) != nil || len(plan) != len(state) {
		return false
	}
	for name, v := range plan {
		d, hasDefault := siteDefault[name]
		switch {
		case name == "links" && conf[name].IsNull():
			v = state[name] // siteLinksPlan
		case name == "links":
			v = linksWithDefaults(v, conf[name], linkDefault)
		case hasDefault && conf[name].IsNull():
			v = d
		}
		if !v.Equal(state[name]) {
			return false
		}
	}
	return s.owners == nil || !checkMixedLinks(s.owners, state, conf).HasError()
}

// linksWithDefaults is a planned link map with the defaults of the fields its configuration leaves
// out, as the framework applies them.
func linksWithDefaults(planned, config tftypes.Value, defaults map[string]tftypes.Value) tftypes.Value {
	var links, configLinks map[string]tftypes.Value
	if planned.As(&links) != nil || config.As(&configLinks) != nil {
		return planned
	}
	out := make(map[string]tftypes.Value, len(links))
	for key, link := range links {
		var fields, configFields map[string]tftypes.Value
		if link.As(&fields) != nil || configLinks[key].As(&configFields) != nil {
			return planned
		}
		with := make(map[string]tftypes.Value, len(fields))
		for name, v := range fields {
			if d, ok := defaults[name]; ok && (configFields == nil || configFields[name].IsNull()) {
				v = d
			}
			with[name] = v
		}
		out[key] = tftypes.NewValue(link.Type(), with)
	}
	return tftypes.NewValue(planned.Type(), out)
}

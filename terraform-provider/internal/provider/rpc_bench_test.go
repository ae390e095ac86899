package provider

// What the provider costs per patronus_site with two inline links, RPC by RPC, as Terraform calls
// it (bench/terraform.sh SHAPE=inline), against a fake API that answers at once: the provider's
// own CPU, without Terraform, the network or the server.
//
//	go test -run '^$' -bench RPC -benchmem ./internal/provider/
//	go test -run '^$' -bench RPC -cpuprofile /tmp/cpu.out ./internal/provider/ && go tool pprof -top /tmp/cpu.out

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// rpcBench is a configured provider server, the schema of patronus_site, and the values of one
// site of the bench as configuration, as a plan and as state.
type rpcBench struct {
	server                 tfprotov6.ProviderServer
	typ                    tftypes.Type
	config, planned, state *tfprotov6.DynamicValue
	rawState               []byte
}

func newRPCBench(b *testing.B) *rpcBench {
	b.Helper()
	ctx := context.Background()
	site := apiSiteWithLinks()
	site.Labels = map[string]string{"bench": "terraform"}
	site.LanPrefixes = []string{"10.0.1.0/24"}
	// What the configuration leaves out holds its default, as in the bench (or nothing is unchanged).
	site.Description, site.Location, site.Role = "", "", api.SiteRoleEdge
	body, err := json.Marshal(site)
	if err != nil {
		b.Fatal(err)
	}
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", site.Etag)
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
		}
		_, _ = w.Write(body)
	}))
	b.Cleanup(fake.Close)

	server, err := NewServer(New("bench"))()
	if err != nil {
		b.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		b.Fatal(err)
	}
	providerType := schemas.Provider.ValueType()
	providerConfig, err := tfprotov6.NewDynamicValue(providerType, tftypes.NewValue(providerType, map[string]tftypes.Value{
		"url":         tftypes.NewValue(tftypes.String, fake.URL),
		"token":       tftypes.NewValue(tftypes.String, "ptrn_api_bench"),
		"max_retries": tftypes.NewValue(tftypes.Number, nil),
	}))
	if err != nil {
		b.Fatal(err)
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &providerConfig})
	if err != nil || len(resp.Diagnostics) > 0 {
		b.Fatalf("configure: %v %v", err, resp.Diagnostics)
	}

	r := &rpcBench{server: server, typ: schemas.ResourceSchemas["patronus_site"].ValueType()}
	sch := siteResourceSchema()
	value := func(m siteModel) *tfprotov6.DynamicValue {
		s := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(r.typ, nil)}
		if diags := s.Set(ctx, m); diags.HasError() {
			b.Fatal(diags)
		}
		dv, err := tfprotov6.NewDynamicValue(r.typ, s.Raw)
		if err != nil {
			b.Fatal(err)
		}
		return &dv
	}
	state := siteFromAPI(site)
	r.state = value(state)
	planned := state
	planned.ID, planned.OverlayAddress, planned.Etag = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	r.planned = value(planned)
	config := planned
	config.ID, config.OverlayAddress, config.Etag = types.StringNull(), types.StringNull(), types.StringNull()
	config.Description, config.Location, config.Role, config.ListenPort = types.StringNull(), types.StringNull(), types.StringNull(), types.Int64Null()
	// As written: lte has no endpoint and fiber no cost (as bench/terraform/inline.tf).
	elems := map[string]attr.Value{}
	for name, e := range state.Links.Elements() {
		a := map[string]attr.Value{}
		for k, v := range e.(types.Object).Attributes() {
			a[k] = v
		}
		if name == "fiber" {
			a["cost"] = types.Int64Null()
		}
		elems[name] = types.ObjectValueMust(siteLinkType.AttrTypes, a)
	}
	config.Links = types.MapValueMust(siteLinkType, elems)
	r.config = value(config)
	raw, err := r.state.Unmarshal(r.typ)
	if err != nil {
		b.Fatal(err)
	}
	r.rawState, err = json.Marshal(stateJSON(b, raw))
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// stateJSON is a value as Terraform keeps it in its state file.
func stateJSON(b *testing.B, v tftypes.Value) any {
	switch {
	case v.IsNull():
		return nil
	case v.Type().Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return s
	case v.Type().Is(tftypes.Number):
		var n float64
		_ = v.As(&n)
		return n
	case v.Type().Is(tftypes.Map{}) || v.Type().Is(tftypes.Object{}):
		m := map[string]tftypes.Value{}
		_ = v.As(&m)
		out := map[string]any{}
		for k, e := range m {
			out[k] = stateJSON(b, e)
		}
		return out
	default:
		var l []tftypes.Value
		if err := v.As(&l); err != nil {
			b.Fatalf("%s: %v", v.Type(), err)
		}
		out := []any{}
		for _, e := range l {
			out = append(out, stateJSON(b, e))
		}
		return out
	}
}

func check(b *testing.B, what string, err error, diags []*tfprotov6.Diagnostic) {
	if err != nil {
		b.Fatalf("%s: %v", what, err)
	}
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			b.Fatalf("%s: %s: %s", what, d.Summary, d.Detail)
		}
	}
}

// BenchmarkRPCSiteCreate: what one site costs the provider in `terraform apply` (validation in the
// validate and plan walks, the plan twice, the creation).
func BenchmarkRPCSiteCreate(b *testing.B) {
	r := newRPCBench(b)
	ctx := context.Background()
	null, _ := tfprotov6.NewDynamicValue(r.typ, tftypes.NewValue(r.typ, nil))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for range 2 {
			v, err := r.server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "patronus_site", Config: r.config})
			check(b, "validate", err, v.Diagnostics)
		}
		var planned *tfprotov6.DynamicValue
		for range 2 {
			p, err := r.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: "patronus_site", PriorState: &null, ProposedNewState: r.config, Config: r.config,
			})
			check(b, "plan", err, p.Diagnostics)
			planned = p.PlannedState
		}
		a, err := r.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
			TypeName: "patronus_site", PriorState: &null, PlannedState: planned, Config: r.config,
		})
		check(b, "apply", err, a.Diagnostics)
	}
}

// BenchmarkRPCSitePlanNoChange: what one site costs the provider in `terraform plan` with nothing
// to change (validation, state upgrade, the read, the plan).
func BenchmarkRPCSitePlanNoChange(b *testing.B) {
	r := newRPCBench(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, err := r.server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "patronus_site", Config: r.config})
		check(b, "validate", err, v.Diagnostics)
		u, err := r.server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
			TypeName: "patronus_site", RawState: &tfprotov6.RawState{JSON: r.rawState}, Version: 1,
		})
		check(b, "upgrade", err, u.Diagnostics)
		rd, err := r.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "patronus_site", CurrentState: u.UpgradedState})
		check(b, "read", err, rd.Diagnostics)
		p, err := r.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName: "patronus_site", PriorState: rd.NewState, ProposedNewState: rd.NewState, Config: r.config,
		})
		check(b, "plan", err, p.Diagnostics)
		if p.RequiresReplace != nil {
			b.Fatal("replace")
		}
	}
}

// BenchmarkRPCEach: each RPC alone, to see which costs what.
func BenchmarkRPCEach(b *testing.B) {
	r := newRPCBench(b)
	ctx := context.Background()
	null, _ := tfprotov6.NewDynamicValue(r.typ, tftypes.NewValue(r.typ, nil))
	p, _ := r.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: "patronus_site", PriorState: &null, ProposedNewState: r.config, Config: r.config,
	})
	planned := p.PlannedState
	b.Run("Validate", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = r.server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "patronus_site", Config: r.config})
		}
	})
	b.Run("PlanCreate", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = r.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: "patronus_site", PriorState: &null, ProposedNewState: r.config, Config: r.config,
			})
		}
	})
	b.Run("ApplyCreate", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = r.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
				TypeName: "patronus_site", PriorState: &null, PlannedState: planned, Config: r.config,
			})
		}
	})
	b.Run("Upgrade", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = r.server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
				TypeName: "patronus_site", RawState: &tfprotov6.RawState{JSON: r.rawState}, Version: 1,
			})
		}
	})
	b.Run("Read", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = r.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "patronus_site", CurrentState: r.state})
		}
	})
	b.Run("PlanNoChange", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = r.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: "patronus_site", PriorState: r.state, ProposedNewState: r.state, Config: r.config,
			})
		}
	})
}

// The framework's own cost of the shape of `links`: the validation and the plan of a site's
// creation (no API call) with its two links as the map keyed by name that it is, as the set of
// named objects it was until BENCHMARKS.md's section on inline links measured it (with the
// fields' defaults left to a plan modifier then, because a set element's configuration is found
// by value; none here), as a list, and with no links at all. A set's elements are found by their
// whole value in every path the framework walks, logs and compares. Figures: BENCHMARKS.md.
//
//	go test -run '^$' -bench LinksShape ./internal/provider/

// shapeRes is a resource with a given schema that does nothing.
type shapeRes struct{ s schema.Schema }

func (r shapeRes) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "x_site"
}
func (r shapeRes) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.s
}
func (shapeRes) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}
func (shapeRes) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (shapeRes) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (shapeRes) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

type shapeProv struct{ s schema.Schema }

func (p shapeProv) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "x"
}
func (p shapeProv) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (p shapeProv) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (p shapeProv) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return shapeRes{p.s} }}
}
func (p shapeProv) DataSources(context.Context) []func() datasource.DataSource { return nil }

func benchShape(b *testing.B, s schema.Schema, links tftypes.Value) {
	ctx := context.Background()
	srv, _ := providerserver.NewProtocol6WithError(shapeProv{s})()
	typ := s.Type().TerraformType(ctx)
	obj := map[string]tftypes.Value{}
	for name, at := range typ.(tftypes.Object).AttributeTypes {
		obj[name] = tftypes.NewValue(at, nil)
	}
	obj["name"] = tftypes.NewValue(tftypes.String, "bench-0001")
	if _, ok := obj["links"]; ok {
		obj["links"] = links
	}
	cfg, _ := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, obj))
	b.Run("Validate", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			r, _ := srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "x_site", Config: &cfg})
			if len(r.Diagnostics) > 0 {
				b.Fatal(r.Diagnostics[0].Summary, r.Diagnostics[0].Detail)
			}
		}
	})
	null, _ := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	b.Run("PlanCreate", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			r, _ := srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: "x_site", PriorState: &null, ProposedNewState: &cfg, Config: &cfg})
			if len(r.Diagnostics) > 0 {
				b.Fatal(r.Diagnostics[0].Summary, r.Diagnostics[0].Detail)
			}
		}
	})
}

func linkObj(t tftypes.Object, name string) tftypes.Value {
	m := map[string]tftypes.Value{}
	for n, at := range t.AttributeTypes {
		m[n] = tftypes.NewValue(at, nil)
	}
	if _, ok := m["name"]; ok {
		m["name"] = tftypes.NewValue(tftypes.String, name)
	}
	m["interface"] = tftypes.NewValue(tftypes.String, "eth1")
	m["bandwidth_up_mbps"] = tftypes.NewValue(tftypes.Number, 5)
	m["bandwidth_down_mbps"] = tftypes.NewValue(tftypes.Number, 5)
	m["kind"] = tftypes.NewValue(tftypes.String, "fiber")
	m["cost"] = tftypes.NewValue(tftypes.Number, 0)
	m["priority"] = tftypes.NewValue(tftypes.Number, 1)
	return tftypes.NewValue(t, m)
}

func BenchmarkLinksShape(b *testing.B) {
	ctx := context.Background()
	mp := siteResourceSchema()
	mt := mp.Type().TerraformType(ctx).(tftypes.Object).AttributeTypes["links"].(tftypes.Map).ElementType.(tftypes.Object)
	b.Run("map", func(b *testing.B) {
		benchShape(b, mp, tftypes.NewValue(tftypes.Map{ElementType: mt}, map[string]tftypes.Value{"fiber": linkObj(mt, "fiber"), "lte": linkObj(mt, "lte")}))
	})
	// The set's objects: patronus_link's fields with the name, without schema defaults.
	named := linkFieldAttributes()
	for _, name := range []string{"kind", "cost", "priority"} {
		switch a := named[name].(type) {
		case schema.StringAttribute:
			a.Default = nil
			named[name] = a
		case schema.Int64Attribute:
			a.Default = nil
			named[name] = a
		}
	}
	set := siteResourceSchema()
	set.Attributes["links"] = schema.SetNestedAttribute{Optional: true, Computed: true, NestedObject: schema.NestedAttributeObject{Attributes: named}}
	ot := set.Type().TerraformType(ctx).(tftypes.Object).AttributeTypes["links"].(tftypes.Set).ElementType.(tftypes.Object)
	b.Run("set", func(b *testing.B) {
		benchShape(b, set, tftypes.NewValue(tftypes.Set{ElementType: ot}, []tftypes.Value{linkObj(ot, "fiber"), linkObj(ot, "lte")}))
	})
	list := siteResourceSchema()
	list.Attributes["links"] = schema.ListNestedAttribute{Optional: true, Computed: true, NestedObject: schema.NestedAttributeObject{Attributes: named}}
	b.Run("list", func(b *testing.B) {
		benchShape(b, list, tftypes.NewValue(tftypes.List{ElementType: ot}, []tftypes.Value{linkObj(ot, "fiber"), linkObj(ot, "lte")}))
	})
	none := siteResourceSchema()
	delete(none.Attributes, "links")
	b.Run("none", func(b *testing.B) {
		benchShape(b, none, tftypes.NewValue(tftypes.String, nil))
	})
}

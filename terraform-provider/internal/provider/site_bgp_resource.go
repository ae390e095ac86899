package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/oapi-codegen/nullable"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

const (
	defaultBGPKeepalive          = 60
	defaultBGPHoldTime           = 180
	defaultBGPMaxLearnedPrefixes = 1000
)

type siteBGPModel struct {
	ID                 types.String       `tfsdk:"id"`
	SiteID             types.String       `tfsdk:"site_id"`
	LocalASN           types.Int64        `tfsdk:"local_asn"`
	RouterID           types.String       `tfsdk:"router_id"`
	Neighbors          []bgpNeighborModel `tfsdk:"neighbors"`
	Networks           types.Set          `tfsdk:"networks"`
	PrefixLists        []bgpPrefixList    `tfsdk:"prefix_lists"`
	RouteMaps          []bgpRouteMapModel `tfsdk:"route_maps"`
	OverlayImport      types.Bool         `tfsdk:"overlay_import"`
	MaxLearnedPrefixes types.Int64        `tfsdk:"max_learned_prefixes"`
	Etag               types.String       `tfsdk:"etag"`
}

type bgpNeighborModel struct {
	Address     types.String `tfsdk:"address"`
	RemoteASN   types.Int64  `tfsdk:"remote_asn"`
	Description types.String `tfsdk:"description"`
	Password    types.String `tfsdk:"password"`
	Keepalive   types.Int64  `tfsdk:"keepalive"`
	HoldTime    types.Int64  `tfsdk:"hold_time"`
	BFD         types.Bool   `tfsdk:"bfd"`
	RouteMapIn  types.String `tfsdk:"route_map_in"`
	RouteMapOut types.String `tfsdk:"route_map_out"`
}

type bgpPrefixList struct {
	Name    types.String          `tfsdk:"name"`
	Entries []bgpPrefixEntryModel `tfsdk:"entries"`
}

type bgpPrefixEntryModel struct {
	Action types.String `tfsdk:"action"`
	Prefix types.String `tfsdk:"prefix"`
	Ge     types.Int64  `tfsdk:"ge"`
	Le     types.Int64  `tfsdk:"le"`
}

type bgpRouteMapModel struct {
	Name    types.String            `tfsdk:"name"`
	Entries []bgpRouteMapEntryModel `tfsdk:"entries"`
}

type bgpRouteMapEntryModel struct {
	Action             types.String `tfsdk:"action"`
	MatchPrefixList    types.String `tfsdk:"match_prefix_list"`
	MatchCommunities   types.List   `tfsdk:"match_communities"`
	SetLocalPreference types.Int64  `tfsdk:"set_local_preference"`
	SetMED             types.Int64  `tfsdk:"set_med"`
	SetCommunities     types.List   `tfsdk:"set_communities"`
}

func optString(s *string) types.String {
	if s == nil {
		return types.StringNull()
	}
	return types.StringValue(*s)
}

func optInt64[T int32 | int64](n nullable.Nullable[T]) types.Int64 {
	if v, err := n.Get(); err == nil {
		return types.Int64Value(int64(v))
	}
	return types.Int64Null()
}

func toNullableString(v types.String) nullable.Nullable[string] {
	if v.IsNull() || v.IsUnknown() {
		return nullable.Nullable[string]{}
	}
	return patronus.Value(v.ValueString())
}

func nullableInt[T int32 | int64](v types.Int64) nullable.Nullable[T] {
	if v.IsNull() || v.IsUnknown() {
		return nullable.Nullable[T]{}
	}
	return patronus.Value(T(v.ValueInt64()))
}

// optionalList: nil (the API's "none") as an empty list when the configuration had one, else null.
func optionalList(values []string, prior types.List) types.List {
	if len(values) == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.ListNull(types.StringType)
	}
	return stringsToList(values)
}

// siteBGPFromAPI converts the settings. The API never returns a neighbour's password: the
// prior's (by address) is kept, so state holds what the configuration said.
func siteBGPFromAPI(b *api.SiteBgp, prior *siteBGPModel) siteBGPModel {
	passwords := map[string]types.String{}
	var priorMaps []bgpRouteMapModel
	if prior != nil {
		for _, n := range prior.Neighbors {
			passwords[n.Address.ValueString()] = n.Password
		}
		priorMaps = prior.RouteMaps
	}
	m := siteBGPModel{
		ID:                 types.StringValue(b.SiteID.String()),
		SiteID:             types.StringValue(b.SiteID.String()),
		LocalASN:           types.Int64Value(b.LocalAsn),
		RouterID:           types.StringValue(b.RouterID),
		Networks:           stringsToSet(b.Networks),
		OverlayImport:      types.BoolValue(b.OverlayImport),
		MaxLearnedPrefixes: types.Int64Value(int64(b.MaxLearnedPrefixes)),
		Etag:               types.StringValue(b.Etag),
	}
	for _, n := range b.Neighbors {
		password, ok := passwords[n.Address]
		if !ok || !n.PasswordSet {
			password = types.StringNull()
		}
		m.Neighbors = append(m.Neighbors, bgpNeighborModel{
			Address:     types.StringValue(n.Address),
			RemoteASN:   types.Int64Value(n.RemoteAsn),
			Description: types.StringValue(n.Description),
			Password:    password,
			Keepalive:   types.Int64Value(int64(n.Keepalive)),
			HoldTime:    types.Int64Value(int64(n.HoldTime)),
			BFD:         types.BoolValue(n.Bfd),
			RouteMapIn:  optString(valuePtr(n.RouteMapIn)),
			RouteMapOut: optString(valuePtr(n.RouteMapOut)),
		})
	}
	for _, l := range b.PrefixLists {
		list := bgpPrefixList{Name: types.StringValue(l.Name)}
		for _, e := range l.Entries {
			list.Entries = append(list.Entries, bgpPrefixEntryModel{
				Action: types.StringValue(string(e.Action)),
				Prefix: types.StringValue(e.Prefix),
				Ge:     optInt64(e.Ge),
				Le:     optInt64(e.Le),
			})
		}
		m.PrefixLists = append(m.PrefixLists, list)
	}
	for i, r := range b.RouteMaps {
		rm := bgpRouteMapModel{Name: types.StringValue(r.Name)}
		for j, e := range r.Entries {
			priorMatch, priorSet := types.ListNull(types.StringType), types.ListNull(types.StringType)
			if i < len(priorMaps) && j < len(priorMaps[i].Entries) {
				priorMatch, priorSet = priorMaps[i].Entries[j].MatchCommunities, priorMaps[i].Entries[j].SetCommunities
			}
			rm.Entries = append(rm.Entries, bgpRouteMapEntryModel{
				Action:             types.StringValue(string(e.Action)),
				MatchPrefixList:    optString(valuePtr(e.MatchPrefixList)),
				MatchCommunities:   optionalList(e.MatchCommunities, priorMatch),
				SetLocalPreference: optInt64(e.SetLocalPreference),
				SetMED:             optInt64(e.SetMed),
				SetCommunities:     optionalList(e.SetCommunities, priorSet),
			})
		}
		m.RouteMaps = append(m.RouteMaps, rm)
	}
	return m
}

func valuePtr(n nullable.Nullable[string]) *string {
	if v, err := n.Get(); err == nil {
		return &v
	}
	return nil
}

func listOrNil(l types.List) []string {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	return listToStrings(l)
}

// spec is the PUT body. Terraform owns the whole object: a neighbour without a password in the
// configuration is sent with "" so that the server removes any password set elsewhere.
func (m siteBGPModel) spec() api.SiteBgpSpec {
	s := api.SiteBgpSpec{
		LocalAsn:           nullableInt[int64](m.LocalASN),
		RouterID:           toNullableString(m.RouterID),
		Networks:           setToStrings(m.Networks),
		OverlayImport:      m.OverlayImport.ValueBoolPointer(),
		MaxLearnedPrefixes: int32Ptr(m.MaxLearnedPrefixes),
		Neighbors:          []api.BgpNeighborSpec{},
		PrefixLists:        []api.BgpPrefixList{},
		RouteMaps:          []api.BgpRouteMap{},
	}
	if s.Networks == nil {
		s.Networks = []string{}
	}
	for _, n := range m.Neighbors {
		password := patronus.Value("")
		if !n.Password.IsNull() && !n.Password.IsUnknown() {
			password = patronus.Value(n.Password.ValueString())
		}
		s.Neighbors = append(s.Neighbors, api.BgpNeighborSpec{
			Address:     n.Address.ValueString(),
			RemoteAsn:   n.RemoteASN.ValueInt64(),
			Description: stringPtr(n.Description),
			Password:    password,
			Keepalive:   int32Ptr(n.Keepalive),
			HoldTime:    int32Ptr(n.HoldTime),
			Bfd:         n.BFD.ValueBoolPointer(),
			RouteMapIn:  toNullableString(n.RouteMapIn),
			RouteMapOut: toNullableString(n.RouteMapOut),
		})
	}
	for _, l := range m.PrefixLists {
		list := api.BgpPrefixList{Name: l.Name.ValueString(), Entries: []api.BgpPrefixListEntry{}}
		for _, e := range l.Entries {
			list.Entries = append(list.Entries, api.BgpPrefixListEntry{
				Action: api.BgpAction(e.Action.ValueString()),
				Prefix: e.Prefix.ValueString(),
				Ge:     nullableInt[int32](e.Ge),
				Le:     nullableInt[int32](e.Le),
			})
		}
		s.PrefixLists = append(s.PrefixLists, list)
	}
	for _, r := range m.RouteMaps {
		rm := api.BgpRouteMap{Name: r.Name.ValueString(), Entries: []api.BgpRouteMapEntry{}}
		for _, e := range r.Entries {
			rm.Entries = append(rm.Entries, api.BgpRouteMapEntry{
				Action:             api.BgpAction(e.Action.ValueString()),
				MatchPrefixList:    toNullableString(e.MatchPrefixList),
				MatchCommunities:   listOrNil(e.MatchCommunities),
				SetLocalPreference: nullableInt[int64](e.SetLocalPreference),
				SetMed:             nullableInt[int64](e.SetMED),
				SetCommunities:     listOrNil(e.SetCommunities),
			})
		}
		s.RouteMaps = append(s.RouteMaps, rm)
	}
	return s
}

type siteBGPResource struct{ configured }

var (
	_ resource.ResourceWithConfigure   = (*siteBGPResource)(nil)
	_ resource.ResourceWithImportState = (*siteBGPResource)(nil)
)

func newSiteBGPResource() resource.Resource { return &siteBGPResource{} }

func (r *siteBGPResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_site_bgp"
}

// bgpFilterName: names of prefix lists and route maps (they become words of frr.conf).
var bgpFilterName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,63}$`)

var filterNameRule = stringvalidator.RegexMatches(bgpFilterName, "must be 1 to 63 characters of A-Z, a-z, 0-9, '_', '.', '-'")

func asnAttribute(required bool, description string) schema.Int64Attribute {
	return schema.Int64Attribute{
		Required: required, Optional: !required, Computed: !required,
		MarkdownDescription: description + " 1 to 4294967294; 23456 (AS_TRANS) and 65535 are reserved.",
		Validators: []validator.Int64{
			int64validator.Between(1, 4294967294),
			int64validator.NoneOf(23456, 65535),
		},
	}
}

func siteBGPResourceSchema() schema.Schema {
	action := schema.StringAttribute{
		Required:            true,
		MarkdownDescription: "`permit` or `deny`.",
		Validators:          []validator.String{stringvalidator.OneOf("permit", "deny")},
	}
	communities := func(what string) schema.ListAttribute {
		return schema.ListAttribute{
			ElementType: types.StringType, Optional: true,
			MarkdownDescription: what + " (`AA:NN`, `no-export`, `no-advertise` or `local-AS`).",
			Validators:          []validator.List{listvalidator.SizeAtMost(32)},
		}
	}
	return schema.Schema{
		MarkdownDescription: "A site's BGP settings: one per site, so declare this resource once per site; destroying " +
			"it turns BGP off for the site. The server compiles them into the site's document and the site's agent " +
			"runs them with FRR (which must be installed on the site).\n\nNeighbour passwords are write-only: the API never returns them, so " +
			"a password changed outside Terraform does not show as drift. Terraform owns the whole object: a " +
			"neighbour without `password` has none.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The site's id."),
			"site_id": schema.StringAttribute{
				Required: true, MarkdownDescription: "The site.",
				Validators:    []validator.String{uuidRule},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"local_asn": asnAttribute(false, "The site's ASN (default 4200000000 plus the site's host number in the overlay prefix)."),
			"router_id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "BGP router id, an IPv4 address (default the site's overlay address).",
			},
			"neighbors": schema.ListNestedAttribute{
				Optional: true, MarkdownDescription: "Neighbours, each inside one of the site's LAN prefixes.",
				Validators: []validator.List{listvalidator.SizeAtMost(64)},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"address":    schema.StringAttribute{Required: true, MarkdownDescription: "IPv4 or IPv6 address."},
					"remote_asn": asnAttribute(true, "The neighbour's ASN."),
					"description": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(""),
						Validators: []validator.String{textRule(200)},
					},
					"password": schema.StringAttribute{
						Optional: true, Sensitive: true,
						MarkdownDescription: "TCP MD5 password, 1 to 80 printable ASCII characters without spaces. Write-only.",
						Validators: []validator.String{
							stringvalidator.LengthBetween(1, 80),
						},
					},
					"keepalive": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(defaultBGPKeepalive),
						MarkdownDescription: "Seconds (default 60), at most a third of `hold_time`.",
						Validators:          []validator.Int64{int64validator.Between(0, 65535)},
					},
					"hold_time": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(defaultBGPHoldTime),
						MarkdownDescription: "Seconds, 0 or 3 to 65535 (default 180).",
						Validators:          []validator.Int64{int64validator.Between(0, 65535), int64validator.NoneOf(1, 2)},
					},
					"bfd": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(false),
					},
					"route_map_in": schema.StringAttribute{
						Optional: true, MarkdownDescription: "A route map of `route_maps` for what the neighbour sends.",
						Validators: []validator.String{filterNameRule},
					},
					"route_map_out": schema.StringAttribute{
						Optional: true, MarkdownDescription: "A route map of `route_maps` for what the site sends.",
						Validators: []validator.String{filterNameRule},
					},
				}},
			},
			"networks": schema.SetAttribute{
				ElementType: types.StringType, Optional: true, Computed: true,
				MarkdownDescription: "Prefixes the site advertises; none may overlap another site's LAN prefixes or networks.",
				Validators:          []validator.Set{disjointPrefixes{}},
			},
			"prefix_lists": schema.ListNestedAttribute{
				Optional: true, MarkdownDescription: "Prefix lists; entries are tried in order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{Required: true, Validators: []validator.String{filterNameRule}},
					"entries": schema.ListNestedAttribute{
						Required: true, Validators: []validator.List{listvalidator.SizeBetween(1, 256)},
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"action": action,
							"prefix": schema.StringAttribute{Required: true, Validators: []validator.String{prefixRule}},
							"ge": schema.Int64Attribute{
								Optional: true, MarkdownDescription: "Longer than the prefix, at most `le`.",
								Validators: []validator.Int64{int64validator.Between(1, 128)},
							},
							"le": schema.Int64Attribute{
								Optional: true, MarkdownDescription: "Longer than the prefix.",
								Validators: []validator.Int64{int64validator.Between(1, 128)},
							},
						}},
					},
				}},
			},
			"route_maps": schema.ListNestedAttribute{
				Optional: true, MarkdownDescription: "Route maps; entries are tried in order, and a route none permits is denied.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{Required: true, Validators: []validator.String{filterNameRule}},
					"entries": schema.ListNestedAttribute{
						Required: true, Validators: []validator.List{listvalidator.SizeBetween(1, 256)},
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"action": action,
							"match_prefix_list": schema.StringAttribute{
								Optional: true, MarkdownDescription: "A prefix list of `prefix_lists`.",
								Validators: []validator.String{filterNameRule},
							},
							"match_communities":    communities("Communities a route must all carry"),
							"set_local_preference": schema.Int64Attribute{Optional: true, Validators: []validator.Int64{int64validator.Between(0, 4294967295)}},
							"set_med":              schema.Int64Attribute{Optional: true, Validators: []validator.Int64{int64validator.Between(0, 4294967295)}},
							"set_communities":      communities("Communities added to the route"),
						}},
					},
				}},
			},
			"overlay_import": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Whether learned prefixes may enter the overlay (default false).",
			},
			"max_learned_prefixes": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(defaultBGPMaxLearnedPrefixes),
				MarkdownDescription: "Per neighbour, 1 to 100000 (default 1000): one more and the site stops accepting from it.",
				Validators:          []validator.Int64{int64validator.Between(1, 100000)},
			},
			"etag": etagAttribute(),
		},
	}
}

func (r *siteBGPResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = siteBGPResourceSchema()
}

func (r *siteBGPResource) put(ctx context.Context, plan siteBGPModel, etag, action string, diags *diag.Diagnostics) *siteBGPModel {
	siteID, ok := parseID(plan.SiteID, "site_id", diags)
	if !ok {
		return nil
	}
	body := plan.spec()
	bgp, err := r.client.SiteBGP.Put(ctx, siteID, body, etag)
	if err != nil {
		addAPIError(diags, siteBGPResourceSchema().Type(), body, action, err)
		return nil
	}
	m := siteBGPFromAPI(bgp, &plan)
	return &m
}

func (r *siteBGPResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan siteBGPModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// If-Match "*" would fail when the site has no settings, and settings made elsewhere are
	// taken over, as for the topology.
	if m := r.put(ctx, plan, "", "set the site's BGP settings", &resp.Diagnostics); m != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	}
}

func (r *siteBGPResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state siteBGPModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	siteID, ok := parseID(state.SiteID, "site_id", &resp.Diagnostics)
	if !ok {
		return
	}
	bgp, err := r.client.SiteBGP.Get(ctx, siteID)
	if patronus.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the site's BGP settings", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, siteBGPFromAPI(bgp, &state))...)
}

func (r *siteBGPResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state siteBGPModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m := r.put(ctx, plan, state.Etag.ValueString(), "update the site's BGP settings", &resp.Diagnostics); m != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	}
}

func (r *siteBGPResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state siteBGPModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	siteID, ok := parseID(state.SiteID, "site_id", &resp.Diagnostics)
	if !ok {
		return
	}
	err := r.client.SiteBGP.Delete(ctx, siteID, state.Etag.ValueString())
	if err != nil && !patronus.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, nil, nil, "delete the site's BGP settings", err)
	}
}

// ImportState takes the site's id.
func (r *siteBGPResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !isUUID(req.ID) {
		resp.Diagnostics.AddError("Cannot import the site's BGP settings", "Import by the site's id (a UUID).")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("site_id"), req.ID)...)
}

package provider

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
)

// configured is embedded by every resource and data source: it takes the client (and the record
// of who manages which links, link_owners.go) from Configure.
type configured struct {
	client *patronus.Client
	owners *linkOwners
}

func (c *configured) configure(data any, diags *diag.Diagnostics) {
	if data == nil { // ValidateResourceConfig and friends run before the provider is configured
		return
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *providerData, got %T: this is a bug in the provider", data))
		return
	}
	c.client = pd.client
	c.owners = pd.owners
}

func (c *configured) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	c.configure(req.ProviderData, &resp.Diagnostics)
}

// configuredDataSource is configured for data sources (their Configure has other argument types).
type configuredDataSource struct{ configured }

func (c *configuredDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c.configure(req.ProviderData, &resp.Diagnostics)
}

// parseID reads an id from state or configuration.
func parseID(s types.String, what string, diags *diag.Diagnostics) (patronus.ID, bool) {
	id, err := patronus.ParseID(s.ValueString())
	if err != nil {
		diags.AddError("Invalid "+what+" id", fmt.Sprintf("%q is not a UUID: %v", s.ValueString(), err))
		return id, false
	}
	return id, true
}

// isUUID tells an import id that is an id from one that is a name.
func isUUID(s string) bool {
	_, err := patronus.ParseID(s)
	return err == nil
}

// Conversions between Go values and framework values. Collections from the API are never nil
// in state: an absent list is an empty one, as the schema defaults say.

func stringsToSet(values []string) types.Set {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.SetValueMust(types.StringType, elems)
}

func stringsToList(values []string) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

func stringMapToMap(values map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(values))
	for k, v := range values {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// setToStrings gives the elements of a set of strings, sorted (a set has no order; the API keeps
// lists it treats as sets sorted too). Null and unknown give an empty, non-nil slice.
func setToStrings(s types.Set) []string {
	out := make([]string, 0, len(s.Elements()))
	for _, e := range s.Elements() {
		if v, ok := e.(types.String); ok && !v.IsNull() && !v.IsUnknown() {
			out = append(out, v.ValueString())
		}
	}
	sort.Strings(out)
	return out
}

// listToStrings gives the elements of a list of strings in order (never nil).
func listToStrings(l types.List) []string {
	out := make([]string, 0, len(l.Elements()))
	for _, e := range l.Elements() {
		if v, ok := e.(types.String); ok && !v.IsNull() && !v.IsUnknown() {
			out = append(out, v.ValueString())
		}
	}
	return out
}

// mapToStrings gives a map of strings (never nil).
func mapToStrings(m types.Map) map[string]string {
	out := make(map[string]string, len(m.Elements()))
	for k, e := range m.Elements() {
		if v, ok := e.(types.String); ok && !v.IsNull() && !v.IsUnknown() {
			out[k] = v.ValueString()
		}
	}
	return out
}

func int32Of(v types.Int64) int32 { return int32(v.ValueInt64()) }

func int32Ptr(v types.Int64) *int32 {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	n := int32(v.ValueInt64())
	return &n
}

func stringPtr(v types.String) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

func timeString(t time.Time) types.String { return types.StringValue(t.UTC().Format(time.RFC3339)) }

// sameInstant keeps the way a user wrote a timestamp when the API answers the same instant in
// another form (UTC, other precision), so that the next plan shows no change.
func sameInstant(written types.String, answered time.Time) types.String {
	if !written.IsNull() && !written.IsUnknown() {
		if t, err := time.Parse(time.RFC3339, written.ValueString()); err == nil && t.Equal(answered) {
			return written
		}
	}
	return timeString(answered)
}

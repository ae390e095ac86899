package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
)

// addAPIError turns an error of the API into diagnostics. action says what failed ("create the
// site"). The field errors of a problem (422 validation, 409 conflict) carry JSON Pointers into
// the request body; each becomes an error on the attribute of schemaType at that place, so that
// Terraform shows it against the line of configuration at fault. body is the request body sent
// (it resolves pointers into sets, whose elements have no index in Terraform).
func addAPIError(diags *diag.Diagnostics, schemaType attr.Type, body any, action string, err error) {
	var apiErr *patronus.APIError
	if !errors.As(err, &apiErr) {
		diags.AddError("Cannot "+action, err.Error())
		return
	}
	suffix := fmt.Sprintf("\n\n(HTTP %d %s", apiErr.StatusCode, apiErr.Kind())
	if apiErr.RequestID != "" {
		suffix += ", request id " + apiErr.RequestID
	}
	suffix += ")"
	switch {
	case errors.Is(err, patronus.ErrPreconditionFailed):
		diags.AddError("Changed outside Terraform: cannot "+action,
			"The object was changed outside Terraform since Terraform last read it (its ETag no longer matches), "+
				"so Terraform did not overwrite that change. Run `terraform plan` to see the difference, then apply "+
				"again to decide."+suffix)
		return
	case errors.Is(err, patronus.ErrUnauthorized):
		diags.AddError("Patronus refused the token: cannot "+action,
			"The API token is missing, expired or revoked. Check the provider's token (or PATRONUS_TOKEN)."+suffix)
		return
	case errors.Is(err, patronus.ErrForbidden):
		diags.AddError("Not allowed: cannot "+action, apiErr.Detail+
			"\n\nThe token's role does not allow this (network changes need operator, users and tokens need admin, "+
			"tenants need a platform token)."+suffix)
		return
	}
	if len(apiErr.Errors) == 0 {
		detail := apiErr.Detail
		if detail == "" {
			detail = apiErr.Title
		}
		diags.AddError(fmt.Sprintf("Cannot %s: %s", action, apiErr.Title), detail+suffix)
		return
	}
	for _, f := range apiErr.Errors {
		if p, ok := pointerPath(schemaType, body, f.Pointer); ok {
			// The path is in the text too: Terraform points at the line of a top-level attribute,
			// but at the whole resource for one inside a nested attribute.
			diags.AddAttributeError(p, fmt.Sprintf("Cannot %s: %s", action, apiErr.Title), fmt.Sprintf("%s: %s%s", describePath(p), f.Detail, suffix))
		} else {
			diags.AddError(fmt.Sprintf("Cannot %s: %s", action, apiErr.Title), fmt.Sprintf("%s: %s%s", f.Pointer, f.Detail, suffix))
		}
	}
}

// pointerPath translates a JSON Pointer (RFC 6901) into the request body into a path of the
// schema: object members by name, list items by index, map entries by key, set elements by value
// (read from the body). A map of named objects that the body sends as a list of objects with a
// `name` (a site's `links`) is entered at the name of the item the pointer's index designates. A
// pointer into something the schema does not hold (a query parameter, a field the provider does
// not expose) gives false; a pointer that goes deeper than the schema gives the deepest attribute
// it reaches.
func pointerPath(schemaType attr.Type, body any, pointer string) (path.Path, bool) {
	if pointer == "" || pointer == "/" || !strings.HasPrefix(pointer, "/") || strings.HasPrefix(pointer, "/query/") {
		return path.Empty(), false
	}
	var node any
	if body != nil {
		if raw, err := json.Marshal(body); err == nil {
			_ = json.Unmarshal(raw, &node)
		}
	}
	p := path.Empty()
	t := schemaType
	for i, raw := range strings.Split(pointer[1:], "/") {
		seg := strings.ReplaceAll(strings.ReplaceAll(raw, "~1", "/"), "~0", "~")
		parent := node
		node = child(node, seg)
		switch tt := t.(type) {
		case basetypes.ObjectType:
			next, ok := tt.AttrTypes[seg]
			if !ok {
				return p, i > 0
			}
			p, t = p.AtName(seg), next
		case basetypes.ListType:
			n, err := strconv.Atoi(seg)
			if err != nil {
				return p, true
			}
			p, t = p.AtListIndex(n), tt.ElemType
		case basetypes.MapType:
			key := seg
			if _, isList := parent.([]any); isList {
				item, _ := node.(map[string]any)
				name, isName := item["name"].(string)
				if !isName {
					return p, true
				}
				key = name
			}
			p, t = p.AtMapKey(key), tt.ElemType
		case basetypes.SetType:
			elem, ok := jsonValue(tt.ElemType, node)
			if !ok || node == nil {
				return p, true
			}
			p, t = p.AtSetValue(elem), tt.ElemType
		default:
			return p, i > 0
		}
	}
	return p, true
}

// jsonValue is the value of type t that a request body's JSON holds: a string, a whole number or
// a boolean. false for anything else.
func jsonValue(t attr.Type, node any) (attr.Value, bool) {
	switch t.(type) {
	case basetypes.StringType:
		if node == nil {
			return types.StringNull(), true
		}
		s, ok := node.(string)
		return types.StringValue(s), ok
	case basetypes.Int64Type:
		if node == nil {
			return types.Int64Null(), true
		}
		n, ok := node.(float64)
		return types.Int64Value(int64(n)), ok
	case basetypes.BoolType:
		if node == nil {
			return types.BoolNull(), true
		}
		b, ok := node.(bool)
		return types.BoolValue(b), ok
	}
	return nil, false
}

// describePath writes a path for people: `links["lte"].endpoint`, and `lan_prefixes["10.1.0.0/16"]`
// for an element of a set of strings (Terraform's own rendering of a set element is its whole
// value, `lan_prefixes[Value("10.1.0.0/16")]`).
func describePath(p path.Path) string {
	var b strings.Builder
	for _, step := range p.Steps() {
		switch s := step.(type) {
		case path.PathStepAttributeName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(s))
		case path.PathStepElementKeyValue:
			if v, ok := s.Value.(types.String); ok {
				fmt.Fprintf(&b, "[%q]", v.ValueString())
			} else {
				b.WriteString(step.String())
			}
		default:
			b.WriteString(step.String())
		}
	}
	return b.String()
}

func child(node any, seg string) any {
	switch n := node.(type) {
	case map[string]any:
		return n[seg]
	case []any:
		if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(n) {
			return n[i]
		}
	}
	return nil
}

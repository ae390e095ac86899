package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// configuredServer is a provider server of New, configured (no request reaches the URL).
func configuredServer(t *testing.T, newServer func() (tfprotov6.ProviderServer, error)) tfprotov6.ProviderServer {
	t.Helper()
	ctx := context.Background()
	s, err := newServer()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemas.Provider.ValueType()
	config, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, map[string]tftypes.Value{
		"url":         tftypes.NewValue(tftypes.String, "http://127.0.0.1:9"),
		"token":       tftypes.NewValue(tftypes.String, "ptrn_api_test"),
		"max_retries": tftypes.NewValue(tftypes.Number, nil),
	}))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &config})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("configure: %v %v", err, resp.Diagnostics)
	}
	return s
}

// propose is what Terraform proposes for a site (its objchange rules, for this schema): the
// configuration where it sets a value; otherwise the prior value, except for `links` as a whole
// (null: Terraform infers that a value whose objects have required fields was configured) and
// for an optional link field that is not computed (endpoint).
func propose(config, prior tftypes.Value) tftypes.Value {
	if prior.IsNull() {
		var c map[string]tftypes.Value
		_ = config.As(&c)
		out := map[string]tftypes.Value{}
		for k, v := range c {
			out[k] = v
			if v.IsNull() && (k == "id" || k == "overlay_address" || k == "etag" || k == "links" || k == "description" ||
				k == "location" || k == "labels" || k == "role" || k == "lan_prefixes" || k == "listen_port") {
				out[k] = tftypes.NewValue(v.Type(), tftypes.UnknownValue)
			}
		}
		return tftypes.NewValue(config.Type(), out)
	}
	var c, p map[string]tftypes.Value
	_ = config.As(&c)
	_ = prior.As(&p)
	out := map[string]tftypes.Value{}
	for k, v := range c {
		switch {
		case k == "links" && !v.IsNull() && v.IsKnown():
			var links, priorLinks map[string]tftypes.Value
			_ = v.As(&links)
			_ = p[k].As(&priorLinks)
			proposed := map[string]tftypes.Value{}
			for name, l := range links {
				var fields, priorFields map[string]tftypes.Value
				_ = l.As(&fields)
				_ = priorLinks[name].As(&priorFields)
				with := map[string]tftypes.Value{}
				for f, fv := range fields {
					if fv.IsNull() && priorFields[f].Type() != nil && (f == "kind" || f == "cost" || f == "priority") {
						fv = priorFields[f]
					}
					with[f] = fv
				}
				proposed[name] = tftypes.NewValue(l.Type(), with)
			}
			out[k] = tftypes.NewValue(v.Type(), proposed)
		case !v.IsNull():
			out[k] = v
		case k == "links":
			out[k] = v
		default:
			out[k] = p[k]
		}
	}
	return tftypes.NewValue(config.Type(), out)
}

// The shortcut for plans that change nothing answers what the framework answers, and leaves every
// other plan to it.
func TestSitePlanShortcutAgreesWithTheFramework(t *testing.T) {
	ctx := context.Background()
	typ := siteObjectType().TerraformType(ctx)
	raw := func(m siteModel) tftypes.Value {
		v, diags := m.raw(ctx)
		if diags.HasError() {
			t.Fatal(diags)
		}
		return v
	}
	with := func(v tftypes.Value, name string, value tftypes.Value) tftypes.Value {
		m := attrsOf(v)
		m[name] = value
		return tftypes.NewValue(v.Type(), m)
	}
	state := raw(siteFromAPI(apiSiteWithLinks()))
	// The configuration of that state as a user writes it: computed attributes null, fiber's cost
	// (0, the default) left out.
	written := siteFromAPI(apiSiteWithLinks())
	written.ID, written.OverlayAddress, written.Etag = types.StringNull(), types.StringNull(), types.StringNull()
	config := raw(written)
	var stateAttrs map[string]tftypes.Value
	_ = state.As(&stateAttrs)
	linkType := stateAttrs["links"].Type().(tftypes.Map).ElementType
	link := func(v tftypes.Value, key, field string, value tftypes.Value) tftypes.Value {
		m := attrsOf(v)
		links := attrsOf(m["links"])
		fields := attrsOf(links[key])
		if value.Type() == nil {
			delete(links, key)
		} else if field == "" {
			links[key] = value
		} else {
			fields[field] = value
			links[key] = tftypes.NewValue(linkType, fields)
		}
		m["links"] = tftypes.NewValue(m["links"].Type(), links)
		return tftypes.NewValue(v.Type(), m)
	}
	config = link(config, "fiber", "cost", tftypes.NewValue(tftypes.Number, nil))
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	nullLinks := tftypes.NewValue(stateAttrs["links"].Type(), nil)
	defaultsOnly := with(with(with(with(config, "description", str("")), "location", str("")), "role", str("edge")), "listen_port", tftypes.NewValue(tftypes.Number, 51820))
	stateDefaults := with(with(with(with(state, "description", str("")), "location", str("")), "role", str("edge")), "listen_port", tftypes.NewValue(tftypes.Number, 51820))
	nullAll := func(v tftypes.Value, names ...string) tftypes.Value {
		for _, n := range names {
			var m map[string]tftypes.Value
			_ = v.As(&m)
			v = with(v, n, tftypes.NewValue(m[n].Type(), nil))
		}
		return v
	}

	cases := []struct {
		name          string
		config, prior tftypes.Value
		shortcut      bool
	}{
		{"nothing changes, links set", config, state, true},
		{"nothing changes, links left out", with(config, "links", nullLinks), state, true},
		{"nothing changes, defaults left out", nullAll(defaultsOnly, "description", "location", "role", "listen_port"), stateDefaults, true},
		{"a default left out where the state holds another value", nullAll(config, "description"), state, false},
		{"a field changes", with(config, "location", str("Potsdam")), state, false},
		{"a link field changes", link(config, "lte", "cost", tftypes.NewValue(tftypes.Number, 11)), state, false},
		{"a link's default left out where the state holds another value", link(config, "lte", "priority", tftypes.NewValue(tftypes.Number, nil)), state, false},
		{"a link goes", link(config, "lte", "", tftypes.Value{}), state, false},
		{"a link comes", link(config, "dsl", "", tftypes.NewValue(linkType, map[string]tftypes.Value{
			"interface": str("eth3"), "kind": tftypes.NewValue(tftypes.String, nil), "endpoint": tftypes.NewValue(tftypes.String, nil),
			"bandwidth_up_mbps": tftypes.NewValue(tftypes.Number, 1), "bandwidth_down_mbps": tftypes.NewValue(tftypes.Number, 1),
			"cost": tftypes.NewValue(tftypes.Number, nil), "priority": tftypes.NewValue(tftypes.Number, nil),
		})), state, false},
		{"an unknown value", link(config, "fiber", "endpoint", tftypes.NewValue(tftypes.String, tftypes.UnknownValue)), state, false},
		{"a creation", config, tftypes.NewValue(typ, nil), false},
	}
	shortcut := configuredServer(t, NewServer(New("test")))
	framework := configuredServer(t, providerserver.NewProtocol6WithError(New("test")()))
	for _, c := range cases {
		proposed := propose(c.config, c.prior)
		dv := func(v tftypes.Value) *tfprotov6.DynamicValue {
			d, err := tfprotov6.NewDynamicValue(typ, v)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			return &d
		}
		req := &tfprotov6.PlanResourceChangeRequest{
			TypeName: "patronus_site", PriorState: dv(c.prior), ProposedNewState: dv(proposed), Config: dv(c.config),
		}
		if got := shortcut.(*server).siteUnchanged(ctx, req); got != c.shortcut {
			t.Errorf("%s: shortcut taken %v, want %v", c.name, got, c.shortcut)
		}
		a, err := shortcut.PlanResourceChange(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := framework.PlanResourceChange(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Diagnostics) != 0 || len(b.Diagnostics) != 0 {
			t.Fatalf("%s: diagnostics %v %v", c.name, a.Diagnostics, b.Diagnostics)
		}
		planA, errA := a.PlannedState.Unmarshal(typ)
		planB, errB := b.PlannedState.Unmarshal(typ)
		if errA != nil || errB != nil || !planA.Equal(planB) {
			t.Errorf("%s: planned\n%s\nthe framework planned\n%s", c.name, planA, planB)
		}
		if c.shortcut && !planA.Equal(c.prior) {
			t.Errorf("%s: the plan is not the prior state", c.name)
		}
		if string(a.PlannedPrivate) != string(b.PlannedPrivate) || len(a.RequiresReplace) != len(b.RequiresReplace) {
			t.Errorf("%s: private %q / %q, replace %v / %v", c.name, a.PlannedPrivate, b.PlannedPrivate, a.RequiresReplace, b.RequiresReplace)
		}
	}

	// Links managed in two places: not taken, and the framework's ModifyPlan reports it.
	s := shortcut.(*server)
	site := apiSiteWithLinks().ID
	s.owners.linkApart(site, "mpls")
	req := &tfprotov6.PlanResourceChangeRequest{TypeName: "patronus_site"}
	for _, v := range []struct {
		dst **tfprotov6.DynamicValue
		v   tftypes.Value
	}{{&req.PriorState, state}, {&req.ProposedNewState, propose(config, state)}, {&req.Config, config}} {
		d, _ := tfprotov6.NewDynamicValue(typ, v.v)
		*v.dst = &d
	}
	if s.siteUnchanged(ctx, req) {
		t.Error("the shortcut was taken for a site whose links are also managed apart")
	}
	resp, err := shortcut.PlanResourceChange(ctx, req)
	if err != nil || len(resp.Diagnostics) != 1 || !strings.Contains(resp.Diagnostics[0].Detail, `"mpls", not in`) {
		t.Fatalf("%v %v", err, resp.Diagnostics)
	}
}

// The defaults the shortcut applies are the schema's, all of them.
func TestSiteDefaultsAreTheSchemas(t *testing.T) {
	site, link, ok := siteDefaults()
	if !ok {
		t.Fatal("a default of a kind the shortcut does not read")
	}
	names := func(m map[string]tftypes.Value) string {
		set := map[string]bool{}
		for k := range m {
			set[k] = true
		}
		return strings.Join(sortedKeys(set), ",")
	}
	if got := names(site); got != "description,labels,lan_prefixes,listen_port,location,role" {
		t.Errorf("site defaults: %s", got)
	}
	if got := names(link); got != "cost,kind,priority" {
		t.Errorf("link defaults: %s", got)
	}
	if !link["priority"].Equal(tftypes.NewValue(tftypes.Number, defaultLinkPriority)) || !site["role"].Equal(tftypes.NewValue(tftypes.String, "edge")) {
		t.Errorf("values: %v %v", link["priority"], site["role"])
	}
}

// attrsOf is a copy of an object's or a map's elements (As gives the value's own map).
func attrsOf(v tftypes.Value) map[string]tftypes.Value {
	var m map[string]tftypes.Value
	_ = v.As(&m)
	out := make(map[string]tftypes.Value, len(m))
	for k, e := range m {
		out[k] = e
	}
	return out
}

// The read without the framework answers what the framework answers: the site, nothing on a 404,
// the current state with the error otherwise.
func TestSiteReadShortcutAgreesWithTheFramework(t *testing.T) {
	ctx := context.Background()
	site := apiSiteWithLinks()
	body, err := json.Marshal(site)
	if err != nil {
		t.Fatal(err)
	}
	status := http.StatusOK
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-7")
		if status != http.StatusOK {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(status)
			_, _ = fmt.Fprintf(w, `{"type": "https://patronus.dev/problems/x", "title": "%s", "status": %d, "detail": "it failed"}`, http.StatusText(status), status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", site.Etag)
		_, _ = w.Write(body)
	}))
	defer fake.Close()
	configure := func(s tfprotov6.ProviderServer) tfprotov6.ProviderServer {
		schemas, _ := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
		typ := schemas.Provider.ValueType()
		config, _ := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, map[string]tftypes.Value{
			"url": tftypes.NewValue(tftypes.String, fake.URL), "token": tftypes.NewValue(tftypes.String, "ptrn_api_test"),
			"max_retries": tftypes.NewValue(tftypes.Number, 0),
		}))
		if resp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &config}); err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("configure: %v %v", err, resp.Diagnostics)
		}
		return s
	}
	newShortcut, _ := NewServer(New("test"))()
	shortcut := configure(newShortcut)
	newFramework, _ := providerserver.NewProtocol6WithError(New("test")())()
	framework := configure(newFramework)

	typ := siteObjectType().TerraformType(ctx)
	old := siteFromAPI(apiSite()) // an older state of the site: no links, another ETag
	oldRaw, _ := old.raw(ctx)
	current, _ := tfprotov6.NewDynamicValue(typ, oldRaw)
	for _, c := range []struct {
		name   string
		status int
		want   tftypes.Value
		errors int
	}{
		{"found", http.StatusOK, func() tftypes.Value { v, _ := siteFromAPI(site).raw(ctx); return v }(), 0},
		{"gone", http.StatusNotFound, tftypes.NewValue(typ, nil), 0},
		{"failed", http.StatusInternalServerError, oldRaw, 1},
		{"refused", http.StatusForbidden, oldRaw, 1},
	} {
		status = c.status
		req := &tfprotov6.ReadResourceRequest{TypeName: "patronus_site", CurrentState: &current}
		if _, ok := shortcut.(*server).readSite(ctx, req); !ok {
			t.Fatalf("%s: the shortcut was not taken", c.name)
		}
		a, errA := shortcut.ReadResource(ctx, req)
		b, errB := framework.ReadResource(ctx, req)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		stateA, errA := a.NewState.Unmarshal(typ)
		stateB, errB := b.NewState.Unmarshal(typ)
		if errA != nil || errB != nil || !stateA.Equal(stateB) || !stateA.Equal(c.want) {
			t.Errorf("%s: new state\n%s\nthe framework's\n%s", c.name, stateA, stateB)
		}
		if len(a.Diagnostics) != c.errors || len(b.Diagnostics) != c.errors {
			t.Fatalf("%s: diagnostics %v / %v", c.name, a.Diagnostics, b.Diagnostics)
		}
		for i := range a.Diagnostics {
			da, db := a.Diagnostics[i], b.Diagnostics[i]
			if da.Severity != db.Severity || da.Summary != db.Summary || da.Detail != db.Detail || db.Attribute != nil {
				t.Errorf("%s: diagnostic %+v, the framework's %+v", c.name, da, db)
			}
		}
		if string(a.Private) != string(b.Private) {
			t.Errorf("%s: private %q / %q", c.name, a.Private, b.Private)
		}
	}
	// Not configured, or a state without an id: the framework's.
	unconfigured, _ := NewServer(New("test"))()
	if _, ok := unconfigured.(*server).readSite(ctx, &tfprotov6.ReadResourceRequest{TypeName: "patronus_site", CurrentState: &current}); ok {
		t.Error("read before Configure")
	}
	noID, _ := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if _, ok := shortcut.(*server).readSite(ctx, &tfprotov6.ReadResourceRequest{TypeName: "patronus_site", CurrentState: &noID}); ok {
		t.Error("read of a null state")
	}
}

// A state of schema version 0, whose links were a set of objects with a name, upgrades to the map.
func TestSiteStateUpgradeFromTheSet(t *testing.T) {
	ctx := context.Background()
	s, err := NewServer(New("test"))()
	if err != nil {
		t.Fatal(err)
	}
	typ := siteObjectType().TerraformType(ctx)
	const site = `{"id":"0192b3c4-0000-7000-8000-000000000001","name":"berlin","description":"HQ","location":"Berlin",` +
		`"labels":{"env":"prod"},"role":"hub","lan_prefixes":["10.1.0.0/16","fd00:1::/64"],"listen_port":51820,` +
		`"overlay_address":"100.64.0.1","etag":"\"3\"",`
	withLinks, _ := siteFromAPI(apiSiteWithLinks()).raw(ctx)
	unmanaged := siteFromAPI(apiSite())
	unmanaged.Links = types.MapNull(siteLinkType)
	withoutLinks, _ := unmanaged.raw(ctx)
	for _, c := range []struct {
		name  string
		state string
		want  tftypes.Value
	}{
		{"links", site + `"links":[{"name":"lte","interface":"wwan0","kind":"lte","endpoint":null,"bandwidth_up_mbps":20,` +
			`"bandwidth_down_mbps":100,"cost":10,"priority":2},{"name":"fiber","interface":"eth1","kind":"fiber",` +
			`"endpoint":"198.51.100.7:51820","bandwidth_up_mbps":500,"bandwidth_down_mbps":1000,"cost":0,"priority":1}]}`, withLinks},
		{"links not managed", site + `"links":null}`, withoutLinks},
	} {
		resp, err := s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
			TypeName: "patronus_site", Version: 0, RawState: &tfprotov6.RawState{JSON: []byte(c.state)},
		})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("%s: %v %v", c.name, err, resp.Diagnostics)
		}
		got, err := resp.UpgradedState.Unmarshal(typ)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%s: upgraded to\n%s\nwant\n%s (%v)", c.name, got, c.want, err)
		}
	}
	resp, err := s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
		TypeName: "patronus_site", Version: 0, RawState: &tfprotov6.RawState{JSON: []byte(site + `"links":[{"interface":"eth1"}]}`)},
	})
	if err != nil || len(resp.Diagnostics) != 1 || !strings.Contains(resp.Diagnostics[0].Detail, "import it again") {
		t.Fatalf("a link without a name: %v %v", err, resp.Diagnostics)
	}
}

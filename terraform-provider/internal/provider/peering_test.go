package provider

import (
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestPeeringKeepsTheConfiguredOrderOfItsSites(t *testing.T) {
	low, high := uuid.MustParse("00000000-0000-7000-8000-000000000001"), uuid.MustParse("00000000-0000-7000-8000-000000000002")
	p := &api.Peering{ID: uuid.New(), Name: "a--b", SiteA: low, SiteB: high, Etag: `"1"`}

	// The server answers the pair in id order; the configuration named it the other way.
	prior := peeringModel{SiteA: types.StringValue(high.String()), SiteB: types.StringValue(low.String())}
	m := peeringFromAPI(p, &prior)
	if m.SiteA.ValueString() != high.String() || m.SiteB.ValueString() != low.String() {
		t.Fatalf("order not kept: %s, %s", m.SiteA, m.SiteB)
	}
	// After an import there is no prior order: the server's.
	m = peeringFromAPI(p, nil)
	if m.SiteA.ValueString() != low.String() || m.SiteB.ValueString() != high.String() {
		t.Fatalf("import order: %s, %s", m.SiteA, m.SiteB)
	}
	// Other sites than the prior ones (changed outside Terraform): the server's, so it shows as drift.
	other := peeringModel{SiteA: types.StringValue(uuid.NewString()), SiteB: types.StringValue(low.String())}
	m = peeringFromAPI(p, &other)
	if m.SiteA.ValueString() != low.String() {
		t.Fatalf("drift hidden: %s", m.SiteA)
	}
}

func TestPeeringSchemaIsValid(t *testing.T) {
	checkSchema(t, peeringResourceSchema())
}

func TestAPeeringIsTheSamePairInEitherOrder(t *testing.T) {
	a, b, c := types.StringValue(uuid.NewString()), types.StringValue(uuid.NewString()), types.StringValue(uuid.NewString())
	pair := func(x, y types.String) peeringModel { return peeringModel{SiteA: x, SiteB: y} }
	cases := []struct {
		x, y peeringModel
		same bool
	}{
		{pair(a, b), pair(a, b), true},
		{pair(a, b), pair(b, a), true},
		{pair(a, b), pair(a, c), false},
		{pair(a, b), pair(c, b), false},
		// A site still to be created: its id is unknown, so the pair may be another.
		{pair(a, types.StringUnknown()), pair(a, b), false},
	}
	for i, tc := range cases {
		if got := samePair(tc.x, tc.y); got != tc.same {
			t.Errorf("case %d: samePair = %v, want %v", i, got, tc.same)
		}
	}
}

package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestAccQosClass(t *testing.T) {
	a := newAccTenant(t)
	const addr = "patronus_qos_class.test"
	v1 := a.config(`
resource "patronus_qos_class" "test" {
  name               = "voice"
  priority           = 1
  dscp               = 46
  guaranteed_percent = 20
}`)
	v2 := a.config(`
resource "patronus_qos_class" "test" {
  name               = "realtime"
  priority           = 2
  dscp               = 34
  guaranteed_percent = 30
  max_percent        = 50
}`)
	var classID patronus.ID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy: checkGone("patronus_qos_class", func(ctx context.Context, id patronus.ID) error {
			_, err := a.client.QosClasses.Get(ctx, id)
			return err
		}),
		Steps: []resource.TestStep{
			{
				Config: a.config(`
resource "patronus_qos_class" "bad" {
  name               = "bad"
  priority           = 9
  dscp               = 64
  guaranteed_percent = 50
  max_percent        = 40
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)must not be below guaranteed_percent`),
			},
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("max_percent"), knownvalue.Int64Exact(100)),
				},
				Check: func(s *terraform.State) (err error) { classID, err = stateID(s, addr); return err },
			},
			{
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "realtime"},
			{
				PreConfig: outside(t, "change the class", func(ctx context.Context) error {
					c, err := a.client.QosClasses.Get(ctx, classID)
					if err == nil {
						_, err = a.client.QosClasses.Update(ctx, classID, api.QosClassUpdate{Dscp: patronus.Value(int32(10))}, c.Etag)
					}
					return err
				}),
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("dscp"), knownvalue.Int64Exact(34)),
				}},
			},
			{ // the server's rule, on the attribute: guaranteed shares add up to at most 100
				Config: v2 + `
resource "patronus_qos_class" "greedy" {
  name               = "greedy"
  priority           = 3
  dscp               = 10
  guaranteed_percent = 80
}`,
				ExpectError: regexp.MustCompile(`(?s)guaranteed_percent\s*=.*would add up to 110`),
			},
		},
	})
}

package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// Every schema of the provider is valid, and the provider serves them.
func TestProviderSchemas(t *testing.T) {
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("%s: %s", d.Summary, d.Detail)
	}
	wantResources := []string{"patronus_site", "patronus_link", "patronus_topology", "patronus_peering", "patronus_qos_class",
		"patronus_policy", "patronus_enrollment_token", "patronus_user", "patronus_api_token", "patronus_tenant"}
	for _, name := range wantResources {
		if _, ok := resp.ResourceSchemas[name]; !ok {
			t.Errorf("resource %s missing", name)
		}
	}
	for _, name := range []string{"patronus_site", "patronus_sites", "patronus_site_config", "patronus_site_status", "patronus_site_paths", "patronus_tenant"} {
		if _, ok := resp.DataSourceSchemas[name]; !ok {
			t.Errorf("data source %s missing", name)
		}
	}
	sensitive := map[string]string{"patronus_enrollment_token": "token", "patronus_api_token": "token", "patronus_user": "password"}
	for res, attr := range sensitive {
		found := false
		for _, a := range resp.ResourceSchemas[res].Block.Attributes {
			if a.Name == attr {
				found = a.Sensitive
			}
		}
		if !found {
			t.Errorf("%s.%s is not sensitive", res, attr)
		}
	}
	for _, a := range resp.Provider.Block.Attributes {
		if a.Name == "token" && !a.Sensitive {
			t.Error("the provider's token is not sensitive")
		}
	}
}

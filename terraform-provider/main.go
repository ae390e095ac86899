// Command terraform-provider-patronus is the Terraform provider of the Patronus SD-WAN control
// plane. Terraform starts it; it is not meant to be run by hand (except with -debug, for a
// debugger: it then prints the TF_REATTACH_PROVIDERS value to give Terraform).
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/patronus-sdwan/patronus/terraform-provider/internal/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	debug := flag.Bool("debug", false, "run with support for debuggers such as delve")
	flag.Parse()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   *debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}

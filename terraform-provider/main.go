// Command terraform-provider-patronus is the Terraform provider of the Patronus SD-WAN control
// plane. Terraform starts it; it is not meant to be run by hand (except with -debug, for a
// debugger: it then prints the TF_REATTACH_PROVIDERS value to give Terraform).
package main

import (
	"flag"
	"log"
	"os"
	runtimedebug "runtime/debug"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/patronus-sdwan/patronus/terraform-provider/internal/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	debug := flag.Bool("debug", false, "run with support for debuggers such as delve")
	flag.Parse()
	// terraform-plugin-framework allocates a lot per request (some MiB per resource and plan) and
	// keeps little, so with Go's default GOGC of 100 and a live heap of a few MiB the collector
	// runs every few requests: a third of the provider's CPU in a 1,000-site plan
	// (internal/provider/rpc_bench_test.go). 400 lets the heap grow to tens of MiB instead. A GOGC
	// in the environment wins.
	if os.Getenv("GOGC") == "" {
		runtimedebug.SetGCPercent(400)
	}
	quietUnlessLogged()
	newServer := provider.NewServer(provider.New(version))
	var opts []tf6server.ServeOpt
	if *debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve(provider.Address, func() tfprotov6.ProviderServer {
		s, err := newServer()
		if err != nil {
			log.Fatal(err)
		}
		return s
	}, opts...)
	if err != nil {
		log.Fatal(err)
	}
}

// quietUnlessLogged turns the plugin libraries' own logs off when Terraform will not keep them.
// Without a level in the environment, terraform-plugin-go and the framework log at TRACE: every
// request writes dozens of JSON lines to stderr, which Terraform reads, parses and, unless TF_LOG
// or TF_LOG_PROVIDER asks for provider logs, drops. In a 1,000-site plan that was a third of the
// CPU of Terraform and the provider together. A level set for any of them is left alone.
func quietUnlessLogged() {
	if os.Getenv("TF_LOG") != "" || os.Getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if os.Getenv(name) == "" {
			_ = os.Setenv(name, "off")
		}
	}
}

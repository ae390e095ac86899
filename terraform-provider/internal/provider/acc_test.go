package provider

// The acceptance tests' harness. scripts/test-terraform starts one patronus-server and runs
//
//	TF_ACC=1 PATRONUS_URL=... PATRONUS_PLATFORM_TOKEN=... TF_ACC_TERRAFORM_PATH=... go test ./...
//
// Each test makes a tenant of its own through the API (so tests run in parallel and a topology
// test cannot disturb a site test), with an admin API token, and deletes it at the end. With
// TF_ACC set, a missing server, token or Terraform binary fails the run: it never skips.

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC") != "" {
		if err := checkAcceptanceEnvironment(); err != nil {
			fmt.Fprintln(os.Stderr, "acceptance tests cannot run:", err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

func checkAcceptanceEnvironment() error {
	url := os.Getenv("PATRONUS_URL")
	if url == "" || os.Getenv("PATRONUS_PLATFORM_TOKEN") == "" {
		return fmt.Errorf("PATRONUS_URL and PATRONUS_PLATFORM_TOKEN must name a running patronus-server and a platform token (scripts/test-terraform sets them)")
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(strings.TrimRight(url, "/") + "/readyz")
	if err != nil {
		return fmt.Errorf("the server at %s does not answer: %w", url, err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the server at %s is not ready: /readyz answered %d", url, resp.StatusCode)
	}
	// Never let terraform-plugin-testing download a Terraform: there is no network for it.
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		if tf, err = exec.LookPath("terraform"); err != nil {
			return fmt.Errorf("no Terraform binary: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
		}
		if err := os.Setenv("TF_ACC_TERRAFORM_PATH", tf); err != nil {
			return err
		}
	}
	if out, err := exec.Command(tf, "version").CombinedOutput(); err != nil {
		return fmt.Errorf("%s version: %v: %s", tf, err, out)
	}
	return nil
}

// protoV6Factories serves the provider in-process to the Terraform of the test.
func protoV6Factories(httpClient *http.Client) map[string]func() (tfprotov6.ProviderServer, error) {
	p := New("acc")
	if httpClient != nil {
		p = NewWithHTTPClient("acc", httpClient)
	}
	return map[string]func() (tfprotov6.ProviderServer, error){
		"patronus": NewServer(p),
	}
}

// accTenant is the tenant of one test: its admin API token, and a client for seeding it and for
// changes "outside Terraform".
type accTenant struct {
	url, token string
	id         patronus.ID
	slug       string
	client     *patronus.Client
}

// requireAcc skips an acceptance test in a unit-test run (TF_ACC unset). With TF_ACC set,
// TestMain has already failed the run if the server or Terraform is missing.
func requireAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: runs with TF_ACC=1 against a live server (scripts/test-terraform)")
	}
}

func platformClient(t *testing.T) *patronus.Client {
	t.Helper()
	requireAcc(t)
	c, err := patronus.New(patronus.WithURL(os.Getenv("PATRONUS_URL")), patronus.WithToken(os.Getenv("PATRONUS_PLATFORM_TOKEN")))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newAccTenant(t *testing.T) *accTenant {
	t.Helper()
	ctx := context.Background()
	platform := platformClient(t)
	slug := "tfacc-" + strings.ToLower(t.Name()[min(len(t.Name()), 7):min(len(t.Name()), 20)]) + "-" + uuid.NewString()[:8]
	slug = strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' {
			return r
		}
		return '-'
	}, slug)
	tenant, err := platform.Tenants.Create(ctx, api.NewTenant{Name: slug, Slug: slug})
	if err != nil {
		t.Fatalf("creating the test tenant: %v", err)
	}
	t.Cleanup(func() {
		if err := platform.Tenants.Delete(context.Background(), tenant.ID, ""); err != nil && !patronus.IsNotFound(err) {
			t.Errorf("deleting the test tenant: %v", err)
		}
	})
	token, err := platform.Tenants.CreateAPIToken(ctx, tenant.ID, api.NewAPIToken{Name: "terraform-acc", Role: api.Role("admin")})
	if err != nil {
		t.Fatalf("creating the test tenant's token: %v", err)
	}
	client, err := patronus.New(patronus.WithURL(os.Getenv("PATRONUS_URL")), patronus.WithToken(token.Token))
	if err != nil {
		t.Fatal(err)
	}
	return &accTenant{url: os.Getenv("PATRONUS_URL"), token: token.Token, id: tenant.ID, slug: slug, client: client}
}

// config is a configuration of the test's tenant: the provider block, then body.
func (a *accTenant) config(body string) string {
	return fmt.Sprintf("provider \"patronus\" {\n  url   = %q\n  token = %q\n}\n\n%s", a.url, a.token, body)
}

// platformConfig is a configuration with the platform token.
func platformConfig(body string) string {
	return fmt.Sprintf("provider \"patronus\" {\n  url   = %q\n  token = %q\n}\n\n%s", os.Getenv("PATRONUS_URL"), os.Getenv("PATRONUS_PLATFORM_TOKEN"), body)
}

// stateID reads the id of a resource in the state.
func stateID(s *terraform.State, address string) (patronus.ID, error) {
	rs, ok := s.RootModule().Resources[address]
	if !ok {
		return patronus.ID{}, fmt.Errorf("%s is not in the state", address)
	}
	return patronus.ParseID(rs.Primary.ID)
}

// checkGone is a CheckDestroy: every resource of the type is gone from the server (a 404).
func checkGone(resourceType string, get func(ctx context.Context, id patronus.ID) error) func(*terraform.State) error {
	return func(s *terraform.State) error {
		for address, rs := range s.RootModule().Resources {
			if rs.Type != resourceType {
				continue
			}
			id, err := patronus.ParseID(rs.Primary.ID)
			if err != nil {
				return fmt.Errorf("%s: %w", address, err)
			}
			err = get(context.Background(), id)
			switch {
			case err == nil:
				return fmt.Errorf("%s (%s) still exists after destroy", address, id)
			case !patronus.IsNotFound(err):
				return fmt.Errorf("%s: %w", address, err)
			}
		}
		return nil
	}
}

// outside runs a change through the API, as someone other than Terraform would, and fails the
// test when it fails.
func outside(t *testing.T, what string, change func(ctx context.Context) error) func() {
	return func() {
		t.Helper()
		if err := change(context.Background()); err != nil {
			t.Fatalf("%s (outside Terraform): %v", what, err)
		}
	}
}

var prefixCounter = make(chan int, 1)

func init() { prefixCounter <- 0 }

// lanPrefix gives each call a different /24 (tests share nothing, but a test's sites must not
// overlap).
func lanPrefix() string {
	n := <-prefixCounter
	prefixCounter <- n + 1
	return fmt.Sprintf("10.%d.%d.0/24", 100+n/256, n%256)
}

// interferingTransport calls before for each request while armed, then sends it.
type interferingTransport struct {
	armed  atomic.Bool
	before func(*http.Request)
}

func (i *interferingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if i.armed.Load() {
		i.before(req)
	}
	return http.DefaultTransport.RoundTrip(req)
}

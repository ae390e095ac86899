package main

import (
	"fmt"
	"os"
	"regexp"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

var serverEnvRe = regexp.MustCompile(`env = "([A-Z0-9_]+)"`)

// serverEnv: the environment variables patronus-server reads (its clap `env =` attributes),
// plus the two the tracing setup reads.
func serverEnv(configRs string) (map[string]bool, error) {
	raw, err := os.ReadFile(configRs)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{"RUST_LOG": true, "OTEL_EXPORTER_OTLP_ENDPOINT": true}
	for _, m := range serverEnvRe.FindAllStringSubmatch(string(raw), -1) {
		out[m[1]] = true
	}
	if len(out) < 5 {
		return nil, fmt.Errorf("%s: found only %d environment variables", configRs, len(out))
	}
	return out, nil
}

// checkChart asserts what the chart promises on the rendered objects: the replicas, probes on
// /healthz and /readyz, resource requests, credentials only from Secrets, environment
// variables the server reads, a Service that selects the pods, and a ServiceMonitor that
// scrapes /metrics through a port the Service has, as the job the alert rules expect.
func checkChart(objects map[string][]any, replicas int, wantServiceMonitor, wantPDB bool, env map[string]bool) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if n := len(objects["Deployment"]); n != 1 {
		return []error{fmt.Errorf("%d Deployments rendered, want 1", n)}
	}
	d := objects["Deployment"][0].(*appsv1.Deployment)
	if d.Spec.Replicas == nil || int(*d.Spec.Replicas) != replicas {
		bad("Deployment replicas %v, want %d", d.Spec.Replicas, replicas)
	}
	podLabels := labels.Set(d.Spec.Template.Labels)
	sel := labels.SelectorFromSet(d.Spec.Selector.MatchLabels)
	if !sel.Matches(podLabels) {
		bad("the Deployment's selector does not match its pod template")
	}
	pod := d.Spec.Template.Spec
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		bad("the pod may run as root")
	}
	if len(pod.Containers) != 1 {
		return append(errs, fmt.Errorf("%d containers, want 1", len(pod.Containers)))
	}
	c := pod.Containers[0]
	probe := func(what string, p *corev1.Probe, path string) {
		if p == nil || p.HTTPGet == nil {
			bad("container has no HTTP %s probe", what)
			return
		}
		if p.HTTPGet.Path != path {
			bad("%s probe on %s, want %s", what, p.HTTPGet.Path, path)
		}
		if p.HTTPGet.Port.String() != "http" {
			bad("%s probe on port %s, want the port named http", what, p.HTTPGet.Port.String())
		}
	}
	probe("liveness", c.LivenessProbe, "/healthz")
	probe("readiness", c.ReadinessProbe, "/readyz")
	probe("startup", c.StartupProbe, "/healthz")
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" {
		bad("container ports %v, want one named http", c.Ports)
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
		bad("container has no CPU and memory requests")
	}
	if sc := c.SecurityContext; sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		bad("container may escalate privileges or write its root filesystem")
	}
	secrets := map[string]bool{"DATABASE_URL": true, "DATABASE_APP_URL": true, "REDIS_URL": true}
	seen := map[string]bool{}
	for _, e := range c.Env {
		seen[e.Name] = true
		if !env[e.Name] {
			bad("environment variable %s is not one patronus-server reads", e.Name)
		}
		if secrets[e.Name] && (e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
			bad("%s is not taken from a Secret", e.Name)
		}
	}
	if !seen["DATABASE_URL"] {
		bad("DATABASE_URL is not set: the server would start a private PostgreSQL in the pod")
	}
	if replicas > 1 && !seen["REDIS_URL"] {
		bad("%d replicas without REDIS_URL", replicas)
	}
	if seen["PATRONUS_LISTEN"] {
		for _, e := range c.Env {
			if e.Name == "PATRONUS_LISTEN" && e.Value != "0.0.0.0:8080" {
				bad("PATRONUS_LISTEN is %s, want 0.0.0.0:8080 (the container port)", e.Value)
			}
		}
	} else {
		bad("PATRONUS_LISTEN is not set: the server would listen on 127.0.0.1 only")
	}
	var svc *corev1.Service
	for _, o := range objects["Service"] {
		svc = o.(*corev1.Service)
	}
	if svc == nil {
		return append(errs, fmt.Errorf("no Service rendered"))
	}
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
		bad("the Service does not select the pods")
	}
	svcPorts := map[string]bool{}
	for _, p := range svc.Spec.Ports {
		svcPorts[p.Name] = true
		if p.TargetPort.String() != "http" {
			bad("Service port %s targets %s, want http", p.Name, p.TargetPort.String())
		}
	}
	sms := objects["ServiceMonitor"]
	switch {
	case wantServiceMonitor && len(sms) != 1:
		bad("%d ServiceMonitors rendered, want 1", len(sms))
	case !wantServiceMonitor && len(sms) != 0:
		bad("a ServiceMonitor rendered though it is disabled")
	case wantServiceMonitor:
		sm := sms[0].(*monitoringv1.ServiceMonitor)
		if !labels.SelectorFromSet(sm.Spec.Selector.MatchLabels).Matches(labels.Set(svc.Labels)) {
			bad("the ServiceMonitor does not select the Service")
		}
		if job := svc.Labels[sm.Spec.JobLabel]; job != "patronus-server" {
			bad("the scrape job would be %q (Service label %q), but the alert rules select job=\"patronus-server\"", job, sm.Spec.JobLabel)
		}
		if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Path != "/metrics" || !svcPorts[sm.Spec.Endpoints[0].Port] {
			bad("the ServiceMonitor does not scrape /metrics on a port of the Service: %+v", sm.Spec.Endpoints)
		}
	}
	if pdbs := objects["PodDisruptionBudget"]; wantPDB != (len(pdbs) == 1) {
		bad("%d PodDisruptionBudgets rendered, want pdb=%v", len(pdbs), wantPDB)
	}
	return errs
}

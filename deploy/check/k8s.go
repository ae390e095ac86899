package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// The kinds the chart may render, each with the Go type of its API version. Anything else is
// an error: a new kind needs its type here, so that it is checked too.
func newObject(apiVersion, kind string) (any, bool) {
	switch apiVersion + "/" + kind {
	case "v1/Service":
		return &corev1.Service{}, true
	case "v1/Secret":
		return &corev1.Secret{}, true
	case "v1/ServiceAccount":
		return &corev1.ServiceAccount{}, true
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}, true
	case "apps/v1/Deployment":
		return &appsv1.Deployment{}, true
	case "policy/v1/PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}, true
	case "monitoring.coreos.com/v1/ServiceMonitor":
		return &monitoringv1.ServiceMonitor{}, true
	}
	return nil, false
}

var docSplitRe = regexp.MustCompile(`(?m)^---\s*$`)

// checkManifests strictly decodes every object `helm template` rendered into the Go type of its
// kind (an unknown or misspelt field, a wrong type or a bad quantity is an error) and returns
// the decoded objects by kind for the chart's own assertions.
func checkManifests(path string) (map[string][]any, []error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, []error{err}
	}
	var errs []error
	objects := map[string][]any{}
	for _, doc := range docSplitRe.Split(string(raw), -1) {
		if len(bytes.TrimSpace([]byte(stripComments(doc)))) == 0 {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			errs = append(errs, fmt.Errorf("a document is not YAML: %w", err))
			continue
		}
		obj, ok := newObject(head.APIVersion, head.Kind)
		if !ok {
			errs = append(errs, fmt.Errorf("%s %s: no Go type known for apiVersion %q kind %q", head.Kind, head.Metadata.Name, head.APIVersion, head.Kind))
			continue
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", head.Kind, head.Metadata.Name, err))
			continue
		}
		objects[head.Kind] = append(objects[head.Kind], obj)
	}
	return objects, errs
}

func stripComments(doc string) string {
	return regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(doc, "")
}

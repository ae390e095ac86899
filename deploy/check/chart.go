package main

import "fmt"

func checkChart(objects map[string][]any, replicas int, serviceMonitor, pdb bool) []error {
	return []error{fmt.Errorf("not yet")}
}

// Reference output for the engine's manifest reader: how Kubernetes tooling reads YAML scalars.
// kubectl and Argo CD's repo-server (gitops-engine kube.SplitYAML → apimachinery's
// YAMLOrJSONDecoder) turn each YAML document into JSON with sigs.k8s.io/yaml.YAMLToJSON, which
// decodes with go-yaml v2, i.e. YAML 1.1 scalars: y/n/yes/no/on/off are booleans, 0755 is octal.
//
// Usage: go run . < cases.json > go-reference.json
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"sigs.k8s.io/yaml"
)

type testCase struct {
	Name string `json:"name"`
	YAML string `json:"yaml"`
}

type result struct {
	Name  string          `json:"name"`
	JSON  json.RawMessage `json:"json,omitempty"`
	Error string          `json:"error,omitempty"`
}

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		panic(err)
	}
	var cases []testCase
	if err := json.Unmarshal(in, &cases); err != nil {
		panic(err)
	}
	out := make([]result, 0, len(cases))
	for _, c := range cases {
		j, err := yaml.YAMLToJSON([]byte(c.YAML))
		if err != nil {
			out = append(out, result{Name: c.Name, Error: err.Error()})
			continue
		}
		out = append(out, result{Name: c.Name, JSON: j})
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

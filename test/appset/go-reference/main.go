// Reference outputs for the offline ApplicationSet expander's template engines, produced by the
// real libraries Argo CD uses: Go text/template + Sprig v3 (minus env, expandenv, getHostByName)
// with normalize/slugify/toYaml/fromYaml/fromYamlArray added as Argo CD does, and valyala/fasttemplate
// with Argo CD's replacement rule (only string parameters; anything else written back as it was).
//
// Usage: go run . cases.json generated-cases.json > go-reference.json (or the cases on stdin)
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/gosimple/slug"
	"github.com/valyala/fasttemplate"
	"sigs.k8s.io/yaml"
)

type testCase struct {
	Name     string         `json:"name"`
	Engine   string         `json:"engine"`
	Template string         `json:"template"`
	Data     map[string]any `json:"data"`
	Options  []string       `json:"options,omitempty"`
}

type result struct {
	Name   string `json:"name"`
	Output string `json:"output,omitempty"`
	Error  string `json:"error,omitempty"`
}

var invalidName = regexp.MustCompile("[^-a-z0-9.]")

// normalize: lower-case, anything outside [-a-z0-9.] becomes '-', at most 253 bytes, '-'/'.' trimmed.
func normalize(name string) string {
	name = invalidName.ReplaceAllString(strings.ToLower(name), "-")
	if len(name) > 253 {
		name = name[:253]
	}
	return strings.Trim(name, "-.")
}

// slugify [maxSize [smartTruncate]] name, on top of normalize, with gosimple/slug.
func slugify(args ...any) string {
	maxSize, smart, name := 50, true, ""
	for i, a := range args {
		switch i {
		case len(args) - 1:
			name = a.(string)
		case 0:
			maxSize = a.(int)
		case 1:
			smart = a.(bool)
		}
	}
	slug.EnableSmartTruncate = smart
	slug.MaxLength = maxSize
	return slug.Make(normalize(name))
}

func toYAML(v any) (string, error) {
	data, err := yaml.Marshal(v)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(data), "\n"), nil
}

func fromYAML(s string) (map[string]any, error) {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	return m, nil
}

func fromYAMLArray(s string) ([]any, error) {
	a := []any{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		return nil, err
	}
	return a, nil
}

func funcs() template.FuncMap {
	m := sprig.GenericFuncMap()
	delete(m, "env")
	delete(m, "expandenv")
	delete(m, "getHostByName")
	m["normalize"] = normalize
	m["slugify"] = slugify
	m["toYaml"] = toYAML
	m["fromYaml"] = fromYAML
	m["fromYamlArray"] = fromYAMLArray
	return m
}

func runGo(c testCase) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	// Argo CD v3.5 clones a template named "base" that holds the functions, then sets options and parses.
	t, err := template.New("base").Funcs(funcs()).Clone()
	if err != nil {
		return "", err
	}
	for _, o := range c.Options {
		t = t.Option(o)
	}
	t, err = t.Parse(c.Template)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, c.Data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func runFast(c testCase) (string, error) {
	if !regexp.MustCompile(".*{{.*}}.*").MatchString(c.Template) {
		return c.Template, nil
	}
	t, err := fasttemplate.NewTemplate(c.Template, "{{", "}}")
	if err != nil {
		return "", err
	}
	return t.ExecuteFuncString(func(w io.Writer, tag string) (int, error) {
		trimmed := strings.TrimSpace(tag)
		v, ok := c.Data[trimmed].(string)
		if len(trimmed) == 0 || !ok {
			return w.Write([]byte("{{" + tag + "}}"))
		}
		return w.Write([]byte(v))
	}), nil
}

func main() {
	var cases []testCase
	if len(os.Args) == 1 {
		if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
			panic(err)
		}
	}
	for _, file := range os.Args[1:] {
		data, err := os.ReadFile(file)
		if err != nil {
			panic(err)
		}
		var more []testCase
		if err := json.Unmarshal(data, &more); err != nil {
			panic(fmt.Errorf("%s: %w", file, err))
		}
		cases = append(cases, more...)
	}
	results := make([]result, 0, len(cases))
	for _, c := range cases {
		var out string
		var err error
		if c.Engine == "fast" {
			out, err = runFast(c)
		} else {
			out, err = runGo(c)
		}
		r := result{Name: c.Name, Output: out}
		if err != nil {
			r = result{Name: c.Name, Error: err.Error()}
		}
		results = append(results, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(results); err != nil {
		panic(err)
	}
}

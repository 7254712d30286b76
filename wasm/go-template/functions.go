package main

import (
	"regexp"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/gosimple/slug"
	"sigs.k8s.io/yaml"
)

// Argo CD v3.5's template functions (applicationset/utils): Sprig's generic function map without
// the functions that reveal the controller's environment, plus normalize, slugify, toYaml,
// fromYaml and fromYamlArray. Argo CD's own code for those five is small; it is repeated here on
// the same libraries (its module drags in all of Kubernetes).
func argoFuncMap() template.FuncMap {
	m := sprig.GenericFuncMap()
	delete(m, "env")
	delete(m, "expandenv")
	delete(m, "getHostByName")
	m["normalize"] = sanitizeName
	m["slugify"] = slugifyName
	m["toYaml"] = toYAML
	m["fromYaml"] = fromYAML
	m["fromYamlArray"] = fromYAMLArray
	return m
}

var invalidDNSNameChars = regexp.MustCompile("[^-a-z0-9.]")

// sanitizeName is Argo CD's SanitizeName (`normalize`): lower case, anything outside [-a-z0-9.]
// becomes '-', at most 253 bytes, then '-' and '.' trimmed from both ends.
func sanitizeName(name string) string {
	name = invalidDNSNameChars.ReplaceAllString(strings.ToLower(name), "-")
	if len(name) > 253 {
		name = name[:253]
	}
	return strings.Trim(name, "-.")
}

// slugifyName is Argo CD's SlugifyName: `slugify [maxSize [smartTruncate]] name`. A wrong argument
// type panics as in Argo CD; text/template turns that into an "error calling slugify" error.
func slugifyName(args ...any) string {
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
	return slug.Make(sanitizeName(name))
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

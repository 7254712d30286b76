package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/template"

	"github.com/valyala/fasttemplate"
)

// A batch: in each group, every template string is rendered with every parameter set of that
// group. An expansion sends all its strings in one request (one call, not one per string).
type request struct {
	GoTemplate bool     `json:"goTemplate"`
	Options    []string `json:"options"`
	Groups     []group  `json:"groups"`
}

type group struct {
	Templates []string         `json:"templates"`
	Params    []map[string]any `json:"params"`
}

// For one parameter set: every template's output (same order), or the first error.
type result struct {
	Out   []string `json:"out,omitempty"`
	Error string   `json:"error,omitempty"`
	// Index of the template that failed.
	Index int `json:"index,omitempty"`
}

type response struct {
	// Per group, per parameter set.
	Groups [][]result `json:"groups,omitempty"`
	// A problem with the request itself (bad goTemplateOptions, unreadable input).
	Error string `json:"error,omitempty"`
}

var funcs = argoFuncMap()

func handle(input []byte) []byte {
	var req request
	var res response
	if err := json.Unmarshal(input, &req); err != nil {
		res.Error = "reading the render request: " + err.Error()
	} else {
		res = renderBatch(req)
	}
	out, err := json.Marshal(res)
	if err != nil {
		out, _ = json.Marshal(response{Error: "writing the render result: " + err.Error()})
	}
	return out
}

func renderBatch(req request) response {
	render := func(src string, params map[string]any) (string, error) {
		return renderFast(src, params)
	}
	if req.GoTemplate {
		cache, err := templatesFor(req.Options)
		if err != nil {
			return response{Error: err.Error()}
		}
		render = func(src string, params map[string]any) (string, error) {
			t, err := cache.parse(src)
			if err != nil {
				return "", err
			}
			return executeGo(t, src, params)
		}
	}
	res := response{Groups: make([][]result, len(req.Groups))}
	for g, grp := range req.Groups {
		results := make([]result, len(grp.Params))
		for p, params := range grp.Params {
			results[p] = renderAll(grp.Templates, params, render)
		}
		res.Groups[g] = results
	}
	return res
}

func renderAll(templates []string, params map[string]any, render func(string, map[string]any) (string, error)) result {
	out := make([]string, len(templates))
	for i, src := range templates {
		s, err := render(src, params)
		if err != nil {
			return result{Error: err.Error(), Index: i}
		}
		out[i] = s
	}
	return result{Out: out}
}

// Parsing (and cloning the function map into each template) costs far more than executing, and
// the same strings come back with every expansion: parsed templates are kept per option set.
// A parsed template is never modified by Execute, so reusing it gives the same output.
type parsedTemplates struct {
	base   *template.Template
	parsed map[string]parseResult
}

type parseResult struct {
	t   *template.Template
	err error
}

const maxCachedTemplates = 20000

var caches = map[string]*parsedTemplates{}

func templatesFor(options []string) (*parsedTemplates, error) {
	key := strings.Join(options, "\x00")
	if c, ok := caches[key]; ok {
		return c, nil
	}
	base, err := baseTemplate(options)
	if err != nil {
		return nil, err
	}
	c := &parsedTemplates{base: base, parsed: map[string]parseResult{}}
	caches[key] = c
	return c, nil
}

func (c *parsedTemplates) parse(src string) (*template.Template, error) {
	if r, ok := c.parsed[src]; ok {
		return r.t, r.err
	}
	if len(c.parsed) >= maxCachedTemplates {
		clear(c.parsed)
	}
	t, err := parseGo(c.base, src)
	c.parsed[src] = parseResult{t, err}
	return t, err
}

// baseTemplate is Argo CD's: a template named "base" holding the functions, with the
// ApplicationSet's goTemplateOptions applied. template.Option panics on an unknown option.
func baseTemplate(options []string) (t *template.Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("spec.goTemplateOptions: %v", r)
		}
	}()
	t = template.New("base").Funcs(funcs)
	for _, o := range options {
		t = t.Option(o)
	}
	return t, nil
}

func parseGo(base *template.Template, src string) (*template.Template, error) {
	t, err := base.Clone()
	if err == nil {
		t, err = t.Parse(src)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to parse template %s: %w", src, err)
	}
	return t, nil
}

func executeGo(t *template.Template, src string, params map[string]any) (out string, err error) {
	// A panic outside a function call (text/template recovers those) must not kill the instance.
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("failed to execute go template %s: panic: %v", src, r)
		}
	}()
	var buf bytes.Buffer
	if err := t.Execute(&buf, params); err != nil {
		return "", fmt.Errorf("failed to execute go template %s: %w", src, err)
	}
	return buf.String(), nil
}

// Argo CD only hands strings that look templated to fasttemplate.
var isTemplated = regexp.MustCompile(".*{{.*}}.*")

// renderFast is Argo CD's default templating: a tag is replaced only by a string parameter of
// that (trimmed) name; anything else is written back as it was.
func renderFast(src string, params map[string]any) (string, error) {
	if !isTemplated.MatchString(src) {
		return src, nil
	}
	t, err := fasttemplate.NewTemplate(src, "{{", "}}")
	if err != nil {
		return "", fmt.Errorf("invalid template: %w", err)
	}
	return t.ExecuteFuncString(func(w io.Writer, tag string) (int, error) {
		trimmed := strings.TrimSpace(tag)
		v, ok := params[trimmed].(string)
		if len(trimmed) == 0 || !ok {
			return w.Write([]byte("{{" + tag + "}}"))
		}
		return w.Write([]byte(v))
	}), nil
}

// Package infra holds the deployment template (template.yaml, AWS SAM) and
// the tests that keep it honest: references resolve, every role grants
// exactly what dayone needs, and the table is the one the store expects.
package infra

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"gopkg.in/yaml.v3"
)

const templateFile = "template.yaml"

// raw returns the template as plain values, with the short-form tags
// (!Ref, !GetAtt, !Sub, …) turned into their long form, and intrinsic
// functions left as written: goformation resolves some of them away.
func raw(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(templateFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	v, err := plain(&doc)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is not a mapping", templateFile)
	}
	return m
}

// plain converts a YAML node to maps, lists and scalars.
func plain(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		return plain(n.Content[0])
	case yaml.AliasNode:
		return plain(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			item, err := plain(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = item
		}
		v = m
	case yaml.SequenceNode:
		list := []any{}
		for _, c := range n.Content {
			item, err := plain(c)
			if err != nil {
				return nil, err
			}
			list = append(list, item)
		}
		v = list
	case yaml.ScalarNode:
		if isShortForm(n.Tag) {
			v = n.Value
		} else if err := n.Decode(&v); err != nil {
			return nil, err
		}
	}
	return longForm(n, v), nil
}

func isShortForm(tag string) bool {
	return strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!")
}

// longForm wraps a value written with a short-form tag: !GetAtt A.B becomes
// {"Fn::GetAtt": ["A", "B"]}, !Ref X becomes {"Ref": "X"}.
func longForm(n *yaml.Node, v any) any {
	if !isShortForm(n.Tag) {
		return v
	}
	name := strings.TrimPrefix(n.Tag, "!")
	if name == "Ref" || name == "Condition" {
		return map[string]any{name: v}
	}
	if s, ok := v.(string); ok && name == "GetAtt" {
		resource, attribute, _ := strings.Cut(s, ".")
		v = []any{resource, attribute}
	}
	return map[string]any{"Fn::" + name: v}
}

// typed returns the template as goformation reads it.
func typed(t *testing.T) *cloudformation.Template {
	t.Helper()
	tmpl, err := goformation.Open(templateFile)
	if err != nil {
		t.Fatalf("goformation cannot read %s: %v", templateFile, err)
	}
	return tmpl
}

// section returns a top-level mapping of the raw template.
func section(t *testing.T, tmpl map[string]any, name string) map[string]any {
	t.Helper()
	m, ok := tmpl[name].(map[string]any)
	if !ok {
		t.Fatalf("the template has no %s section", name)
	}
	return m
}

// resource returns the raw properties of a resource of the given type.
func resource(t *testing.T, tmpl map[string]any, name, typ string) map[string]any {
	t.Helper()
	r, ok := section(t, tmpl, "Resources")[name].(map[string]any)
	if !ok {
		t.Fatalf("no resource %s", name)
	}
	if r["Type"] != typ {
		t.Fatalf("%s is a %v, want %s", name, r["Type"], typ)
	}
	props, _ := r["Properties"].(map[string]any)
	return props
}

// get walks a path of keys through nested maps.
func get(v any, path ...string) any {
	for _, key := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[key]
	}
	return v
}

// list returns v as a list: IAM lets a single value stand for a list of one.
func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// canon writes a value the way the tests compare it: "GetAtt:Table.Arn",
// "Ref:Table", "Sub:${Table.Arn}/index/*", or the string itself.
func canon(v any) string {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for fn, arg := range m {
			switch fn {
			case "Ref":
				return fmt.Sprintf("Ref:%v", arg)
			case "Fn::GetAtt":
				parts := list(arg)
				if len(parts) == 1 {
					return fmt.Sprintf("GetAtt:%v", parts[0])
				}
				return fmt.Sprintf("GetAtt:%v.%v", parts[0], parts[1])
			case "Fn::Sub":
				return fmt.Sprintf("Sub:%v", list(arg)[0])
			}
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var subVariable = regexp.MustCompile(`\$\{([^}]*)\}`)

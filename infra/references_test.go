package infra

import (
	"slices"
	"strings"
	"testing"
)

// pseudoParameters are the names Ref and Fn::Sub know without a declaration.
var pseudoParameters = []string{
	"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
	"AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
}

// attributes lists what Fn::GetAtt may ask of each resource type the
// template uses. A new type must be added here before it can be referenced.
var attributes = map[string][]string{
	"AWS::DynamoDB::Table":          {"Arn", "StreamArn"},
	"AWS::SQS::Queue":               {"Arn", "QueueName", "QueueUrl"},
	"AWS::IAM::Role":                {"Arn", "RoleId"},
	"AWS::Serverless::Function":     {"Arn"},
	"AWS::Logs::LogGroup":           {"Arn"},
	"AWS::Scheduler::ScheduleGroup": {"Arn", "CreationDate", "LastModificationDate", "State"},
	"AWS::SecretsManager::Secret":   {"Id"},
	"AWS::SNS::Topic":               {"TopicArn", "TopicName"},
	"AWS::Lambda::Url":              {"FunctionArn", "FunctionUrl"},
}

// reference is one use of a name by Ref, Fn::GetAtt, Fn::Sub or DependsOn.
type reference struct {
	name      string
	attribute string // set for Fn::GetAtt and ${Name.Attribute}
	where     string
}

// references collects every reference inside v.
func references(v any, where string, out *[]reference) {
	switch x := v.(type) {
	case map[string]any:
		for _, key := range sortedKeys(x) {
			arg := x[key]
			switch key {
			case "Ref":
				if name, ok := arg.(string); ok {
					*out = append(*out, reference{name: name, where: where})
				}
			case "Fn::GetAtt":
				parts := list(arg)
				if len(parts) == 2 {
					*out = append(*out, reference{name: canon(parts[0]),
						attribute: canon(parts[1]), where: where})
				}
			case "Fn::Sub":
				subReferences(list(arg), where, out)
			}
			references(arg, where+"."+key, out)
		}
	case []any:
		for _, item := range x {
			references(item, where, out)
		}
	}
}

// subReferences collects the ${Name} and ${Name.Attribute} of a Fn::Sub,
// leaving out ${!Literal} and the variables the Fn::Sub defines itself.
func subReferences(args []any, where string, out *[]reference) {
	text, _ := args[0].(string)
	var local map[string]any
	if len(args) > 1 {
		local, _ = args[1].(map[string]any)
	}
	for _, m := range subVariable.FindAllStringSubmatch(text, -1) {
		if strings.HasPrefix(m[1], "!") {
			continue
		}
		if _, defined := local[m[1]]; defined {
			continue
		}
		name, attribute, _ := strings.Cut(m[1], ".")
		*out = append(*out, reference{name: name, attribute: attribute, where: where})
	}
}

// declared returns the type of every resource, including those SAM
// generates from a function (the <Function>Url of a FunctionUrlConfig), and
// marks parameters and pseudo-parameters with "".
func declared(t *testing.T, tmpl map[string]any) map[string]string {
	t.Helper()
	names := map[string]string{}
	for _, p := range pseudoParameters {
		names[p] = ""
	}
	if params, ok := tmpl["Parameters"].(map[string]any); ok {
		for name := range params {
			names[name] = ""
		}
	}
	for name, r := range section(t, tmpl, "Resources") {
		typ, _ := get(r, "Type").(string)
		names[name] = typ
		hasURL := get(r, "Properties", "FunctionUrlConfig") != nil
		if typ == "AWS::Serverless::Function" && hasURL {
			names[name+"Url"] = "AWS::Lambda::Url"
		}
	}
	return names
}

// allReferences returns the references of the whole template, DependsOn
// included.
func allReferences(t *testing.T, tmpl map[string]any) []reference {
	t.Helper()
	var refs []reference
	for _, part := range []string{"Resources", "Outputs", "Conditions"} {
		references(tmpl[part], part, &refs)
	}
	for name, r := range section(t, tmpl, "Resources") {
		for _, dep := range list(get(r, "DependsOn")) {
			refs = append(refs, reference{name: canon(dep), where: name + ".DependsOn"})
		}
	}
	return refs
}

func TestEveryReferenceResolves(t *testing.T) {
	tmpl := raw(t)
	names := declared(t, tmpl)
	refs := allReferences(t, tmpl)
	if len(refs) < 20 {
		t.Fatalf("found only %d references; the walk is broken", len(refs))
	}

	for _, ref := range refs {
		typ, found := names[ref.name]
		switch {
		case !found:
			t.Errorf("%s refers to %s, which is neither a resource nor a parameter",
				ref.where, ref.name)
		case ref.attribute == "":
		case typ == "":
			t.Errorf("%s asks %s for attribute %s, but it is a parameter",
				ref.where, ref.name, ref.attribute)
		case attributes[typ] == nil:
			t.Errorf("%s asks a %s for %s: list the attributes of %s in attributes",
				ref.where, typ, ref.attribute, typ)
		case !slices.Contains(attributes[typ], ref.attribute):
			t.Errorf("%s asks %s (%s) for %s; it has %v",
				ref.where, ref.name, typ, ref.attribute, attributes[typ])
		}
	}
}

func TestResourcesDoNotDependInACircle(t *testing.T) {
	resources := section(t, raw(t), "Resources")
	edges := map[string][]string{}
	for name, r := range resources {
		var refs []reference
		references(r, name, &refs)
		for _, dep := range list(get(r, "DependsOn")) {
			refs = append(refs, reference{name: canon(dep)})
		}
		for _, ref := range refs {
			if _, isResource := resources[ref.name]; isResource {
				edges[name] = append(edges[name], ref.name)
			}
		}
	}

	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, path []string)
	visit = func(name string, path []string) {
		switch state[name] {
		case 1:
			t.Errorf("resources depend in a circle: %s",
				strings.Join(append(path, name), " → "))
			return
		case 2:
			return
		}
		state[name] = 1
		for _, next := range edges[name] {
			visit(next, append(path, name))
		}
		state[name] = 2
	}
	for _, name := range sortedKeys(resources) {
		visit(name, nil)
	}
}

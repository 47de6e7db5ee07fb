package infra

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// Resources that the roles' grants name, in the tests' canonical form.
const (
	table          = "GetAtt:Table.Arn"
	tableIndexes   = "Sub:${Table.Arn}/index/*" // AWS requires index ARNs for Query
	groupSchedules = "Sub:arn:${AWS::Partition}:scheduler:${AWS::Region}:" +
		"${AWS::AccountId}:schedule/${ScheduleGroup}/*"
	worker = "GetAtt:Worker.Arn"
	// The worker's ARN from its fixed name, where Fn::GetAtt would close a
	// circle of references.
	workerByName = "Sub:arn:${AWS::Partition}:lambda:${AWS::Region}:" +
		"${AWS::AccountId}:function:${AWS::StackName}-worker"
	// The sweeper's, likewise.
	sweeperByName = "Sub:arn:${AWS::Partition}:lambda:${AWS::Region}:" +
		"${AWS::AccountId}:function:${AWS::StackName}-sweeper"
	// The default schedule group, where the sweep schedule lives.
	defaultGroup = "Sub:arn:${AWS::Partition}:scheduler:${AWS::Region}:" +
		"${AWS::AccountId}:schedule-group/default"
)

var storeActions = []string{
	"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
	"dynamodb:DeleteItem", "dynamodb:Query",
}

// wantGrants is everything each role may do: "action on resource", nothing
// more. A change here is a change of dayone's permissions; review it so.
var wantGrants = map[string][]string{
	"SchedulerRole": {
		grant("lambda:InvokeFunction", workerByName),
		grant("sqs:SendMessage", "GetAtt:SchedulerDLQ.Arn"),
	},
	"WorkerRole": concat(
		grants(storeActions, table, tableIndexes),
		[]string{
			grant("secretsmanager:GetSecretValue", "Ref:OktaTokenSecret"),
			// The async OnFailure destination sends with the function's role.
			grant("sqs:SendMessage", "GetAtt:WorkerDLQ.Arn"),
			// Retries of failed attempts: one-time schedules of the group.
			grant("iam:PassRole", "GetAtt:SchedulerRole.Arn"),
		},
		grants([]string{"scheduler:CreateSchedule", "scheduler:UpdateSchedule"},
			groupSchedules),
		grants([]string{"logs:CreateLogStream", "logs:PutLogEvents"},
			"GetAtt:WorkerLogGroup.Arn"),
	),
	// The sweeper fires requests as the worker does and arms retries the
	// same way; it has no dead-letter queue.
	"SweeperRole": concat(
		grants(storeActions, table, tableIndexes),
		[]string{
			grant("secretsmanager:GetSecretValue", "Ref:OktaTokenSecret"),
			grant("iam:PassRole", "GetAtt:SchedulerRole.Arn"),
		},
		grants([]string{"scheduler:CreateSchedule", "scheduler:UpdateSchedule"},
			groupSchedules),
		grants([]string{"logs:CreateLogStream", "logs:PutLogEvents"},
			"GetAtt:SweeperLogGroup.Arn"),
	),
	"SweepScheduleRole": {
		grant("lambda:InvokeFunction", sweeperByName),
	},
	"WebRole": concat(
		grants(storeActions, table, tableIndexes),
		grants([]string{"scheduler:CreateSchedule", "scheduler:UpdateSchedule",
			"scheduler:DeleteSchedule", "scheduler:GetSchedule"}, groupSchedules),
		[]string{
			grant("iam:PassRole", "GetAtt:SchedulerRole.Arn"),
			grant("lambda:InvokeFunction", worker),
		},
		grants([]string{"logs:CreateLogStream", "logs:PutLogEvents"},
			"GetAtt:WebLogGroup.Arn"),
	),
}

func grant(action, resource string) string { return action + " on " + resource }

func grants(actions []string, resources ...string) []string {
	var out []string
	for _, a := range actions {
		for _, r := range resources {
			out = append(out, grant(a, r))
		}
	}
	return out
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// statements returns every statement of the role's inline policies.
func statements(t *testing.T, tmpl map[string]any, role string) []map[string]any {
	t.Helper()
	props := resource(t, tmpl, role, "AWS::IAM::Role")
	var out []map[string]any
	for _, p := range list(props["Policies"]) {
		for _, s := range list(get(p, "PolicyDocument", "Statement")) {
			st, ok := s.(map[string]any)
			if !ok {
				t.Fatalf("%s has a statement that is not a mapping: %v", role, s)
			}
			out = append(out, st)
		}
	}
	return out
}

func TestRolesGrantExactlyTheListedPermissions(t *testing.T) {
	tmpl := raw(t)
	for _, role := range sortedKeys(wantGrants) {
		t.Run(role, func(t *testing.T) {
			var got []string
			for _, st := range statements(t, tmpl, role) {
				if st["Effect"] != "Allow" {
					t.Errorf("statement %v: only Allow statements are expected", st)
				}
				for _, action := range list(st["Action"]) {
					for _, res := range list(st["Resource"]) {
						got = append(got, grant(canon(action), canon(res)))
					}
				}
			}
			want := append([]string(nil), wantGrants[role]...)
			sort.Strings(got)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s grants\n%s\nwant\n%s", role,
					strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// Every IAM role of the template is one the tests know.
func TestEveryRoleIsListed(t *testing.T) {
	for name, r := range section(t, raw(t), "Resources") {
		if get(r, "Type") == "AWS::IAM::Role" && wantGrants[name] == nil {
			t.Errorf("role %s has no entry in wantGrants", name)
		}
	}
}

// No wildcard action, no Resource "*", no way around the listed grants.
func TestNoWildcardsOrLooseGrants(t *testing.T) {
	tmpl := raw(t)
	for name, r := range section(t, tmpl, "Resources") {
		props, _ := get(r, "Properties").(map[string]any)
		if _, ok := props["ManagedPolicyArns"]; ok {
			t.Errorf("%s attaches managed policies; grant inline instead", name)
		}
		if get(r, "Type") == "AWS::Serverless::Function" {
			if _, ok := props["Policies"]; ok {
				t.Errorf("%s has SAM Policies; give it an explicit role", name)
			}
		}
		if get(r, "Type") != "AWS::IAM::Role" {
			continue
		}
		for _, st := range statements(t, tmpl, name) {
			checkStatement(t, name, st)
		}
	}
}

func checkStatement(t *testing.T, role string, st map[string]any) {
	t.Helper()
	for _, key := range []string{"NotAction", "NotResource", "NotPrincipal"} {
		if _, ok := st[key]; ok {
			t.Errorf("%s uses %s", role, key)
		}
	}
	for _, a := range list(st["Action"]) {
		if strings.Contains(canon(a), "*") {
			t.Errorf("%s allows the wildcard action %s", role, canon(a))
		}
	}
	resources := list(st["Resource"])
	if len(resources) == 0 {
		t.Errorf("%s has a statement without Resource", role)
	}
	for _, r := range resources {
		if c := canon(r); c == "*" || c == "Sub:*" || strings.HasSuffix(c, ":*") {
			t.Errorf("%s grants on every resource (%s)", role, c)
		}
	}
}

// Each role the scheduler assumes trusts only this account's schedules of
// its group: the request schedules' group, or the default group of the
// sweep schedule.
func TestSchedulerRolesTrustOnlyThisAccountsScheduler(t *testing.T) {
	tmpl := raw(t)
	for role, group := range map[string]string{
		"SchedulerRole":     "GetAtt:ScheduleGroup.Arn",
		"SweepScheduleRole": defaultGroup,
	} {
		t.Run(role, func(t *testing.T) { checkSchedulerTrust(t, tmpl, role, group) })
	}
}

func checkSchedulerTrust(t *testing.T, tmpl map[string]any, role, group string) {
	t.Helper()
	props := resource(t, tmpl, role, "AWS::IAM::Role")
	trust := list(get(props, "AssumeRolePolicyDocument", "Statement"))
	if len(trust) != 1 {
		t.Fatalf("%d trust statements, want 1", len(trust))
	}
	st := trust[0]
	condition := func(op, key string) string { return canon(get(st, "Condition", op, key)) }
	checks := map[string][2]string{
		"principal": {canon(get(st, "Principal", "Service")), "scheduler.amazonaws.com"},
		"action":    {canon(get(st, "Action")), "sts:AssumeRole"},
		"source account": {condition("StringEquals", "aws:SourceAccount"),
			"Ref:AWS::AccountId"},
		"source group": {condition("ArnEquals", "aws:SourceArn"), group},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("trust %s = %s, want %s", what, c[0], c[1])
		}
	}
}

func TestPassRoleOnlyToTheScheduler(t *testing.T) {
	tmpl := raw(t)
	for _, role := range []string{"WebRole", "WorkerRole", "SweeperRole"} {
		found := false
		for _, st := range statements(t, tmpl, role) {
			for _, a := range list(st["Action"]) {
				if canon(a) != "iam:PassRole" {
					continue
				}
				found = true
				got := canon(get(st, "Condition", "StringEquals", "iam:PassedToService"))
				if got != "scheduler.amazonaws.com" || len(list(st["Action"])) != 1 {
					t.Errorf("%s PassRole statement %v: want it alone, with "+
						"iam:PassedToService scheduler.amazonaws.com", role, st)
				}
			}
		}
		if !found {
			t.Errorf("the %s cannot pass the scheduler role", role)
		}
	}
}

package infra

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/awslabs/goformation/v7/cloudformation/dynamodb"
	"gopkg.in/yaml.v3"

	"github.com/dayone/dayone/internal/dynamostore"
)

func TestTemplateDeclaresTheSAMTransform(t *testing.T) {
	tmpl := typed(t)
	if tmpl.Transform == nil || tmpl.Transform.String == nil ||
		*tmpl.Transform.String != "AWS::Serverless-2016-10-31" {
		t.Errorf("Transform = %v, want AWS::Serverless-2016-10-31", tmpl.Transform)
	}
}

func TestFunctions(t *testing.T) {
	tmpl := typed(t)
	tests := []struct {
		name     string
		reserved bool
		env      map[string]string // variable → canonical raw value
	}{
		{"Worker", true, map[string]string{
			"DAYONE_TABLE":              "Ref:Table",
			"OKTA_ORG_URL":              "Ref:OktaOrgUrl",
			"OKTA_TOKEN_SECRET_ARN":     "Ref:OktaTokenSecret",
			"DAYONE_SCHEDULE_GROUP":     "Ref:ScheduleGroup",
			"DAYONE_WORKER_ARN":         workerByName,
			"DAYONE_SCHEDULER_ROLE_ARN": "GetAtt:SchedulerRole.Arn",
			"DAYONE_SCHEDULER_DLQ_ARN":  "GetAtt:SchedulerDLQ.Arn",
		}},
		{"Sweeper", true, map[string]string{
			"DAYONE_WORKER_ROLE":        "sweeper",
			"DAYONE_TABLE":              "Ref:Table",
			"OKTA_ORG_URL":              "Ref:OktaOrgUrl",
			"OKTA_TOKEN_SECRET_ARN":     "Ref:OktaTokenSecret",
			"DAYONE_SCHEDULE_GROUP":     "Ref:ScheduleGroup",
			"DAYONE_WORKER_ARN":         "GetAtt:Worker.Arn",
			"DAYONE_SCHEDULER_ROLE_ARN": "GetAtt:SchedulerRole.Arn",
			"DAYONE_SCHEDULER_DLQ_ARN":  "GetAtt:SchedulerDLQ.Arn",
		}},
		{"Web", false, map[string]string{
			"DAYONE_TABLE":              "Ref:Table",
			"DAYONE_SCHEDULE_GROUP":     "Ref:ScheduleGroup",
			"DAYONE_WORKER_ARN":         "GetAtt:Worker.Arn",
			"DAYONE_SCHEDULER_ROLE_ARN": "GetAtt:SchedulerRole.Arn",
			"DAYONE_SCHEDULER_DLQ_ARN":  "GetAtt:SchedulerDLQ.Arn",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn, err := tmpl.GetServerlessFunctionWithName(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			runtime, handler := aws.ToString(fn.Runtime), aws.ToString(fn.Handler)
			if runtime != "provided.al2023" || handler != "bootstrap" ||
				!reflect.DeepEqual(fn.Architectures, []string{"arm64"}) {
				t.Errorf("runtime %s, handler %s, architectures %v; want provided.al2023, "+
					"bootstrap, [arm64]", runtime, handler, fn.Architectures)
			}
			if m := aws.ToInt(fn.MemorySize); m < 128 || m > 256 {
				t.Errorf("MemorySize %d, want 128-256", m)
			}
			if fn.Timeout == nil {
				t.Error("no Timeout")
			}
			if tt.reserved && aws.ToInt(fn.ReservedConcurrentExecutions) < 1 {
				t.Error("no ReservedConcurrentExecutions: Okta's rate limit is not protected")
			}

			props := resource(t, raw(t), tt.name, "AWS::Serverless::Function")
			got := map[string]string{}
			vars, _ := get(props, "Environment", "Variables").(map[string]any)
			for k, v := range vars {
				got[k] = canon(v)
			}
			if !reflect.DeepEqual(got, tt.env) {
				t.Errorf("environment %v, want %v", got, tt.env)
			}
			if canon(props["Role"]) != "GetAtt:"+tt.name+"Role.Arn" {
				t.Errorf("Role %s, want its own explicit role", canon(props["Role"]))
			}
		})
	}
}

func TestWorkerAsyncFailuresGoToItsDLQ(t *testing.T) {
	fn, err := typed(t).GetServerlessFunctionWithName("Worker")
	if err != nil {
		t.Fatal(err)
	}
	cfg := fn.EventInvokeConfig
	if cfg == nil || cfg.MaximumRetryAttempts == nil || cfg.DestinationConfig == nil ||
		cfg.DestinationConfig.OnFailure == nil ||
		aws.ToString(cfg.DestinationConfig.OnFailure.Type) != "SQS" {
		t.Fatalf("EventInvokeConfig %+v: want retries and OnFailure to SQS", cfg)
	}
	props := resource(t, raw(t), "Worker", "AWS::Serverless::Function")
	dest := canon(get(props, "EventInvokeConfig", "DestinationConfig", "OnFailure",
		"Destination"))
	if dest != "GetAtt:WorkerDLQ.Arn" {
		t.Errorf("OnFailure goes to %s, want the worker DLQ", dest)
	}
}

func TestWebURLNeedsIAM(t *testing.T) {
	fn, err := typed(t).GetServerlessFunctionWithName("Web")
	if err != nil {
		t.Fatal(err)
	}
	url := fn.FunctionUrlConfig
	if url == nil {
		t.Fatal("no FunctionUrlConfig")
	}
	if url.AuthType != "AWS_IAM" || aws.ToString(url.InvokeMode) != "RESPONSE_STREAM" {
		t.Errorf("Function URL %s, %s; want AWS_IAM, RESPONSE_STREAM",
			url.AuthType, aws.ToString(url.InvokeMode))
	}
}

// The table must be the one dynamostore creates and checks: same attributes,
// key, indexes and projections.
func TestTableMatchesTheStore(t *testing.T) {
	got, err := typed(t).GetDynamoDBTableWithName("Table")
	if err != nil {
		t.Fatal(err)
	}
	want := dynamostore.TableInput("x")

	if aws.ToString(got.BillingMode) != string(want.BillingMode) {
		t.Errorf("BillingMode %s, want %s", aws.ToString(got.BillingMode), want.BillingMode)
	}
	gotAttrs, wantAttrs := templateAttributes(got), storeAttributes(want.AttributeDefinitions)
	if !reflect.DeepEqual(gotAttrs, wantAttrs) {
		t.Errorf("attributes %v, want %v", gotAttrs, wantAttrs)
	}
	if g, w := templateKeys(got.KeySchema), storeKeys(want.KeySchema); g != w {
		t.Errorf("key %s, want %s", g, w)
	}
	gotIndexes, wantIndexes := templateIndexes(got), storeIndexes(want.GlobalSecondaryIndexes)
	if !reflect.DeepEqual(gotIndexes, wantIndexes) {
		t.Errorf("indexes\n%v\nwant\n%v", gotIndexes, wantIndexes)
	}
	if len(got.LocalSecondaryIndexes) != 0 || len(want.LocalSecondaryIndexes) != 0 {
		t.Error("local secondary indexes differ")
	}
}

func TestTableIsProtected(t *testing.T) {
	got, err := typed(t).GetDynamoDBTableWithName("Table")
	if err != nil {
		t.Fatal(err)
	}
	ttl := got.TimeToLiveSpecification
	if ttl == nil || !ttl.Enabled || aws.ToString(ttl.AttributeName) != dynamostore.TTLAttribute {
		t.Errorf("TTL %v, want enabled on %s", ttl != nil && ttl.Enabled,
			dynamostore.TTLAttribute)
	}
	if got.PointInTimeRecoverySpecification == nil ||
		!aws.ToBool(got.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled) {
		t.Error("point-in-time recovery is off")
	}
	if got.SSESpecification == nil || !got.SSESpecification.SSEEnabled {
		t.Error("SSE with a KMS key is off")
	}
	if got.AWSCloudFormationDeletionPolicy != "Retain" {
		t.Errorf("DeletionPolicy %q, want Retain", got.AWSCloudFormationDeletionPolicy)
	}
}

func templateAttributes(tbl *dynamodb.Table) map[string]string {
	m := map[string]string{}
	for _, a := range tbl.AttributeDefinitions {
		m[a.AttributeName] = a.AttributeType
	}
	return m
}

func storeAttributes(defs []dynamotypes.AttributeDefinition) map[string]string {
	m := map[string]string{}
	for _, a := range defs {
		m[aws.ToString(a.AttributeName)] = string(a.AttributeType)
	}
	return m
}

func templateKeys(keys []dynamodb.Table_KeySchema) string {
	var parts []string
	for _, k := range keys {
		parts = append(parts, k.AttributeName+" "+k.KeyType)
	}
	return strings.Join(parts, ", ")
}

func storeKeys(keys []dynamotypes.KeySchemaElement) string {
	var parts []string
	for _, k := range keys {
		parts = append(parts, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
	}
	return strings.Join(parts, ", ")
}

// An index as both sides describe it: "name: keys; projection [non-key attributes]".
func templateIndexes(tbl *dynamodb.Table) []string {
	var out []string
	for _, ix := range tbl.GlobalSecondaryIndexes {
		p := ix.Projection
		out = append(out, ix.IndexName+": "+templateKeys(ix.KeySchema)+"; "+
			aws.ToString(p.ProjectionType)+" "+strings.Join(p.NonKeyAttributes, ","))
	}
	sort.Strings(out)
	return out
}

func storeIndexes(indexes []dynamotypes.GlobalSecondaryIndex) []string {
	var out []string
	for _, ix := range indexes {
		p := ix.Projection
		out = append(out, aws.ToString(ix.IndexName)+": "+storeKeys(ix.KeySchema)+"; "+
			string(p.ProjectionType)+" "+strings.Join(p.NonKeyAttributes, ","))
	}
	sort.Strings(out)
	return out
}

func TestAlarms(t *testing.T) {
	tmpl := raw(t)
	tests := []struct {
		alarm, namespace, metric, dimension, target string
	}{
		{"SchedulerDLQAlarm", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
			"QueueName", "GetAtt:SchedulerDLQ.QueueName"},
		{"WorkerDLQAlarm", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
			"QueueName", "GetAtt:WorkerDLQ.QueueName"},
		{"WorkerErrorsAlarm", "AWS/Lambda", "Errors", "FunctionName", "Ref:Worker"},
		{"SweeperErrorsAlarm", "AWS/Lambda", "Errors", "FunctionName", "Ref:Sweeper"},
	}
	for _, tt := range tests {
		t.Run(tt.alarm, func(t *testing.T) {
			p := resource(t, tmpl, tt.alarm, "AWS::CloudWatch::Alarm")
			dims := list(p["Dimensions"])
			if p["Namespace"] != tt.namespace || p["MetricName"] != tt.metric ||
				len(dims) != 1 || get(dims[0], "Name") != tt.dimension ||
				canon(get(dims[0], "Value")) != tt.target {
				t.Errorf("watches %v %v %v, want %s %s with %s = %s", p["Namespace"],
					p["MetricName"], dims, tt.namespace, tt.metric, tt.dimension, tt.target)
			}
			if p["ComparisonOperator"] != "GreaterThanThreshold" || p["Threshold"] != 0 {
				t.Errorf("fires when %v %v, want GreaterThanThreshold 0",
					p["ComparisonOperator"], p["Threshold"])
			}
			if len(list(p["AlarmActions"])) == 0 {
				t.Error("the alarm notifies nobody")
			}
		})
	}
}

func TestQueuesAreEncrypted(t *testing.T) {
	tmpl := raw(t)
	for _, q := range []string{"SchedulerDLQ", "WorkerDLQ"} {
		p := resource(t, tmpl, q, "AWS::SQS::Queue")
		if p["SqsManagedSseEnabled"] != true && p["KmsMasterKeyId"] == nil {
			t.Errorf("%s is not encrypted", q)
		}
	}
}

func TestEachFunctionHasALogGroupWithRetention(t *testing.T) {
	tmpl := raw(t)
	for fn, group := range map[string]string{"Worker": "WorkerLogGroup", "Web": "WebLogGroup",
		"Sweeper": "SweeperLogGroup"} {
		f := resource(t, tmpl, fn, "AWS::Serverless::Function")
		g := resource(t, tmpl, group, "AWS::Logs::LogGroup")
		name := strings.TrimPrefix(canon(f["FunctionName"]), "Sub:")
		if canon(g["LogGroupName"]) != "Sub:/aws/lambda/"+name {
			t.Errorf("%s is %s, want the log group of function %s", group,
				canon(g["LogGroupName"]), name)
		}
		if g["RetentionInDays"] == nil {
			t.Errorf("%s keeps logs forever", group)
		}
	}
}

func TestSecretValueIsNotInTheTemplate(t *testing.T) {
	p := resource(t, raw(t), "OktaTokenSecret", "AWS::SecretsManager::Secret")
	if _, ok := p["SecretString"]; ok {
		t.Error("the template holds the Okta token")
	}
}

func TestShortFormTagsAreRead(t *testing.T) {
	var doc yaml.Node
	src := "a: !Ref X\nb: !GetAtt Y.Arn\nc: !Sub \"${Z}-1\"\nd: [!GetAtt [W, Arn]]\n"
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	v, err := plain(&doc)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for k, x := range v.(map[string]any) {
		got[k] = canon(list(x)[0])
	}
	want := map[string]string{"a": "Ref:X", "b": "GetAtt:Y.Arn", "c": "Sub:${Z}-1",
		"d": "GetAtt:W.Arn"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
}

// The ARNs built from the functions' names (workerByName, sweeperByName)
// must name those functions.
func TestARNsByNameMatchTheFunctionNames(t *testing.T) {
	for fn, arn := range map[string]string{"Worker": workerByName, "Sweeper": sweeperByName} {
		props := resource(t, raw(t), fn, "AWS::Serverless::Function")
		name := strings.TrimPrefix(canon(props["FunctionName"]), "Sub:")
		if !strings.HasPrefix(name, "${AWS::StackName}-") ||
			!strings.HasSuffix(arn, ":function:"+name) {
			t.Errorf("%s FunctionName %s; the ARN built from it, %s, would name "+
				"another function", fn, canon(props["FunctionName"]), arn)
		}
	}
}

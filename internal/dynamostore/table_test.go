package dynamostore

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/dayone/dayone/internal/testenv"
)

func TestCreateTableIdempotent(t *testing.T) {
	t.Parallel()
	client := testenv.DynamoClient(t)
	table := testenv.TableName(t)
	for i := range 2 {
		if err := CreateTable(t.Context(), client, table); err != nil {
			t.Fatalf("CreateTable call %d: %v", i+1, err)
		}
	}

	out, err := client.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{
		TableName: aws.String(table),
	})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	got := out.Table
	if got.TableStatus != types.TableStatusActive {
		t.Errorf("status = %s, want ACTIVE", got.TableStatus)
	}
	if got.BillingModeSummary == nil ||
		got.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing = %+v, want PAY_PER_REQUEST", got.BillingModeSummary)
	}
	want := TableInput(table)
	if keyNames(got.KeySchema) != "pk HASH" {
		t.Errorf("key = %s, want pk HASH", keyNames(got.KeySchema))
	}
	if len(got.GlobalSecondaryIndexes) != len(want.GlobalSecondaryIndexes) {
		t.Errorf("%d indexes, want %d", len(got.GlobalSecondaryIndexes),
			len(want.GlobalSecondaryIndexes))
	}
	for _, gsi := range got.GlobalSecondaryIndexes {
		if gsi.Projection == nil || gsi.Projection.ProjectionType != types.ProjectionTypeAll {
			t.Errorf("index %s projects %+v, want ALL",
				aws.ToString(gsi.IndexName), gsi.Projection)
		}
	}
}

func TestTableInput(t *testing.T) {
	in := TableInput("dayone")
	indexes := map[string]string{}
	for _, gsi := range in.GlobalSecondaryIndexes {
		indexes[aws.ToString(gsi.IndexName)] = keyNames(gsi.KeySchema)
	}
	want := map[string]string{
		IndexByStatus: "status HASH, due_key RANGE",
		IndexByDue:    "kind HASH, due_key RANGE",
	}
	for name, keys := range want {
		if indexes[name] != keys {
			t.Errorf("index %s keys = %q, want %q", name, indexes[name], keys)
		}
	}
	defined := map[string]bool{}
	for _, a := range in.AttributeDefinitions {
		defined[aws.ToString(a.AttributeName)] = a.AttributeType == types.ScalarAttributeTypeS
	}
	for _, name := range []string{attrPK, attrStatus, attrDueKey, attrKind} {
		if !defined[name] {
			t.Errorf("attribute %s is not defined as a string", name)
		}
	}
	if len(defined) != 4 {
		t.Errorf("%d attribute definitions, want 4 (only keys may be defined)", len(defined))
	}
}

// A table of another layout under the same name fails loudly.
func TestCreateTableOverOtherLayout(t *testing.T) {
	t.Parallel()
	client := testenv.DynamoClient(t)
	table := testenv.TableName(t)
	other := TableInput(table)
	other.GlobalSecondaryIndexes = other.GlobalSecondaryIndexes[:1]
	other.AttributeDefinitions = other.AttributeDefinitions[:3]
	if _, err := client.CreateTable(t.Context(), other); err != nil {
		t.Fatalf("create the other table: %v", err)
	}

	err := CreateTable(t.Context(), client, table)
	if err == nil || !strings.Contains(err.Error(), IndexByDue) {
		t.Errorf("CreateTable over a table without %s: err = %v", IndexByDue, err)
	}
}

package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The names of the key and index attributes, and of the indexes.
const (
	attrPK     = "pk"
	attrStatus = "status"
	attrDueKey = "due_key"
	attrKind   = "kind"

	// TTLAttribute is the attribute the table's time-to-live setting must name.
	TTLAttribute = "ttl"

	// IndexByStatus lists the requests of one status in due order.
	IndexByStatus = "by-status"

	// IndexByDue lists every request in due order.
	IndexByDue = "by-due"
)

// tableWait is the longest CreateTable waits for a new table to become active.
const tableWait = 5 * time.Minute

// TableInput returns the definition of the table: the one CreateTable uses and
// the one the deployment template must match.
func TableInput(table string) *dynamodb.CreateTableInput {
	return &dynamodb.CreateTableInput{
		TableName:   aws.String(table),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			stringAttr(attrPK), stringAttr(attrStatus),
			stringAttr(attrDueKey), stringAttr(attrKind),
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(attrPK), KeyType: types.KeyTypeHash},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			dueOrderIndex(IndexByStatus, attrStatus),
			dueOrderIndex(IndexByDue, attrKind),
		},
	}
}

func stringAttr(name string) types.AttributeDefinition {
	return types.AttributeDefinition{
		AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS,
	}
}

// dueOrderIndex is an index partitioned by partition and sorted by due_key
// that projects every attribute, so that a listing needs no second read.
func dueOrderIndex(name, partition string) types.GlobalSecondaryIndex {
	return types.GlobalSecondaryIndex{
		IndexName: aws.String(name),
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(partition), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(attrDueKey), KeyType: types.KeyTypeRange},
		},
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
	}
}

// CreateTable creates the table unless it exists and waits until it is
// active. It fails when an existing table lacks the key or an index that
// TableInput defines.
func CreateTable(ctx context.Context, client *dynamodb.Client, table string) error {
	_, err := client.CreateTable(ctx, TableInput(table))
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("dynamostore: create table %s: %w", table, err)
	}

	waiter := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, 2*time.Second
	})
	out, err := waiter.WaitForOutput(ctx, &dynamodb.DescribeTableInput{
		TableName: aws.String(table),
	}, tableWait)
	if err != nil {
		return fmt.Errorf("dynamostore: wait for table %s: %w", table, err)
	}
	return checkTable(out.Table)
}

// checkTable compares the key and the indexes of a table with TableInput, so
// that a table left from an older layout fails loudly instead of oddly.
func checkTable(got *types.TableDescription) error {
	want := TableInput(aws.ToString(got.TableName))
	if !sameKeys(got.KeySchema, want.KeySchema) {
		return fmt.Errorf("dynamostore: table %s has another key than %s",
			aws.ToString(got.TableName), attrPK)
	}
	for _, w := range want.GlobalSecondaryIndexes {
		if !hasIndex(got.GlobalSecondaryIndexes, w) {
			return fmt.Errorf("dynamostore: table %s lacks the index %s on %s",
				aws.ToString(got.TableName), aws.ToString(w.IndexName), keyNames(w.KeySchema))
		}
	}
	return nil
}

func hasIndex(got []types.GlobalSecondaryIndexDescription, want types.GlobalSecondaryIndex) bool {
	for _, g := range got {
		if aws.ToString(g.IndexName) == aws.ToString(want.IndexName) {
			return sameKeys(g.KeySchema, want.KeySchema)
		}
	}
	return false
}

func sameKeys(a, b []types.KeySchemaElement) bool {
	return keyNames(a) == keyNames(b)
}

// keyNames reads like "status HASH, due_key RANGE".
func keyNames(keys []types.KeySchemaElement) string {
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += aws.ToString(k.AttributeName) + " " + string(k.KeyType)
	}
	return s
}

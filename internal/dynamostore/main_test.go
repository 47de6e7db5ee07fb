package dynamostore

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/dayone/dayone/internal/testenv"
)

func TestMain(m *testing.M) {
	// Parallel tests cannot use t.Setenv; the clients read no AWS settings
	// anyway, this only makes sure nothing could reach AWS.
	testenv.SetAWSEnv()
	os.Exit(m.Run())
}

// newStore returns a store over a new table on the shared dynalite.
func newStore(t testing.TB, opts Options) *Store {
	t.Helper()
	client := testenv.DynamoClient(t)
	table := testenv.TableName(t)
	if err := CreateTable(t.Context(), client, table); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	return New(client, table, opts)
}

// clock is a settable queue.Clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(now time.Time) *clock { return &clock{now: now} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// rawItem reads an item as stored, bypassing the store's decoding.
func rawItem(t *testing.T, s *Store, key item) item {
	t.Helper()
	out, err := s.client.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key, ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetItem %v: %v", key, err)
	}
	return out.Item
}

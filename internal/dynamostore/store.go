package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/dayone/dayone/internal/queue"
)

// DefaultRetention is how long a finished request is kept when Options name
// no retention.
const DefaultRetention = 2 * 365 * 24 * time.Hour

// Options tune a Store. Zero values get the defaults.
type Options struct {
	// Retention is how long a finished request is kept before DynamoDB's TTL
	// may delete it; default DefaultRetention.
	Retention time.Duration

	// Clock tells the time for the ttl and the age of login guards; default
	// time.Now.
	Clock queue.Clock
}

// Store is a queue.Store in one DynamoDB table (see the package doc). It is
// safe for concurrent use, also by several processes.
type Store struct {
	client *dynamodb.Client
	table  string
	opts   Options
}

var _ queue.Store = (*Store)(nil)

// New returns a store over the table, which must exist (see CreateTable).
func New(client *dynamodb.Client, table string, opts Options) *Store {
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return &Store{client: client, table: table, opts: opts}
}

func (s *Store) now() time.Time { return s.opts.Clock().UTC() }

// Create saves a new request and, when it is open, claims its login first.
// Errors: *queue.OpenRequestError when the login has an open request; an
// error wrapping queue.ErrConflict when the id is taken; an error wrapping
// queue.ErrInvalid when the request has no id.
func (s *Store) Create(ctx context.Context, r *queue.Request) error {
	if r.ID == "" {
		return fmt.Errorf("dynamostore: create: %w",
			&queue.InputError{Field: "id", Message: "a request needs an id"})
	}
	if r.LoginKey == "" {
		r.LoginKey = queue.LoginKey(r.Login)
	}
	if r.Status.Open() {
		if err := s.claimLogin(ctx, r); err != nil {
			return err
		}
	}

	// A guard claimed above stays when the put fails: the put may have
	// succeeded unseen, and a guard without an open request is taken over.
	err := s.putRequest(ctx, r, r.Version, isNew)
	if conditionFailed(err) {
		return fmt.Errorf("dynamostore: create %s: %w: the id is taken", r.ID, queue.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("dynamostore: create %s: %w", r.ID, err)
	}
	return nil
}

// Get returns the request with the given id, read consistently, or an error
// wrapping queue.ErrNotFound (also for a request whose retention has passed).
func (s *Store) Get(ctx context.Context, id string) (*queue.Request, error) {
	it, err := s.getItem(ctx, requestKey(id))
	if err != nil {
		return nil, fmt.Errorf("dynamostore: get %s: %w", id, err)
	}
	if it == nil || expired(it, s.now()) {
		return nil, fmt.Errorf("dynamostore: %s: %w", id, queue.ErrNotFound)
	}
	return decodeRequest(it)
}

// Update saves r when the stored copy has status from and version r.Version,
// then increments r.Version. When r leaves the open statuses, its login guard
// is released. Errors wrap queue.ErrNotFound or queue.ErrConflict; nothing is
// saved then.
func (s *Store) Update(ctx context.Context, r *queue.Request, from queue.Status) error {
	if r.LoginKey == "" {
		r.LoginKey = queue.LoginKey(r.Login)
	}
	if !from.Open() && r.Status.Open() {
		if err := s.claimLogin(ctx, r); err != nil {
			return err
		}
	}

	err := s.putRequest(ctx, r, r.Version+1, stillAt(from, r.Version))
	if conditionFailed(err) {
		return s.conflict(ctx, r, from)
	}
	if err != nil {
		return fmt.Errorf("dynamostore: update %s: %w", r.ID, err)
	}

	r.Version++
	if from.Open() && !r.Status.Open() {
		s.releaseLogin(ctx, r)
	}
	return nil
}

// condition is a condition expression with its placeholders.
type condition struct {
	expr   string
	names  map[string]string
	values item
}

// isNew holds when no item has the key.
var isNew = condition{expr: "attribute_not_exists(#pk)", names: map[string]string{"#pk": attrPK}}

// stillAt holds when the request exists with the status and version.
func stillAt(status queue.Status, version int64) condition {
	return condition{
		expr:   "attribute_exists(#pk) AND #status = :status AND #version = :version",
		names:  map[string]string{"#pk": attrPK, "#status": attrStatus, "#version": "version"},
		values: item{":status": str(string(status)), ":version": num(version)},
	}
}

// putRequest writes r at version on condition cond.
func (s *Store) putRequest(ctx context.Context, r *queue.Request, version int64,
	cond condition) error {
	var expires time.Time
	if !r.Status.Open() {
		expires = s.now().Add(s.opts.Retention)
	}
	it, err := encodeRequest(r, version, expires)
	if err != nil {
		return err
	}

	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      it,
		ConditionExpression:       aws.String(cond.expr),
		ExpressionAttributeNames:  cond.names,
		ExpressionAttributeValues: cond.values,
	})
	return err
}

// conflict explains a failed update condition: the request is gone, or it is
// not in the state the caller read.
func (s *Store) conflict(ctx context.Context, r *queue.Request, from queue.Status) error {
	current, err := s.Get(ctx, r.ID)
	if err != nil {
		return err
	}
	return fmt.Errorf("dynamostore: update %s: %w: it is %s at version %d, not %s at %d",
		r.ID, queue.ErrConflict, current.Status, current.Version, from, r.Version)
}

// getItem reads one item consistently; nil when there is none.
func (s *Store) getItem(ctx context.Context, key item) (item, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            key,
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	return out.Item, nil
}

// conditionFailed reports whether err is a lost write condition.
func conditionFailed(err error) bool {
	var failed *types.ConditionalCheckFailedException
	return errors.As(err, &failed)
}

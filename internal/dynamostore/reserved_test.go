package dynamostore

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

// C11: dynalite rejects reserved words in expressions as DynamoDB does, so
// the tests below catch a missing placeholder. It rejects an empty string in
// a table key but, unlike DynamoDB, accepts one in an index key: that is why
// the tests read the raw items to check that empty attributes are left out.
func TestServerRejectsReservedWords(t *testing.T) {
	t.Parallel()
	s := newStore(t, Options{})

	_, err := s.client.Query(t.Context(), &dynamodb.QueryInput{
		TableName: aws.String(s.table), IndexName: aws.String(IndexByStatus),
		KeyConditionExpression:    aws.String("status = :s"),
		ExpressionAttributeValues: item{":s": str("cancelled")},
	})
	if err == nil || !strings.Contains(err.Error(), "reserved keyword") {
		t.Errorf("status without a placeholder: err = %v, want a reserved-word error", err)
	}
}

// No attribute of a request item is ever an empty string, whatever fields
// are empty; an empty status leaves the item out of the status index.
func TestEncodeLeavesEmptyOut(t *testing.T) {
	r := &queue.Request{ID: "r-empty", DueAt: queuetest.Base}
	it, err := encodeRequest(r, 0, time.Time{})
	if err != nil {
		t.Fatalf("encodeRequest: %v", err)
	}
	for name, v := range it {
		if s, ok := v.(*types.AttributeValueMemberS); ok && s.Value == "" {
			t.Errorf("attribute %s is an empty string", name)
		}
	}
	if _, ok := it[attrStatus]; ok {
		t.Errorf("an empty status was written: %v", it[attrStatus])
	}
	want := "2027-04-01T07:00:00.000000000Z#r-empty"
	if got := stringAt(it, attrDueKey); got != want {
		t.Errorf("due_key = %q, want %q", got, want)
	}
}

// C11: cancelling (status, result, ttl are reserved words) and listing the
// cancelled requests work; empty optional attributes are left out, not "".
func TestReservedWordsAndEmptyAttributes(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC))
	s := newStore(t, Options{Clock: clk.Now, Retention: 30 * 24 * time.Hour})
	r := queuetest.NewRequest("r-c11", "eva@example.com", queuetest.Base)
	r.CreatedBy, r.Offset, r.Result = "", "", ""
	if err := s.Create(t.Context(), r); err != nil {
		t.Fatalf("Create: %v", err)
	}
	stored := rawItem(t, s, requestKey(r.ID))
	for _, name := range []string{"offset", "result", "created_by", "claimed_at", "retry_at",
		TTLAttribute} {
		if v, ok := stored[name]; ok {
			t.Errorf("attribute %s = %#v, want it left out", name, v)
		}
	}
	guard := rawItem(t, s, guardKey(r.LoginKey))
	for _, name := range []string{attrStatus, attrDueKey, attrKind} {
		if v, ok := guard[name]; ok {
			t.Errorf("guard has index attribute %s = %#v, want none", name, v)
		}
	}

	r.Status, r.Result = queue.StatusCancelled, "cancelled by eva"
	if err := s.Update(t.Context(), r, queue.StatusScheduled); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	wantTTL := clk.Now().Add(30 * 24 * time.Hour).Unix()
	rd := &reader{item: rawItem(t, s, requestKey(r.ID))}
	if got := rd.num(TTLAttribute); got != wantTTL || rd.err != nil {
		t.Errorf("ttl = %d (%v), want %d", got, rd.err, wantTTL)
	}
	page, err := s.List(t.Context(), queue.ListQuery{Status: queue.StatusCancelled})
	if err != nil || len(page.Requests) != 1 || page.Requests[0].Result != r.Result {
		t.Fatalf("List cancelled = %+v, %v; want the cancelled request", page, err)
	}
	queuetest.SameRequest(t, page.Requests[0], r)
}

// A request saved without any optional field reads back as it was written.
func TestSparseRequestRoundTrip(t *testing.T) {
	t.Parallel()
	s := newStore(t, Options{})
	r := &queue.Request{ID: "r-bare", Login: "bare@example.com", Status: queue.StatusScheduled,
		DueAt: queuetest.Base}
	if err := s.Create(t.Context(), r); err != nil {
		t.Fatalf("Create: %v", err)
	}
	got, err := s.Get(t.Context(), r.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	queuetest.SameRequest(t, got, r)
	if got.History != nil {
		t.Errorf("History = %#v, want nil", got.History)
	}
}

func TestUpdateUnknownIsNotFound(t *testing.T) {
	t.Parallel()
	s := newStore(t, Options{})
	r := queuetest.NewRequest("r-ghost", "ghost@example.com", queuetest.Base)
	err := s.Update(t.Context(), r, queue.StatusScheduled)
	if !errors.Is(err, queue.ErrNotFound) {
		t.Errorf("Update of an unknown id: err = %v, want ErrNotFound", err)
	}
	if it := rawItem(t, s, requestKey(r.ID)); it != nil {
		t.Errorf("Update of an unknown id wrote %v", it)
	}
}

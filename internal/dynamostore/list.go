package dynamostore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/dayone/dayone/internal/queue"
)

// listing is one index partition read in due order.
type listing struct {
	index     string
	partition string // the index's partition attribute
	value     string // its value
}

func listingFor(status queue.Status) listing {
	if status == "" {
		return listing{index: IndexByDue, partition: attrKind, value: kindRequest}
	}
	return listing{index: IndexByStatus, partition: attrStatus, value: string(status)}
}

// List returns requests in due order (then id), of one status when q.Status
// is set. It reads as many index pages as it takes to fill the page, and sets
// NextCursor only when more requests follow. The index is eventually
// consistent. Errors: *queue.InputError for field "cursor".
func (s *Store) List(ctx context.Context, q queue.ListQuery) (queue.Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = queue.DefaultPageSize
	}
	limit = min(limit, queue.MaxPageSize)
	l := listingFor(q.Status)
	start, err := l.parseCursor(q.Cursor)
	if err != nil {
		return queue.Page{}, err
	}

	// One item more than the page tells whether another page follows.
	items, err := s.query(ctx, l, start, limit+1)
	if err != nil {
		return queue.Page{}, err
	}
	var page queue.Page
	if len(items) > limit {
		items = items[:limit]
		page.NextCursor = l.cursor(items[limit-1])
	}
	for _, it := range items {
		r, err := decodeRequest(it)
		if err != nil {
			return queue.Page{}, err
		}
		page.Requests = append(page.Requests, r)
	}
	return page, nil
}

// query reads up to n unexpired items of the listing after start, following
// LastEvaluatedKey: a call may return fewer items than asked (the filter
// drops expired ones, and a response holds at most 1 MB).
func (s *Store) query(ctx context.Context, l listing, start item, n int) ([]item, error) {
	var items []item
	now := strconv.FormatInt(s.now().Unix(), 10)
	for {
		out, err := s.client.Query(ctx, &dynamodb.QueryInput{
			TableName:              aws.String(s.table),
			IndexName:              aws.String(l.index),
			KeyConditionExpression: aws.String("#part = :part"),
			FilterExpression:       aws.String("attribute_not_exists(#ttl) OR #ttl > :now"),
			ExpressionAttributeNames: map[string]string{
				"#part": l.partition, "#ttl": TTLAttribute,
			},
			ExpressionAttributeValues: item{
				":part": str(l.value), ":now": &types.AttributeValueMemberN{Value: now},
			},
			ExclusiveStartKey: start,
			Limit:             aws.Int32(int32(n - len(items))),
		})
		if err != nil {
			return nil, fmt.Errorf("dynamostore: list %s: %w", l.index, err)
		}

		items = append(items, out.Items...)
		start = out.LastEvaluatedKey
		if len(items) >= n || len(start) == 0 {
			return items, nil
		}
	}
}

// cursor is the index key of it, as an opaque string: base64 of JSON.
func (l listing) cursor(it item) string {
	key := map[string]string{
		attrPK:      stringAt(it, attrPK),
		l.partition: stringAt(it, l.partition),
		attrDueKey:  stringAt(it, attrDueKey),
	}
	data, _ := json.Marshal(key) // a map of strings always encodes
	return base64.RawURLEncoding.EncodeToString(data)
}

// parseCursor returns the ExclusiveStartKey a cursor stands for, or nil for
// none. It accepts only a key this listing could have made.
func (l listing) parseCursor(cursor string) (item, error) {
	if cursor == "" {
		return nil, nil
	}
	bad := &queue.InputError{Field: "cursor",
		Message: "the page cursor is not valid for this listing; start from the first page"}

	data, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, bad
	}
	var key map[string]string
	if err := json.Unmarshal(data, &key); err != nil || !l.validKey(key) {
		return nil, bad
	}
	return item{
		attrPK:      str(key[attrPK]),
		l.partition: str(key[l.partition]),
		attrDueKey:  str(key[attrDueKey]),
	}, nil
}

// validKey checks that key names a request of this listing and that its due
// key is well formed and belongs to that request.
func (l listing) validKey(key map[string]string) bool {
	if len(key) != 3 || key[l.partition] != l.value {
		return false
	}
	id, ok := strings.CutPrefix(key[attrPK], requestPrefix)
	due, dueID, found := strings.Cut(key[attrDueKey], "#")
	if !ok || !found || id == "" || dueID != id || len(due) != len(dueLayout) {
		return false
	}
	_, err := time.Parse(dueLayout, due)
	return err == nil
}

package dynamostore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/dayone/dayone/internal/queue"
)

// Key prefixes of the two kinds of item, and the kind of a request.
const (
	requestPrefix = "REQ#"
	guardPrefix   = "LOGIN#"
	kindRequest   = "request"
)

// dueLayout is fixed-width, so that the string order of due keys is time order.
const dueLayout = "2006-01-02T15:04:05.000000000Z"

// timeLayout is how the other times are kept.
const timeLayout = time.RFC3339Nano

// item is one DynamoDB item.
type item = map[string]types.AttributeValue

func requestKey(id string) item { return item{attrPK: str(requestPrefix + id)} }

func guardKey(loginKey string) item { return item{attrPK: str(guardPrefix + loginKey)} }

func dueKey(due time.Time, id string) string {
	return due.UTC().Format(dueLayout) + "#" + id
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// encodeRequest returns the item of r at the given version; expires is the
// ttl, or zero to keep the item for ever.
func encodeRequest(r *queue.Request, version int64, expires time.Time) (item, error) {
	it := requestKey(r.ID)
	w := writer(it)
	w.str("id", r.ID)
	w.str("login", r.Login)
	w.str("login_key", r.LoginKey)
	w.str("timezone", r.TimeZone)
	w.str("start", r.Start)
	w.str("offset", r.Offset)
	w.time("due_at", r.DueAt)
	it["send_email"] = &types.AttributeValueMemberBOOL{Value: r.SendEmail}
	w.str(attrStatus, string(r.Status))
	w.str("result", r.Result)
	it["attempts"] = num(int64(r.Attempts))
	w.str("created_by", r.CreatedBy)
	w.time("created_at", r.CreatedAt)
	w.time("updated_at", r.UpdatedAt)
	w.time("claimed_at", r.ClaimedAt)
	w.time("retry_at", r.RetryAt)
	it["version"] = num(version)
	it[attrDueKey] = str(dueKey(r.DueAt, r.ID))
	it[attrKind] = str(kindRequest)
	if !expires.IsZero() {
		it[TTLAttribute] = num(expires.Unix())
	}

	if r.History != nil {
		history, err := json.Marshal(r.History)
		if err != nil {
			return nil, fmt.Errorf("dynamostore: encode the history of %s: %w", r.ID, err)
		}
		w.str("history", string(history))
	}
	return it, nil
}

// writer adds attributes to an item, leaving empty ones out.
type writer item

func (w writer) str(name, value string) {
	if value != "" {
		w[name] = str(value)
	}
}

func (w writer) time(name string, t time.Time) {
	if !t.IsZero() {
		w.str(name, t.UTC().Format(timeLayout))
	}
}

// decodeRequest reads a request item.
func decodeRequest(it item) (*queue.Request, error) {
	rd := &reader{item: it}
	r := &queue.Request{
		ID:        rd.str("id"),
		Login:     rd.str("login"),
		LoginKey:  rd.str("login_key"),
		TimeZone:  rd.str("timezone"),
		Start:     rd.str("start"),
		Offset:    rd.str("offset"),
		DueAt:     rd.time("due_at"),
		SendEmail: rd.bool("send_email"),
		Status:    queue.Status(rd.str(attrStatus)),
		Result:    rd.str("result"),
		Attempts:  int(rd.num("attempts")),
		CreatedBy: rd.str("created_by"),
		CreatedAt: rd.time("created_at"),
		UpdatedAt: rd.time("updated_at"),
		ClaimedAt: rd.time("claimed_at"),
		RetryAt:   rd.time("retry_at"),
		Version:   rd.num("version"),
	}
	if history := rd.str("history"); history != "" && rd.err == nil {
		rd.fail("history", json.Unmarshal([]byte(history), &r.History))
	}
	if rd.err != nil {
		return nil, fmt.Errorf("dynamostore: decode request %s: %w", stringAt(it, attrPK), rd.err)
	}
	return r, nil
}

// reader reads attributes of an item; a missing attribute is the zero
// value, a mistyped one the first error.
type reader struct {
	item item
	err  error
}

func (rd *reader) fail(name string, err error) {
	if err != nil && rd.err == nil {
		rd.err = fmt.Errorf("attribute %s: %w", name, err)
	}
}

func (rd *reader) str(name string) string {
	switch v := rd.item[name].(type) {
	case nil:
	case *types.AttributeValueMemberS:
		return v.Value
	default:
		rd.fail(name, fmt.Errorf("not a string but %T", v))
	}
	return ""
}

func (rd *reader) num(name string) int64 {
	switch v := rd.item[name].(type) {
	case nil:
	case *types.AttributeValueMemberN:
		n, err := strconv.ParseInt(v.Value, 10, 64)
		rd.fail(name, err)
		return n
	default:
		rd.fail(name, fmt.Errorf("not a number but %T", v))
	}
	return 0
}

func (rd *reader) bool(name string) bool {
	switch v := rd.item[name].(type) {
	case nil:
	case *types.AttributeValueMemberBOOL:
		return v.Value
	default:
		rd.fail(name, fmt.Errorf("not a boolean but %T", v))
	}
	return false
}

func (rd *reader) time(name string) time.Time {
	s := rd.str(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeLayout, s)
	rd.fail(name, err)
	return t
}

// stringAt returns the string attribute name of it, or "".
func stringAt(it item, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// expired reports whether the item's ttl has passed at now. DynamoDB deletes
// such items only some time later, and dynalite never does.
func expired(it item, now time.Time) bool {
	v, ok := it[TTLAttribute].(*types.AttributeValueMemberN)
	if !ok {
		return false
	}
	ttl, err := strconv.ParseInt(v.Value, 10, 64)
	return err == nil && ttl <= now.Unix()
}

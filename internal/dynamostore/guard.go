package dynamostore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/dayone/dayone/internal/queue"
)

// guardGrace is how old a guard whose request does not exist must be before
// another create may take it over: a younger one may belong to a create that
// has not yet written its request.
//
// TODO(consistency): a create that stalls longer than this between its two
// writes may still write its request after another create took the guard,
// leaving two open requests for one login. Closing that needs a transaction,
// which dynalite lacks; a request takes milliseconds, a Lambda times out first.
const guardGrace = time.Minute

// guardTries bounds the claim loop; each turn follows a change by another
// writer, and the second turn already sees the winner of any race.
const guardTries = 4

// The attributes of a guard item.
const (
	attrHolder    = "request_id"
	attrGuardedAt = "guarded_at"
)

// guard is a login guard as read.
type guard struct {
	holder    string
	guardedAt time.Time
}

// claimLogin makes the guard of r's login name r. Errors: *queue.OpenRequestError
// when another open request (or a create in flight) holds it.
func (s *Store) claimLogin(ctx context.Context, r *queue.Request) error {
	for range guardTries {
		err := s.putGuard(ctx, r, nil)
		if !conditionFailed(err) {
			return wrapGuardErr(r, err)
		}

		g, err := s.getGuard(ctx, r.LoginKey)
		switch {
		case err != nil:
			return wrapGuardErr(r, err)
		case g == nil:
			continue // released meanwhile: try again
		case g.holder == r.ID:
			return nil // ours already: a create retried
		}

		stale, err := s.stale(ctx, g)
		if err != nil {
			return wrapGuardErr(r, err)
		}
		if !stale {
			return &queue.OpenRequestError{Login: r.Login, ExistingID: g.holder}
		}
		if err := s.putGuard(ctx, r, g); !conditionFailed(err) {
			return wrapGuardErr(r, err)
		}
	}
	return fmt.Errorf("dynamostore: claim the login of %s: %w: its guard keeps changing",
		r.ID, queue.ErrConflict)
}

func wrapGuardErr(r *queue.Request, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("dynamostore: claim the login of %s: %w", r.ID, err)
}

// putGuard writes the guard of r's login: when old is nil on condition that
// there is none, else on condition that it still names old's holder.
func (s *Store) putGuard(ctx context.Context, r *queue.Request, old *guard) error {
	in := &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: item{
			attrPK:        guardKey(r.LoginKey)[attrPK],
			attrHolder:    str(r.ID),
			attrGuardedAt: str(s.now().Format(timeLayout)),
			"login":       str(r.Login),
		},
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	}
	if old != nil {
		in.ConditionExpression = aws.String("#holder = :old")
		in.ExpressionAttributeNames = map[string]string{"#holder": attrHolder}
		in.ExpressionAttributeValues = item{":old": str(old.holder)}
	}
	_, err := s.client.PutItem(ctx, in)
	return err
}

// getGuard reads the guard of a login; nil when there is none.
func (s *Store) getGuard(ctx context.Context, loginKey string) (*guard, error) {
	it, err := s.getItem(ctx, guardKey(loginKey))
	if it == nil || err != nil {
		return nil, err
	}
	rd := &reader{item: it}
	g := &guard{holder: rd.str(attrHolder), guardedAt: rd.time(attrGuardedAt)}
	if rd.err != nil {
		return nil, fmt.Errorf("decode the guard of %s: %w", loginKey, rd.err)
	}
	return g, nil
}

// stale reports whether a guard may be taken over: its request is finished,
// or was never written and the guard is older than guardGrace.
func (s *Store) stale(ctx context.Context, g *guard) (bool, error) {
	it, err := s.getItem(ctx, requestKey(g.holder))
	if err != nil {
		return false, err
	}
	if it == nil {
		return s.now().Sub(g.guardedAt) >= guardGrace, nil
	}
	return !queue.Status(stringAt(it, attrStatus)).Open(), nil
}

// releaseLogin deletes the guard of r's login if it still names r. Its
// errors are dropped on purpose: r's update has succeeded, and a guard left
// behind is taken over by the next create for the login.
func (s *Store) releaseLogin(ctx context.Context, r *queue.Request) {
	_, _ = s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       guardKey(r.LoginKey),
		ConditionExpression:       aws.String("#holder = :id"),
		ExpressionAttributeNames:  map[string]string{"#holder": attrHolder},
		ExpressionAttributeValues: item{":id": str(r.ID)},
	})
}

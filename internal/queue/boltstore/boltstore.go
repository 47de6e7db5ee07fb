// Package boltstore keeps requests in an embedded bbolt file, for running
// dayone on one machine. It implements queue.Store.
package boltstore

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/dayone/dayone/internal/queue"
)

// The buckets: the requests themselves, two indexes and the open-login guard.
var (
	bucketRequests = []byte("requests")    // id → JSON record
	bucketByStatus = []byte("by_status")   // status|due|id → id
	bucketByDue    = []byte("by_due")      // due|id → id
	bucketLogins   = []byte("open_logins") // login key → id of its open request
)

// dueLayout is fixed-width, so that byte order is time order.
const dueLayout = "2006-01-02T15:04:05.000000000Z"

// lockTimeout is how long Open waits for another process to let go of the file.
const lockTimeout = time.Second

// Store is a queue.Store in one bbolt file. It is safe for concurrent use.
type Store struct {
	db *bolt.DB
}

var _ queue.Store = (*Store)(nil)

// Open opens or creates the store at path, creating its directory when needed.
// It fails when another process holds the file.
func Open(path string) (*Store, error) {
	// A missing folder is more likely a typo than a wish for an empty store,
	// which would make every pending request seem to vanish.
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("boltstore: the folder of %s: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("boltstore: %s: database is locked by another dayone: %w",
			path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}

	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketRequests, bucketByStatus, bucketByDue, bucketLogins} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("boltstore: prepare %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Close releases the file. Calls after Close fail.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("boltstore: close: %w", err)
	}
	return nil
}

// record is a request as stored: the fields the JSON form of a request leaves
// out are kept too.
type record struct {
	*queue.Request
	LoginKey  string    `json:"login_key"`
	ClaimedAt time.Time `json:"claimed_at"`
	Version   int64     `json:"version"`
}

func encode(r *queue.Request, version int64) ([]byte, error) {
	return json.Marshal(record{
		Request: r, LoginKey: r.LoginKey, ClaimedAt: r.ClaimedAt, Version: version,
	})
}

func decode(data []byte) (*queue.Request, error) {
	rec := record{Request: &queue.Request{}}
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, fmt.Errorf("boltstore: decode a request: %w", err)
	}
	r := rec.Request
	r.LoginKey, r.ClaimedAt, r.Version = rec.LoginKey, rec.ClaimedAt, rec.Version
	return r, nil
}

// Create saves a new request and, when it is open, claims its login; an empty
// LoginKey is first derived from Login. Errors: *queue.OpenRequestError when
// the login has an open request; an error wrapping queue.ErrConflict when the
// id is taken.
func (s *Store) Create(ctx context.Context, r *queue.Request) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: create: %w", err)
	}
	if r.ID == "" {
		return fmt.Errorf("boltstore: create: %w", &queue.InputError{
			Field: "id", Message: "a request needs an id"})
	}
	if r.LoginKey == "" {
		r.LoginKey = queue.LoginKey(r.Login)
	}

	return s.db.Update(func(tx *bolt.Tx) error {
		requests := tx.Bucket(bucketRequests)
		if requests.Get([]byte(r.ID)) != nil {
			return fmt.Errorf("boltstore: create %s: %w: the id is taken", r.ID, queue.ErrConflict)
		}
		if err := claimLogin(tx, r); err != nil {
			return err
		}
		return put(tx, r, r.Version)
	})
}

// Get returns the request with the given id, or an error wrapping
// queue.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (*queue.Request, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("boltstore: get: %w", err)
	}

	var r *queue.Request
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		r, err = get(tx, id)
		return err
	})
	return r, err
}

// Update saves r when the stored copy has status from and version r.Version,
// keeps the indexes and the login guard in step, and increments r.Version.
// Errors wrap queue.ErrNotFound or queue.ErrConflict; nothing is saved then.
func (s *Store) Update(ctx context.Context, r *queue.Request, from queue.Status) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: update: %w", err)
	}

	next := r.Version + 1
	err := s.db.Update(func(tx *bolt.Tx) error {
		old, err := get(tx, r.ID)
		if err != nil {
			return err
		}
		if old.Status != from || old.Version != r.Version {
			return fmt.Errorf("boltstore: update %s: %w: it is %s at version %d, not %s at %d",
				r.ID, queue.ErrConflict, old.Status, old.Version, from, r.Version)
		}

		r.LoginKey = old.LoginKey
		if err := releaseLogin(tx, old); err != nil {
			return err
		}
		if err := claimLogin(tx, r); err != nil {
			return err
		}
		if err := unindex(tx, old); err != nil {
			return err
		}
		return put(tx, r, next)
	})
	if err != nil {
		return err
	}
	r.Version = next
	return nil
}

func get(tx *bolt.Tx, id string) (*queue.Request, error) {
	data := tx.Bucket(bucketRequests).Get([]byte(id))
	if data == nil {
		return nil, fmt.Errorf("boltstore: %s: %w", id, queue.ErrNotFound)
	}
	return decode(data)
}

// put writes the record and its two index entries.
func put(tx *bolt.Tx, r *queue.Request, version int64) error {
	data, err := encode(r, version)
	if err != nil {
		return fmt.Errorf("boltstore: encode %s: %w", r.ID, err)
	}
	id := []byte(r.ID)
	if err := tx.Bucket(bucketRequests).Put(id, data); err != nil {
		return fmt.Errorf("boltstore: write %s: %w", r.ID, err)
	}
	if err := tx.Bucket(bucketByStatus).Put(statusKey(r.Status, r.DueAt, r.ID), id); err != nil {
		return fmt.Errorf("boltstore: index %s: %w", r.ID, err)
	}
	if err := tx.Bucket(bucketByDue).Put(dueKey(r.DueAt, r.ID), id); err != nil {
		return fmt.Errorf("boltstore: index %s: %w", r.ID, err)
	}
	return nil
}

func unindex(tx *bolt.Tx, old *queue.Request) error {
	byStatus := tx.Bucket(bucketByStatus)
	if err := byStatus.Delete(statusKey(old.Status, old.DueAt, old.ID)); err != nil {
		return fmt.Errorf("boltstore: unindex %s: %w", old.ID, err)
	}
	if err := tx.Bucket(bucketByDue).Delete(dueKey(old.DueAt, old.ID)); err != nil {
		return fmt.Errorf("boltstore: unindex %s: %w", old.ID, err)
	}
	return nil
}

// claimLogin takes the login of an open request, unless another request has it.
func claimLogin(tx *bolt.Tx, r *queue.Request) error {
	if !r.Status.Open() {
		return nil
	}
	logins := tx.Bucket(bucketLogins)
	holder := logins.Get([]byte(r.LoginKey))
	if holder != nil && string(holder) != r.ID {
		return &queue.OpenRequestError{Login: r.Login, ExistingID: string(holder)}
	}
	if err := logins.Put([]byte(r.LoginKey), []byte(r.ID)); err != nil {
		return fmt.Errorf("boltstore: guard the login of %s: %w", r.ID, err)
	}
	return nil
}

// releaseLogin frees the login that old held; claimLogin takes it back when
// the request stays open.
func releaseLogin(tx *bolt.Tx, old *queue.Request) error {
	logins := tx.Bucket(bucketLogins)
	if !bytes.Equal(logins.Get([]byte(old.LoginKey)), []byte(old.ID)) {
		return nil
	}
	if err := logins.Delete([]byte(old.LoginKey)); err != nil {
		return fmt.Errorf("boltstore: free the login of %s: %w", old.ID, err)
	}
	return nil
}

func dueKey(due time.Time, id string) []byte {
	return []byte(due.UTC().Format(dueLayout) + "|" + id)
}

func statusKey(status queue.Status, due time.Time, id string) []byte {
	return append([]byte(string(status)+"|"), dueKey(due, id)...)
}

// List walks an index from the cursor: the status index when q.Status is set,
// the due index otherwise. Errors: *queue.InputError for field "cursor".
func (s *Store) List(ctx context.Context, q queue.ListQuery) (queue.Page, error) {
	if err := ctx.Err(); err != nil {
		return queue.Page{}, fmt.Errorf("boltstore: list: %w", err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = queue.DefaultPageSize
	}
	limit = min(limit, queue.MaxPageSize)

	bucket, prefix := bucketByDue, []byte(nil)
	if q.Status != "" {
		bucket, prefix = bucketByStatus, []byte(string(q.Status)+"|")
	}
	after, err := parseCursor(q.Cursor, prefix)
	if err != nil {
		return queue.Page{}, err
	}

	var page queue.Page
	err = s.db.View(func(tx *bolt.Tx) error {
		page, err = walk(tx, tx.Bucket(bucket).Cursor(), prefix, after, limit)
		return err
	})
	return page, err
}

// walk reads up to limit requests whose index keys have prefix and come after
// the key after (or from the first one when after is nil).
func walk(tx *bolt.Tx, c *bolt.Cursor, prefix, after []byte, limit int) (queue.Page, error) {
	k, id := c.Seek(prefix)
	if after != nil {
		k, id = c.Seek(after)
		if bytes.Equal(k, after) {
			k, id = c.Next()
		}
	}

	var page queue.Page
	var last []byte
	for ; k != nil && bytes.HasPrefix(k, prefix); k, id = c.Next() {
		if len(page.Requests) == limit {
			page.NextCursor = base64.RawURLEncoding.EncodeToString(last)
			break
		}
		r, err := get(tx, string(id))
		if err != nil {
			return queue.Page{}, err
		}
		page.Requests = append(page.Requests, r)
		last = k
	}
	return page, nil
}

// parseCursor returns the index key a cursor stands for, checking that it
// belongs to the listing with the given prefix.
func parseCursor(cursor string, prefix []byte) ([]byte, error) {
	if cursor == "" {
		return nil, nil
	}
	bad := &queue.InputError{Field: "cursor",
		Message: "the page cursor is not valid for this listing; start from the first page"}

	key, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || !bytes.HasPrefix(key, prefix) {
		return nil, bad
	}
	rest := key[len(prefix):]
	if len(rest) <= len(dueLayout)+1 || rest[len(dueLayout)] != '|' {
		return nil, bad
	}
	if _, err := time.Parse(dueLayout, string(rest[:len(dueLayout)])); err != nil {
		return nil, bad
	}
	return key, nil
}

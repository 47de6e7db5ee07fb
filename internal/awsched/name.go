package awsched

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// namePrefix marks dayone's schedules; the rest of the name is the request id.
const namePrefix = "dayone-"

// maxNameLength is the scheduler's limit for schedule names.
const maxNameLength = 64

// hashLength is how many hex digits of SHA-256 tell apart two ids that look
// alike once cleaned or cut.
const hashLength = 16

// ScheduleName returns the name of the schedule of request id. Create, update
// and delete all find the schedule through it. The name derives from the id
// alone, never from the login, and always fits the scheduler's rules: 1 to 64
// characters of 0-9 a-z A-Z - _ and dot. An id that does not fit as it is (a
// UUID does) keeps a cleaned, shortened copy for people to read, and a hash of
// the whole id so that two such ids never share a name.
func ScheduleName(id string) string {
	clean := strings.IndexFunc(id, notNameChar) < 0
	if id != "" && clean && len(namePrefix)+len(id) <= maxNameLength {
		return namePrefix + id
	}

	readable := strings.Map(func(c rune) rune {
		if notNameChar(c) {
			return '_'
		}
		return c
	}, id)
	room := maxNameLength - len(namePrefix) - 1 - hashLength
	if len(readable) > room {
		readable = readable[:room]
	}
	return namePrefix + readable + "-" + digest(id)[:hashLength]
}

// clientToken returns the idempotency token of one operation on one version
// of a request: a retry of the same call sends the same token, while a later
// change (new version, attempt or time) sends a new one, so the scheduler
// never takes it for a replay. At most 45 characters of the token pattern
// [a-zA-Z0-9-_].
func clientToken(op string, r plan) string {
	sum := digest(strings.Join([]string{
		op, r.id, strconv.FormatInt(r.version, 10), strconv.Itoa(r.attempts),
		r.expression, r.zone,
	}, "\n"))
	return op + "-" + sum[:32]
}

// notNameChar reports whether c may not appear in a schedule name.
func notNameChar(c rune) bool {
	return !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
		c == '-' || c == '_' || c == '.')
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

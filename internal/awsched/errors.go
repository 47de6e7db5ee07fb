package awsched

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/dayone/dayone/internal/queue"
)

// isA reports whether err, or an error it wraps, is an E: the typed
// exceptions of the scheduler API, as the SDK decodes them.
func isA[E error](err error) bool {
	var target E
	return err != nil && errors.As(err, &target)
}

// wrap names the operation and schedule that failed. Throttling and server
// faults that outlasted the SDK's own retries also wrap queue.ErrTemporary,
// so that callers may offer to try again later.
func wrap(op, name string, err error) error {
	switch {
	case isA[*types.ThrottlingException](err), isA[*types.InternalServerException](err):
		return fmt.Errorf("awsched: %s schedule %s: %w: %w", op, name, queue.ErrTemporary, err)
	}
	return fmt.Errorf("awsched: %s schedule %s: %w", op, name, err)
}

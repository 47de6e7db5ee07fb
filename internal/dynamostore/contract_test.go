package dynamostore

import (
	"testing"

	"github.com/dayone/dayone/internal/queue"
	"github.com/dayone/dayone/internal/queue/queuetest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	queuetest.RunStoreContract(t, func(t *testing.T) queue.Store {
		return newStore(t, Options{})
	})
}

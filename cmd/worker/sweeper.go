package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/dayone/dayone/internal/queue"
)

// sweeper is the Lambda handler of the sweeper role. A recurring EventBridge
// Scheduler schedule invokes it every few minutes with {"sweep":true}, and it
// fires the requests that no trigger will fire any more: see
// queue.Service.Sweep. Like handler, it receives the event's raw bytes.
type sweeper struct {
	sweep func(ctx context.Context) (queue.SweepReport, error)
	log   *slog.Logger
}

// Invoke is the entry of the Lambda runtime; see Handle.
func (s *sweeper) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if err := s.Handle(ctx, payload); err != nil {
		return nil, err
	}
	return nullJSON, nil
}

// Handle runs one sweep for a sweep event and logs its report. It returns
// nil for an invalid event (logged at Error and dropped) and after a sweep,
// even when single requests failed: the report logs them at Error and the
// next sweep tries them again. It returns the store's error when the
// requests could not be listed, so that the failure counts in the
// function's Errors metric.
func (s *sweeper) Handle(ctx context.Context, event []byte) error {
	log := withLambdaID(ctx, s.log)
	if err := decodeSweepEvent(event); err != nil {
		log.Error("invalid event dropped", "error", err, "event_bytes", len(event))
		return nil
	}

	report, err := s.sweep(ctx)
	logSweep(log, report, err)
	if err != nil {
		return fmt.Errorf("worker: sweep: %w", err)
	}
	return nil
}

// logSweep logs a sweep's report: at Info when nothing was stranded, at
// Warn when something was fired (it had been stranded: look for the cause),
// at Error when a request or the listing failed.
func logSweep(log *slog.Logger, r queue.SweepReport, err error) {
	log = log.With("found", r.Found, "fired", r.Fired, "skipped", r.Skipped,
		"failed", r.Failed, "limited", r.Limited)
	if len(r.FiredIDs) > 0 {
		log = log.With("fired_ids", r.FiredIDs)
	}
	if len(r.Errors) > 0 {
		log = log.With("errors", errors.Join(r.Errors...).Error())
	}

	switch {
	case err != nil:
		log.Error("sweep failed: the requests could not be listed", "error", err)
	case r.Failed > 0:
		log.Error("sweep: some stranded requests failed; the next sweep tries again")
	case r.Fired > 0 || r.Limited:
		log.Warn("sweep fired stranded requests")
	default:
		log.Info("sweep done: nothing stranded")
	}
}

// sweepKey is the one field of the sweep event.
const sweepKey = "sweep"

// decodeSweepEvent accepts exactly {"sweep":true}: one JSON object with that
// one key, spelt exactly so, whose value is true.
func decodeSweepEvent(raw []byte) error {
	value, err := oneField(raw, sweepKey, `{"sweep":true}`)
	if err != nil {
		return err
	}
	if string(value) != "true" {
		return fmt.Errorf("worker: %s must be true, not %.20s", sweepKey, value)
	}
	return nil
}

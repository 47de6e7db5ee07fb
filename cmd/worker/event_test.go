package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/dayone/dayone/internal/lambdainvoke"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSchedulerEventDecodes(t *testing.T) {
	id, err := decodeEvent(readTestdata(t, "scheduler-event.json"))
	if err != nil || id != sampleID {
		t.Fatalf("decodeEvent = %q, %v; want %q", id, err, sampleID)
	}
}

// lambdainvoke.Event is what the schedules (their Target.Input) and the web
// send; it must encode exactly as the sample the worker is tested with.
func TestSendersMatchTheSample(t *testing.T) {
	sample := readTestdata(t, "scheduler-event.json")
	got, err := json.Marshal(lambdainvoke.Event{RequestID: sampleID})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, sample) {
		t.Errorf("lambdainvoke.Event encodes as %s; want %s", got, sample)
	}
}

func TestInvalidEvents(t *testing.T) {
	cases := map[string]struct{ event, want string }{
		"eventbridge rule": {string(readTestdata(t, "eventbridge-rule-event.json")),
			`exactly the field request_id, not "account", "detail", "detail-type"`},
		"empty object":  {`{}`, "not none"},
		"other case":    {`{"Request_ID":"abc"}`, `not "Request_ID"`},
		"extra field":   {`{"request_id":"abc","force":true}`, `"force", "request_id"`},
		"empty id":      {`{"request_id":""}`, "request_id is empty"},
		"number id":     {`{"request_id":42}`, "must be a string"},
		"null id":       {`{"request_id":null}`, "must be a string"},
		"null":          {`null`, "not a JSON object"},
		"array":         {`[{"request_id":"abc"}]`, "not a JSON object"},
		"not json":      {`request_id=abc`, "not a JSON object"},
		"empty payload": {``, "not a JSON object"},
		"trailing":      {`{"request_id":"abc"} {"request_id":"def"}`, "data after"},
		"control char":  {`{"request_id":"ab\u0000c"}`, "unprintable"},
		"long id":       {`{"request_id":"` + strings.Repeat("a", 129) + `"}`, "longer than 128"},
		"long key": {`{"` + strings.Repeat("k", 500) + `":1}`,
			`"` + strings.Repeat("k", 40) + `…"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			id, err := decodeEvent([]byte(tc.event))
			if err == nil {
				t.Fatalf("decodeEvent = %q; want an error", id)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.HasPrefix(msg, "worker: ") {
				t.Errorf("error %q; want one saying %q", err, tc.want)
			}
		})
	}
}

func TestEventWithSpacesAccepted(t *testing.T) {
	id, err := decodeEvent([]byte(" {\n  \"request_id\" : \"r-1\"\n}\n"))
	if err != nil || id != "r-1" {
		t.Errorf("decodeEvent = %q, %v; want r-1", id, err)
	}
}

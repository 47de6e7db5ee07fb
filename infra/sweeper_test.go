package infra

import (
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// sweepEvent is the event the sweeper is tested with.
const sweepEvent = "../cmd/worker/testdata/sweep-event.json"

// The sweep schedule invokes the sweeper every five minutes, on time, with
// exactly the event the sweeper accepts, through a role of its own.
func TestSweepSchedule(t *testing.T) {
	p := resource(t, raw(t), "SweepSchedule", "AWS::Scheduler::Schedule")
	want, err := os.ReadFile(sweepEvent)
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string][2]string{
		"expression":  {canon(p["ScheduleExpression"]), "rate(5 minutes)"},
		"time window": {canon(get(p, "FlexibleTimeWindow", "Mode")), "OFF"},
		"state":       {canon(p["State"]), "ENABLED"},
		"target":      {canon(get(p, "Target", "Arn")), "GetAtt:Sweeper.Arn"},
		"role":        {canon(get(p, "Target", "RoleArn")), "GetAtt:SweepScheduleRole.Arn"},
		"input":       {canon(get(p, "Target", "Input")), string(want)},
		// The default group: the one SweepScheduleRole trusts.
		"group": {canon(p["GroupName"]), "null"},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("sweep schedule %s = %s, want %s", what, c[0], c[1])
		}
	}
}

// The sweeper is the worker's code in the sweeper role, one at a time, with
// more time than the 90 s a sweep keeps for its last fire, and done before
// the next sweep.
func TestSweeperRunsTheWorkerAlone(t *testing.T) {
	sweeper, err := typed(t).GetServerlessFunctionWithName("Sweeper")
	if err != nil {
		t.Fatal(err)
	}
	code := func(fn string) string {
		return canon(resource(t, raw(t), fn, "AWS::Serverless::Function")["CodeUri"])
	}
	if code("Sweeper") != code("Worker") {
		t.Errorf("the sweeper's code is %s, not the worker's %s", code("Sweeper"), code("Worker"))
	}
	if n := aws.ToInt(sweeper.ReservedConcurrentExecutions); n != 1 {
		t.Errorf("ReservedConcurrentExecutions %d, want 1", n)
	}
	if s := aws.ToInt(sweeper.Timeout); s <= 90 || s >= 300 {
		t.Errorf("Timeout %d s, want more than 90 and less than 300", s)
	}
	cfg := sweeper.EventInvokeConfig
	if cfg == nil || cfg.MaximumRetryAttempts == nil || *cfg.MaximumRetryAttempts != 0 {
		t.Errorf("EventInvokeConfig %+v: want no retries, the next sweep follows", cfg)
	}
}

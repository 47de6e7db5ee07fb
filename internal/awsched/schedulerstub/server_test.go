package schedulerstub_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/dayone/dayone/internal/awsched/schedulerstub"
)

const (
	group  = "dayone"
	worker = "arn:aws:lambda:eu-central-1:123456789012:function:dayone-worker"
	role   = "arn:aws:iam::123456789012:role/dayone-scheduler"
	dlq    = "arn:aws:sqs:eu-central-1:123456789012:dayone-scheduler-dlq"
)

// start returns a stand-in with the group "dayone" and a client that skips
// the SDK's own check of required members and does not retry, so that every
// request reaches the stand-in exactly once.
func start(t *testing.T) (*schedulerstub.Server, *scheduler.Client) {
	t.Helper()
	srv := schedulerstub.NewServer()
	t.Cleanup(srv.Close)
	srv.CreateGroup(group)
	return srv, srv.Client(func(o *scheduler.Options) {
		o.RetryMaxAttempts = 1
		o.APIOptions = append(o.APIOptions, skipClientValidation)
	})
}

func skipClientValidation(stack *middleware.Stack) error {
	const id = "OperationInputValidation"
	if _, found := stack.Initialize.Get(id); !found {
		return nil
	}
	_, err := stack.Initialize.Remove(id)
	return err
}

// valid returns a CreateScheduleInput that the service accepts.
func valid() *scheduler.CreateScheduleInput {
	return &scheduler.CreateScheduleInput{
		Name:                       aws.String("dayone-0192f0c4-7a1b-7c3d-8e9f-0a1b2c3d4e5f"),
		GroupName:                  aws.String(group),
		ScheduleExpression:         aws.String("at(2027-04-01T08:00:00)"),
		ScheduleExpressionTimezone: aws.String("Europe/Berlin"),
		FlexibleTimeWindow:         &types.FlexibleTimeWindow{Mode: "OFF"},
		ActionAfterCompletion:      types.ActionAfterCompletionDelete,
		State:                      types.ScheduleStateEnabled,
		ClientToken:                aws.String("create-1"),
		Target: &types.Target{
			Arn:     aws.String(worker),
			RoleArn: aws.String(role),
			Input:   aws.String(`{"request_id":"r1"}`),
			RetryPolicy: &types.RetryPolicy{
				MaximumRetryAttempts:     aws.Int32(10),
				MaximumEventAgeInSeconds: aws.Int32(3600),
			},
			DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String(dlq)},
		},
	}
}

func TestCreateScheduleValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(in *scheduler.CreateScheduleInput)
	}{
		{"name of 65 characters", func(in *scheduler.CreateScheduleInput) {
			in.Name = aws.String(strings.Repeat("n", 65))
		}},
		{"name with @", func(in *scheduler.CreateScheduleInput) {
			in.Name = aws.String("first.last+test@example.com")
		}},
		{"group name with /", func(in *scheduler.CreateScheduleInput) {
			in.GroupName = aws.String("day/one")
		}},
		{"no expression", func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = nil }},
		{"no target", func(in *scheduler.CreateScheduleInput) { in.Target = nil }},
		{"no target arn", func(in *scheduler.CreateScheduleInput) { in.Target.Arn = nil }},
		{"no role arn", func(in *scheduler.CreateScheduleInput) { in.Target.RoleArn = nil }},
		{"no window", func(in *scheduler.CreateScheduleInput) { in.FlexibleTimeWindow = nil }},
		{"no window mode", func(in *scheduler.CreateScheduleInput) {
			in.FlexibleTimeWindow = &types.FlexibleTimeWindow{}
		}},
		{"30 February", expression("at(2027-02-30T08:00:00)")},
		{"hour 24", expression("at(2027-04-01T24:00:00)")},
		{"at without seconds", expression("at(2027-04-01T08:00)")},
		{"at with a zone suffix", expression("at(2027-04-01T08:00:00Z)")},
		{"at with a space", expression("at(2027-04-01 08:00:00)")},
		{"not an expression", expression("tomorrow at eight")},
		{"rate of zero", expression("rate(0 minutes)")},
		{"rate in weeks", expression("rate(2 weeks)")},
		{"cron of five fields", expression("cron(0 8 * * ?)")},
		{"unknown zone", zone("Europe/Atlantis")},
		{"zone Local", zone("Local")},
		{"zone of 51 characters", zone(strings.Repeat("Z", 51))},
		{"empty zone", zone("")},
		{"state", func(in *scheduler.CreateScheduleInput) { in.State = "ON" }},
		{"window mode", func(in *scheduler.CreateScheduleInput) {
			in.FlexibleTimeWindow.Mode = "SOMETIMES"
		}},
		{"action after completion", func(in *scheduler.CreateScheduleInput) {
			in.ActionAfterCompletion = "KEEP"
		}},
		{"window minutes with OFF", window(types.FlexibleTimeWindowModeOff, aws.Int32(15))},
		{"FLEXIBLE without minutes", window(types.FlexibleTimeWindowModeFlexible, nil)},
		{"window of 0 minutes", window(types.FlexibleTimeWindowModeFlexible, aws.Int32(0))},
		{"window of 1441 minutes", window(types.FlexibleTimeWindowModeFlexible, aws.Int32(1441))},
		{"186 retries", retries(186, 3600)},
		{"negative retries", retries(-1, 3600)},
		{"event age 59 s", retries(10, 59)},
		{"event age 86401 s", retries(10, 86401)},
		{"role arn of a user", func(in *scheduler.CreateScheduleInput) {
			in.Target.RoleArn = aws.String("arn:aws:iam::123456789012:user/dayone")
		}},
		{"dead letter on SNS", func(in *scheduler.CreateScheduleInput) {
			in.Target.DeadLetterConfig.Arn = aws.String(
				"arn:aws:sns:eu-central-1:123456789012:dayone")
		}},
		{"empty input", func(in *scheduler.CreateScheduleInput) {
			in.Target.Input = aws.String("")
		}},
		{"client token with a dot", token("create.1")},
		{"client token of 65 characters", token(strings.Repeat("t", 65))},
		{"description of 513 characters", func(in *scheduler.CreateScheduleInput) {
			in.Description = aws.String(strings.Repeat("d", 513))
		}},
		{"kms key of S3", func(in *scheduler.CreateScheduleInput) {
			in.KmsKeyArn = aws.String("arn:aws:s3:::bucket")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, client := start(t)
			in := valid()
			tt.change(in)

			_, err := client.CreateSchedule(context.Background(), in)

			var v *types.ValidationException
			if !errors.As(err, &v) {
				t.Fatalf("error = %v, want a ValidationException", err)
			}
			if len(srv.Schedules()) != 0 {
				t.Errorf("a rejected create stored %d schedules", len(srv.Schedules()))
			}
		})
	}
}

func TestCreateScheduleAccepts(t *testing.T) {
	tests := []struct {
		name   string
		change func(in *scheduler.CreateScheduleInput)
	}{
		{"as it is", func(*scheduler.CreateScheduleInput) {}},
		{"name of 64 characters", func(in *scheduler.CreateScheduleInput) {
			in.Name = aws.String(strings.Repeat("-_.", 21) + "a")
		}},
		{"29 February of a leap year", expression("at(2028-02-29T23:59:59)")},
		{"a rate", expression("rate(5 minutes)")},
		{"a cron", expression("cron(0 8 * * ? *)")},
		{"no zone", func(in *scheduler.CreateScheduleInput) {
			in.ScheduleExpressionTimezone = nil
		}},
		{"zone UTC", zone("UTC")},
		{"FLEXIBLE with minutes", window(types.FlexibleTimeWindowModeFlexible, aws.Int32(1440))},
		{"the range ends", retries(185, 86400)},
		{"no retries", retries(0, 60)},
		{"role with a path", func(in *scheduler.CreateScheduleInput) {
			in.Target.RoleArn = aws.String("arn:aws:iam::123456789012:role/a/b/dayone")
		}},
		{"description of 512 characters", func(in *scheduler.CreateScheduleInput) {
			in.Description = aws.String(strings.Repeat("d", 512))
		}},
		{"client token of 64 characters", token(strings.Repeat("t", 64))},
		{"default group", func(in *scheduler.CreateScheduleInput) { in.GroupName = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, client := start(t)
			in := valid()
			tt.change(in)

			out, err := client.CreateSchedule(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}

			g := aws.ToString(in.GroupName)
			if g == "" {
				g = schedulerstub.DefaultGroup
			}
			want := "arn:aws:scheduler:eu-central-1:123456789012:schedule/" + g + "/" +
				aws.ToString(in.Name)
			if aws.ToString(out.ScheduleArn) != want {
				t.Errorf("ScheduleArn = %s, want %s", aws.ToString(out.ScheduleArn), want)
			}
			if _, ok := srv.Schedule(g, aws.ToString(in.Name)); !ok {
				t.Error("the schedule was not stored")
			}
		})
	}
}

func expression(e string) edit {
	return func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String(e) }
}

func zone(z string) edit {
	return func(in *scheduler.CreateScheduleInput) { in.ScheduleExpressionTimezone = aws.String(z) }
}

func token(tok string) edit {
	return func(in *scheduler.CreateScheduleInput) { in.ClientToken = aws.String(tok) }
}

// edit changes one thing of a valid input.
type edit = func(*scheduler.CreateScheduleInput)

func window(mode types.FlexibleTimeWindowMode, minutes *int32) edit {
	return func(in *scheduler.CreateScheduleInput) {
		in.FlexibleTimeWindow = &types.FlexibleTimeWindow{
			Mode: mode, MaximumWindowInMinutes: minutes}
	}
}

func retries(attempts, age int32) edit {
	return func(in *scheduler.CreateScheduleInput) {
		in.Target.RetryPolicy = &types.RetryPolicy{
			MaximumRetryAttempts:     aws.Int32(attempts),
			MaximumEventAgeInSeconds: aws.Int32(age),
		}
	}
}

func TestCreateScheduleConflictsAndReplays(t *testing.T) {
	ctx := context.Background()
	srv, client := start(t)
	if _, err := client.CreateSchedule(ctx, valid()); err != nil {
		t.Fatal(err)
	}

	// The same token with the same request is a retry: the first answer again.
	out, err := client.CreateSchedule(ctx, valid())
	if err != nil {
		t.Fatalf("retried create: %v", err)
	}
	if !strings.HasSuffix(aws.ToString(out.ScheduleArn), "/"+aws.ToString(valid().Name)) {
		t.Errorf("retried create answered ScheduleArn %s", aws.ToString(out.ScheduleArn))
	}

	other := valid()
	other.ClientToken = aws.String("create-2")
	_, err = client.CreateSchedule(ctx, other)
	assertError[*types.ConflictException](t, "a second create of the name", err)

	reused := valid()
	reused.ScheduleExpression = aws.String("at(2027-04-01T09:00:00)")
	_, err = client.CreateSchedule(ctx, reused)
	assertError[*types.ConflictException](t, "a token reused for another request", err)

	if n := len(srv.Schedules()); n != 1 {
		t.Errorf("%d schedules, want 1", n)
	}
	st, _ := srv.Schedule(group, aws.ToString(valid().Name))
	if st.ScheduleExpression != "at(2027-04-01T08:00:00)" {
		t.Errorf("the schedule changed to %s", st.ScheduleExpression)
	}
}

func TestMissingGroupsAndSchedules(t *testing.T) {
	ctx := context.Background()
	_, client := start(t)
	name := aws.String("dayone-missing")

	in := valid()
	in.GroupName = aws.String("elsewhere")
	_, err := client.CreateSchedule(ctx, in)
	assertError[*types.ResourceNotFoundException](t, "create in a missing group", err)

	_, err = client.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: name,
		GroupName: aws.String(group)})
	assertError[*types.ResourceNotFoundException](t, "get", err)

	update := scheduler.UpdateScheduleInput(*valid())
	update.Name = name
	_, err = client.UpdateSchedule(ctx, &update)
	assertError[*types.ResourceNotFoundException](t, "update", err)

	_, err = client.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: name,
		GroupName: aws.String(group)})
	assertError[*types.ResourceNotFoundException](t, "delete", err)

	_, err = client.ListSchedules(ctx, &scheduler.ListSchedulesInput{
		GroupName: aws.String("elsewhere")})
	assertError[*types.ResourceNotFoundException](t, "list of a missing group", err)
}

func TestQueryMembersAreChecked(t *testing.T) {
	ctx := context.Background()
	_, client := start(t)

	_, err := client.GetSchedule(ctx, &scheduler.GetScheduleInput{
		Name: aws.String("a"), GroupName: aws.String("no group")})
	assertError[*types.ValidationException](t, "get with a bad group name", err)

	_, err = client.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{
		Name: aws.String("a"), GroupName: aws.String(group), ClientToken: aws.String("a.b")})
	assertError[*types.ValidationException](t, "delete with a bad client token", err)

	_, err = client.ListSchedules(ctx, &scheduler.ListSchedulesInput{MaxResults: aws.Int32(101)})
	assertError[*types.ValidationException](t, "list of 101", err)
}

func TestUpdateReplacesTheWholeSchedule(t *testing.T) {
	ctx := context.Background()
	srv, client := start(t)
	in := valid()
	in.Description = aws.String("first")
	if _, err := client.CreateSchedule(ctx, in); err != nil {
		t.Fatal(err)
	}

	update := scheduler.UpdateScheduleInput(*valid())
	update.ClientToken = aws.String("update-1")
	update.ScheduleExpression = aws.String("at(2027-04-01T09:00:00)")
	update.ActionAfterCompletion = ""
	if _, err := client.UpdateSchedule(ctx, &update); err != nil {
		t.Fatal(err)
	}

	st, _ := srv.Schedule(group, aws.ToString(in.Name))
	if st.ScheduleExpression != "at(2027-04-01T09:00:00)" || st.Description != "" ||
		st.ActionAfterCompletion != "NONE" {
		t.Errorf("after update: expression %s, description %q, action %s; want the new "+
			"time, no description, NONE", st.ScheduleExpression, st.Description,
			st.ActionAfterCompletion)
	}

	got, err := client.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: in.Name,
		GroupName: aws.String(group)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ScheduleExpression) != "at(2027-04-01T09:00:00)" ||
		got.Description != nil || aws.ToString(got.Target.Input) != `{"request_id":"r1"}` ||
		got.CreationDate == nil || got.State != types.ScheduleStateEnabled {
		t.Errorf("GetSchedule answered %+v", got)
	}
}

func TestDeleteAndFire(t *testing.T) {
	ctx := context.Background()
	srv, client := start(t)
	keep := valid()
	keep.Name = aws.String("keep")
	keep.ActionAfterCompletion = types.ActionAfterCompletionNone
	for _, in := range []*scheduler.CreateScheduleInput{valid(), keep} {
		in.ClientToken = nil // the SDK fills in a fresh one
		if _, err := client.CreateSchedule(ctx, in); err != nil {
			t.Fatal(err)
		}
	}

	input, err := srv.Fire(group, aws.ToString(valid().Name))
	if err != nil || input != `{"request_id":"r1"}` {
		t.Fatalf("Fire = %q, %v", input, err)
	}
	if _, ok := srv.Schedule(group, aws.ToString(valid().Name)); ok {
		t.Error("a fired schedule with DELETE after completion is still there")
	}
	if _, err := srv.Fire(group, "keep"); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Schedule(group, "keep"); !ok {
		t.Error("a fired schedule with NONE after completion is gone")
	}

	del := &scheduler.DeleteScheduleInput{Name: aws.String("keep"),
		GroupName: aws.String(group), ClientToken: aws.String("delete-1")}
	if _, err := client.DeleteSchedule(ctx, del); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteSchedule(ctx, del); err != nil {
		t.Errorf("a delete retried with its token: %v", err)
	}
	del.ClientToken = aws.String("delete-2")
	_, err = client.DeleteSchedule(ctx, del)
	assertError[*types.ResourceNotFoundException](t, "a second delete", err)

	last := srv.Requests()[len(srv.Requests())-1]
	if last.Op != "DeleteSchedule" || last.Name != "keep" || last.GroupName != group ||
		last.Query.Get("groupName") != group || last.Query.Get("clientToken") != "delete-2" {
		t.Errorf("recorded %+v", last)
	}
}

func TestListSchedulesPages(t *testing.T) {
	ctx := context.Background()
	srv, client := start(t)
	for _, name := range []string{"b", "a", "c"} {
		in := valid()
		in.Name, in.ClientToken = aws.String(name), nil
		if _, err := client.CreateSchedule(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	other := valid()
	other.GroupName, other.ClientToken = nil, nil
	if _, err := client.CreateSchedule(ctx, other); err != nil {
		t.Fatal(err)
	}

	var names []string
	pages := scheduler.NewListSchedulesPaginator(client, &scheduler.ListSchedulesInput{
		GroupName: aws.String(group), MaxResults: aws.Int32(2)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Schedules {
			names = append(names, aws.ToString(s.Name))
		}
	}
	if strings.Join(names, ",") != "a,b,c" {
		t.Errorf("listed %v, want a,b,c", names)
	}
	if q := srv.Requests()[len(srv.Requests())-1].Query; q.Get("ScheduleGroup") != group {
		t.Errorf("the group travelled as %v, want the query key ScheduleGroup", q)
	}
}

func TestFailNext(t *testing.T) {
	ctx := context.Background()
	srv, client := start(t)
	srv.FailNext(1, "ThrottlingException", http.StatusTooManyRequests)
	srv.FailNext(1, "ServiceQuotaExceededException", http.StatusPaymentRequired)
	srv.FailNext(1, "InternalServerException", http.StatusInternalServerError)

	_, err := client.CreateSchedule(ctx, valid())
	assertError[*types.ThrottlingException](t, "first", err)
	_, err = client.CreateSchedule(ctx, valid())
	assertError[*types.ServiceQuotaExceededException](t, "second", err)
	_, err = client.CreateSchedule(ctx, valid())
	assertError[*types.InternalServerException](t, "third", err)
	if _, err := client.CreateSchedule(ctx, valid()); err != nil {
		t.Errorf("fourth: %v", err)
	}
	if n := len(srv.Requests()); n != 4 {
		t.Errorf("recorded %d requests, want 4", n)
	}
}

func TestUnsignedRequestsAreRefused(t *testing.T) {
	srv, _ := start(t)
	resp, err := http.Get(srv.URL + "/schedules/a")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status %d, want 403", resp.StatusCode)
	}
}

func assertError[E error](t *testing.T, what string, err error) {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Errorf("%s: error = %v, want %T", what, err, target)
	}
}

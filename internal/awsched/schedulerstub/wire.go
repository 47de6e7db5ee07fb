package schedulerstub

import (
	"encoding/json"
	"time"
)

// scheduleBody is the JSON body of CreateSchedule and UpdateSchedule: every
// member of the input but the Name, which travels in the path. Pointers tell
// a missing member from an empty one.
type scheduleBody struct {
	GroupName                  *string  `json:",omitempty"`
	ScheduleExpression         *string  `json:",omitempty"`
	ScheduleExpressionTimezone *string  `json:",omitempty"`
	StartDate                  *float64 `json:",omitempty"`
	EndDate                    *float64 `json:",omitempty"`
	Description                *string  `json:",omitempty"`
	State                      *string  `json:",omitempty"`
	KmsKeyArn                  *string  `json:",omitempty"`
	Target                     *target  `json:",omitempty"`
	FlexibleTimeWindow         *window  `json:",omitempty"`
	ClientToken                *string  `json:",omitempty"`
	ActionAfterCompletion      *string  `json:",omitempty"`
}

// target is the schedule's Target. The parameter objects of other target
// kinds are kept as they came, not checked: dayone only invokes Lambda.
type target struct {
	Arn                         *string         `json:",omitempty"`
	RoleArn                     *string         `json:",omitempty"`
	Input                       *string         `json:",omitempty"`
	DeadLetterConfig            *deadLetter     `json:",omitempty"`
	RetryPolicy                 *retryPolicy    `json:",omitempty"`
	EcsParameters               json.RawMessage `json:",omitempty"`
	EventBridgeParameters       json.RawMessage `json:",omitempty"`
	KinesisParameters           json.RawMessage `json:",omitempty"`
	SageMakerPipelineParameters json.RawMessage `json:",omitempty"`
	SqsParameters               json.RawMessage `json:",omitempty"`
}

type deadLetter struct {
	Arn *string `json:",omitempty"`
}

type retryPolicy struct {
	MaximumEventAgeInSeconds *int64 `json:",omitempty"`
	MaximumRetryAttempts     *int64 `json:",omitempty"`
}

type window struct {
	Mode                   *string `json:",omitempty"`
	MaximumWindowInMinutes *int64  `json:",omitempty"`
}

// getOutput is the body of a GetSchedule answer.
type getOutput struct {
	Arn                        string
	Name                       string
	GroupName                  string
	ScheduleExpression         *string  `json:",omitempty"`
	ScheduleExpressionTimezone *string  `json:",omitempty"`
	StartDate                  *float64 `json:",omitempty"`
	EndDate                    *float64 `json:",omitempty"`
	Description                *string  `json:",omitempty"`
	State                      string
	KmsKeyArn                  *string `json:",omitempty"`
	Target                     *target `json:",omitempty"`
	FlexibleTimeWindow         *window `json:",omitempty"`
	ActionAfterCompletion      string
	CreationDate               float64
	LastModificationDate       float64
}

// summary is one item of a ListSchedules answer.
type summary struct {
	Arn                  string
	Name                 string
	GroupName            string
	State                string
	CreationDate         float64
	LastModificationDate float64
	Target               targetSummary
}

type targetSummary struct {
	Arn string
}

// Stored is a schedule as the stand-in holds it.
type Stored struct {
	Name      string
	GroupName string
	Arn       string

	ScheduleExpression         string
	ScheduleExpressionTimezone string
	State                      string // ENABLED when the request named none
	ActionAfterCompletion      string // NONE when the request named none
	Description                string
	TargetArn                  string
	RoleArn                    string
	Input                      string
	DeadLetterArn              string

	// Body is the decoded body of the create or update that made it.
	Body map[string]any

	CreationDate         time.Time
	LastModificationDate time.Time

	body scheduleBody
}

// newStored returns the schedule that body describes.
func newStored(group, name, arn string, b scheduleBody, raw map[string]any) Stored {
	s := Stored{
		Name: name, GroupName: group, Arn: arn,
		ScheduleExpression:         deref(b.ScheduleExpression),
		ScheduleExpressionTimezone: deref(b.ScheduleExpressionTimezone),
		State:                      or(deref(b.State), "ENABLED"),
		ActionAfterCompletion:      or(deref(b.ActionAfterCompletion), "NONE"),
		Description:                deref(b.Description),
		Body:                       raw,
		body:                       b,
	}
	if t := b.Target; t != nil {
		s.TargetArn, s.RoleArn, s.Input = deref(t.Arn), deref(t.RoleArn), deref(t.Input)
		if t.DeadLetterConfig != nil {
			s.DeadLetterArn = deref(t.DeadLetterConfig.Arn)
		}
	}
	return s
}

// output is the GetSchedule answer for s.
func (s Stored) output() getOutput {
	b := s.body
	return getOutput{
		Arn: s.Arn, Name: s.Name, GroupName: s.GroupName,
		ScheduleExpression:         b.ScheduleExpression,
		ScheduleExpressionTimezone: b.ScheduleExpressionTimezone,
		StartDate:                  b.StartDate,
		EndDate:                    b.EndDate,
		Description:                b.Description,
		State:                      s.State,
		KmsKeyArn:                  b.KmsKeyArn,
		Target:                     b.Target,
		FlexibleTimeWindow:         b.FlexibleTimeWindow,
		ActionAfterCompletion:      s.ActionAfterCompletion,
		CreationDate:               epoch(s.CreationDate),
		LastModificationDate:       epoch(s.LastModificationDate),
	}
}

// summary is the ListSchedules item for s.
func (s Stored) summary() summary {
	return summary{
		Arn: s.Arn, Name: s.Name, GroupName: s.GroupName, State: s.State,
		CreationDate:         epoch(s.CreationDate),
		LastModificationDate: epoch(s.LastModificationDate),
		Target:               targetSummary{Arn: s.TargetArn},
	}
}

// epoch is a timestamp as restJson1 sends it by default: seconds, with a fraction.
func epoch(t time.Time) float64 {
	return float64(t.UnixMilli()) / 1000
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

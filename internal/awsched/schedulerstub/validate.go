package schedulerstub

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	// Zone names are checked against the zone database inside the binary,
	// whatever the host has.
	_ "time/tzdata"
)

// The model's patterns (scheduler-api.md, section 3), in Go's syntax, and the
// expression forms the docs give.
var (
	// P1 (Name, ScheduleGroupName) and P8 (NamePrefix).
	namePattern = regexp.MustCompile(`^[0-9a-zA-Z-_.]+$`)
	// P2 (KmsKeyArn).
	kmsPattern = regexp.MustCompile(
		`^arn:aws(-[a-z]+)?:kms:[a-z0-9\-]+:\d{12}:(key|alias)/[0-9a-zA-Z-_]*$`)
	// P3 (ClientToken).
	tokenPattern = regexp.MustCompile(`^[a-zA-Z0-9-_]+$`)
	// P4 (Target.RoleArn).
	rolePattern = regexp.MustCompile(`^arn:aws(-[a-z]+)?:iam::\d{12}:role/[\w+=,.@/-]+$`)
	// P5 (Target.DeadLetterConfig.Arn).
	queuePattern = regexp.MustCompile(
		`^arn:aws(-[a-z]+)?:sqs:[a-z0-9\-]+:\d{12}:[a-zA-Z0-9\-_]+$`)

	atPattern   = regexp.MustCompile(`^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$`)
	ratePattern = regexp.MustCompile(`^rate\(([1-9][0-9]*) (minutes?|hours?|days?)\)$`)
	cronPattern = regexp.MustCompile(`^cron\((\S+( \S+){5})\)$`)
)

// problems collects what is wrong with one request, in the order found.
type problems []string

func (p *problems) check(ok bool, format string, args ...any) {
	if !ok {
		*p = append(*p, fmt.Sprintf(format, args...))
	}
}

// length checks a string member's length in characters.
func (p *problems) length(field, v string, lo, hi int) {
	n := utf8.RuneCountInString(v)
	p.check(n >= lo && n <= hi, "%s must be %d to %d characters long, got %d", field, lo, hi, n)
}

// pattern checks length and pattern of an optional string member.
func (p *problems) pattern(field string, v *string, re *regexp.Regexp, lo, hi int) {
	if v == nil {
		return
	}
	p.length(field, *v, lo, hi)
	p.check(re.MatchString(*v), "%s %q does not match %s", field, *v, re)
}

func (p *problems) oneOf(field string, v *string, allowed ...string) {
	if v == nil {
		return
	}
	for _, a := range allowed {
		if *v == a {
			return
		}
	}
	p.check(false, "%s %q is not one of %s", field, *v, strings.Join(allowed, ", "))
}

func (p *problems) between(field string, v *int64, lo, hi int64) {
	if v != nil {
		p.check(*v >= lo && *v <= hi, "%s %d is outside %d-%d", field, *v, lo, hi)
	}
}

func (p *problems) required(field string, present bool) {
	p.check(present, "%s is required", field)
}

// checkName checks a schedule or group name (Name, ScheduleGroupName).
func (p *problems) checkName(field, v string) {
	p.pattern(field, &v, namePattern, 1, 64)
}

// checkSchedule checks the body of CreateSchedule or UpdateSchedule.
func (p *problems) checkSchedule(b *scheduleBody) {
	p.pattern("GroupName", b.GroupName, namePattern, 1, 64)
	p.required("ScheduleExpression", b.ScheduleExpression != nil)
	if b.ScheduleExpression != nil {
		p.length("ScheduleExpression", *b.ScheduleExpression, 1, 256)
		p.expression(*b.ScheduleExpression)
	}
	if z := b.ScheduleExpressionTimezone; z != nil {
		p.length("ScheduleExpressionTimezone", *z, 1, 50)
		_, err := time.LoadLocation(*z)
		p.check(err == nil && *z != "Local" && *z != "",
			"ScheduleExpressionTimezone %q is not a known time zone", *z)
	}
	if b.Description != nil {
		p.length("Description", *b.Description, 0, 512)
	}
	p.oneOf("State", b.State, "ENABLED", "DISABLED")
	p.oneOf("ActionAfterCompletion", b.ActionAfterCompletion, "NONE", "DELETE")
	p.pattern("KmsKeyArn", b.KmsKeyArn, kmsPattern, 1, 2048)
	p.pattern("ClientToken", b.ClientToken, tokenPattern, 1, 64)
	p.window(b.FlexibleTimeWindow)
	p.target(b.Target)
}

// expression checks the syntax of at(), rate() and cron() as the docs give
// it; the model itself has no pattern. An at() must name a real calendar
// date and time. It may lie in the past: the model and docs do not say
// that the service refuses it, so the stand-in does not either.
func (p *problems) expression(e string) {
	if m := atPattern.FindStringSubmatch(e); m != nil {
		_, err := time.Parse("2006-01-02T15:04:05", m[1])
		p.check(err == nil, "ScheduleExpression %q is not a real date and time", e)
		return
	}
	if m := ratePattern.FindStringSubmatch(e); m != nil {
		_, err := strconv.Atoi(m[1])
		p.check(err == nil, "ScheduleExpression %q has a rate out of range", e)
		return
	}
	p.check(cronPattern.MatchString(e),
		"ScheduleExpression %q is not at(yyyy-mm-ddThh:mm:ss), rate(value unit) "+
			"or cron(six fields)", e)
}

// window checks FlexibleTimeWindow. That MaximumWindowInMinutes goes with
// FLEXIBLE, and only with it, is from the docs, not the model.
func (p *problems) window(w *window) {
	p.required("FlexibleTimeWindow", w != nil)
	if w == nil {
		return
	}
	p.required("FlexibleTimeWindow.Mode", w.Mode != nil)
	p.oneOf("FlexibleTimeWindow.Mode", w.Mode, "OFF", "FLEXIBLE")
	p.between("FlexibleTimeWindow.MaximumWindowInMinutes", w.MaximumWindowInMinutes, 1, 1440)
	flexible := w.Mode != nil && *w.Mode == "FLEXIBLE"
	p.check(flexible == (w.MaximumWindowInMinutes != nil),
		"FlexibleTimeWindow.MaximumWindowInMinutes is required with FLEXIBLE and "+
			"not allowed with OFF")
}

func (p *problems) target(t *target) {
	p.required("Target", t != nil)
	if t == nil {
		return
	}
	p.required("Target.Arn", t.Arn != nil)
	if t.Arn != nil {
		p.length("Target.Arn", *t.Arn, 1, 1600)
	}
	p.required("Target.RoleArn", t.RoleArn != nil)
	p.pattern("Target.RoleArn", t.RoleArn, rolePattern, 1, 1600)
	if t.Input != nil {
		p.check(*t.Input != "", "Target.Input must not be empty")
	}
	if d := t.DeadLetterConfig; d != nil {
		p.pattern("Target.DeadLetterConfig.Arn", d.Arn, queuePattern, 1, 1600)
	}
	if r := t.RetryPolicy; r != nil {
		p.between("Target.RetryPolicy.MaximumEventAgeInSeconds",
			r.MaximumEventAgeInSeconds, 60, 86400)
		p.between("Target.RetryPolicy.MaximumRetryAttempts", r.MaximumRetryAttempts, 0, 185)
	}
}

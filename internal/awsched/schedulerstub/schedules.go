package schedulerstub

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// create serves CreateSchedule. A name that exists in the group is a
// ConflictException (the model marks schedules noReplace), unless the same
// client token comes with the same request within TokenMemory: that is a
// retry, and gets the first answer again.
func (s *Server) create(c call) reply {
	b, raw, p := decodeSchedule(c)
	if len(p) > 0 {
		return invalid(p)
	}
	group := or(deref(b.GroupName), DefaultGroup)
	fp := fingerprint(group, c.name, raw)
	if answer, done := s.replay("CreateSchedule", deref(b.ClientToken), fp); done {
		return answer
	}
	if !s.groups[group] {
		return notFound("Schedule group %s does not exist.", group)
	}
	k := key{group, c.name}
	if _, exists := s.schedules[k]; exists {
		return conflict("Schedule %s already exists.", c.name)
	}

	now := time.Now()
	st := newStored(group, c.name, scheduleARN(c.region, group, c.name), b, raw)
	st.CreationDate, st.LastModificationDate = now, now
	s.schedules[k] = st
	return s.remember("CreateSchedule", deref(b.ClientToken), fp,
		ok(map[string]string{"ScheduleArn": st.Arn}))
}

// update serves UpdateSchedule: the body replaces the whole schedule, so a
// member left out is gone afterwards, as the docs say.
func (s *Server) update(c call) reply {
	b, raw, p := decodeSchedule(c)
	if len(p) > 0 {
		return invalid(p)
	}
	group := or(deref(b.GroupName), DefaultGroup)
	fp := fingerprint(group, c.name, raw)
	if answer, done := s.replay("UpdateSchedule", deref(b.ClientToken), fp); done {
		return answer
	}
	k := key{group, c.name}
	old, exists := s.schedules[k]
	switch {
	case !s.groups[group]:
		return notFound("Schedule group %s does not exist.", group)
	case !exists:
		return notFound("Schedule %s does not exist.", c.name)
	}

	st := newStored(group, c.name, old.Arn, b, raw)
	st.CreationDate, st.LastModificationDate = old.CreationDate, time.Now()
	s.schedules[k] = st
	return s.remember("UpdateSchedule", deref(b.ClientToken), fp,
		ok(map[string]string{"ScheduleArn": st.Arn}))
}

// get serves GetSchedule.
func (s *Server) get(c call) reply {
	group, p := nameAndGroup(c, "groupName")
	if len(p) > 0 {
		return invalid(p)
	}
	st, answer := s.find(group, c.name)
	if answer != nil {
		return *answer
	}
	return ok(st.output())
}

// remove serves DeleteSchedule; a repeated client token within TokenMemory
// succeeds again even though the schedule is gone.
func (s *Server) remove(c call) reply {
	group, p := nameAndGroup(c, "groupName")
	token := c.query.Get("clientToken")
	if c.query.Has("clientToken") {
		p.pattern("clientToken", &token, tokenPattern, 1, 64)
	}
	if len(p) > 0 {
		return invalid(p)
	}
	fp := fingerprint(group, c.name, nil)
	if answer, done := s.replay("DeleteSchedule", token, fp); done {
		return answer
	}
	if _, answer := s.find(group, c.name); answer != nil {
		return *answer
	}

	delete(s.schedules, key{group, c.name})
	return s.remember("DeleteSchedule", token, fp, ok(struct{}{}))
}

// list serves ListSchedules. Without ScheduleGroup it lists every group.
// NextToken is an offset into the ordered list, opaque to clients.
func (s *Server) list(c call) reply {
	q, p := listQueryOf(c)
	if len(p) > 0 {
		return invalid(p)
	}
	if q.group != "" && !s.groups[q.group] {
		return notFound("Schedule group %s does not exist.", q.group)
	}

	var matching []summary
	for _, st := range s.sorted() {
		if (q.group == "" || st.GroupName == q.group) &&
			strings.HasPrefix(st.Name, q.prefix) && (q.state == "" || st.State == q.state) {
			matching = append(matching, st.summary())
		}
	}
	if q.offset > len(matching) {
		return invalid(problems{"NextToken is not one this service issued"})
	}

	out := struct {
		Schedules []summary
		NextToken string `json:",omitempty"`
	}{Schedules: matching[q.offset:]}
	if len(out.Schedules) > q.max {
		out.Schedules = out.Schedules[:q.max]
		out.NextToken = "o" + strconv.Itoa(q.offset+q.max)
	}
	if out.Schedules == nil {
		out.Schedules = []summary{}
	}
	return ok(out)
}

type listQuery struct {
	group, prefix, state string
	max, offset          int
}

func listQueryOf(c call) (listQuery, problems) {
	var p problems
	q := listQuery{max: 100}
	if c.query.Has("ScheduleGroup") {
		q.group = c.query.Get("ScheduleGroup")
		p.checkName("ScheduleGroup", q.group)
	}
	if c.query.Has("NamePrefix") {
		q.prefix = c.query.Get("NamePrefix")
		p.checkName("NamePrefix", q.prefix)
	}
	if c.query.Has("State") {
		q.state = c.query.Get("State")
		p.oneOf("State", &q.state, "ENABLED", "DISABLED")
	}
	if c.query.Has("MaxResults") {
		n, err := strconv.Atoi(c.query.Get("MaxResults"))
		p.check(err == nil && n >= 1 && n <= 100, "MaxResults must be 1-100")
		q.max = n
	}
	if c.query.Has("NextToken") {
		token := c.query.Get("NextToken")
		n, err := strconv.Atoi(strings.TrimPrefix(token, "o"))
		p.check(strings.HasPrefix(token, "o") && err == nil && n >= 0,
			"NextToken is not one this service issued")
		q.offset = n
	}
	return q, p
}

// find returns the schedule, or the error answer for a missing group or name.
func (s *Server) find(group, name string) (Stored, *reply) {
	st, exists := s.schedules[key{group, name}]
	switch {
	case !s.groups[group]:
		answer := notFound("Schedule group %s does not exist.", group)
		return Stored{}, &answer
	case !exists:
		answer := notFound("Schedule %s does not exist.", name)
		return Stored{}, &answer
	}
	return st, nil
}

// decodeSchedule reads and checks a CreateSchedule or UpdateSchedule request.
func decodeSchedule(c call) (scheduleBody, map[string]any, problems) {
	var p problems
	p.checkName("Name", c.name)

	var b scheduleBody
	var raw map[string]any
	if err := json.Unmarshal(c.body, &b); err != nil {
		p.check(false, "the body is not a valid request: %v", err)
		return b, nil, p
	}
	_ = json.Unmarshal(c.body, &raw) // valid JSON: it decoded above
	p.checkSchedule(&b)
	return b, raw, p
}

// nameAndGroup checks the Name label and the group query member of Get and
// Delete, and returns the group the request means.
func nameAndGroup(c call, groupKey string) (string, problems) {
	var p problems
	p.checkName("Name", c.name)
	if !c.query.Has(groupKey) {
		return DefaultGroup, p
	}
	group := c.query.Get(groupKey)
	p.checkName("GroupName", group)
	return group, p
}

type tokenKey struct{ op, token string }

type tokenEntry struct {
	fingerprint string
	answer      reply
	at          time.Time
}

// replay returns the remembered answer when a client token comes again
// within TokenMemory with the same request, and a ConflictException when it
// comes with another request (the model does not say what the service does).
func (s *Server) replay(op, token, fp string) (reply, bool) {
	e, found := s.tokens[tokenKey{op, token}]
	if token == "" || !found || time.Since(e.at) > TokenMemory {
		return reply{}, false
	}
	if e.fingerprint != fp {
		return conflict("client token %s was already used for another request", token), true
	}
	return e.answer, true
}

// remember keeps a successful answer under its client token.
func (s *Server) remember(op, token, fp string, answer reply) reply {
	if token != "" {
		s.tokens[tokenKey{op, token}] = tokenEntry{fingerprint: fp, answer: answer,
			at: time.Now()}
	}
	return answer
}

// fingerprint identifies a request for the client-token check.
func fingerprint(group, name string, body map[string]any) string {
	canonical, _ := json.Marshal(body) // maps marshal with sorted keys
	return group + "/" + name + "\n" + string(canonical)
}

// scheduleARN is the schedule's ARN (pattern P9).
func scheduleARN(region, group, name string) string {
	return fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule/%s/%s", region, Account, group, name)
}

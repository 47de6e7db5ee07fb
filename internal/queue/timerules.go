package queue

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	// The zone database travels inside the binary, so that hosts without
	// /usr/share/zoneinfo (Lambda's images) still know Europe/Berlin.
	_ "time/tzdata"
)

// zoneName is the form of an Area/Location zone such as Europe/Berlin,
// America/Argentina/Buenos_Aires or Etc/GMT+5.
var zoneName = regexp.MustCompile(`^[A-Z][A-Za-z_]*(/[A-Za-z0-9_+-]+){1,2}$`)

// wallLayout is how a wall-clock start is stored and shown: no zone, no offset.
const wallLayout = "2006-01-02T15:04:05"

// The two wall-clock forms an HTML datetime-local input sends.
var inputLayouts = []string{"2006-01-02T15:04", wallLayout}

// Start is a wall-clock time read in a zone and the one instant it stands for.
type Start struct {
	Wall   string // "2006-01-02T15:04:05", as the zone's clocks show it
	Zone   string
	Offset string // set only when the wall clock happens twice and one was chosen
	DueAt  time.Time
}

// LoadZone returns the IANA zone called name, or an input error for "timezone".
func LoadZone(name string) (*time.Location, error) {
	unknown := invalid("timezone",
		"unknown time zone %q; use an IANA name such as Europe/Berlin", name)
	// Zones that people live in are Area/Location names; the database's other
	// entries (Local, Factory, posixrules, EST5EDT…) and the host's extra trees
	// (right/…, posix/…) are refused, UTC aside.
	if name != "UTC" && !zoneName.MatchString(name) || len(name) > 50 {
		return nil, unknown
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, unknown
	}
	return loc, nil
}

// ParseStart reads a wall clock in zone. When the wall clock happens twice in that
// zone, offset ("+01:00" or an abbreviation such as "CET") chooses one; it is
// ignored otherwise. The errors are *InputError for field "start" or "timezone".
func ParseStart(wall, zone, offset string) (Start, error) {
	loc, err := LoadZone(zone)
	if err != nil {
		return Start{}, err
	}

	clock, err := parseWall(wall)
	if err != nil {
		return Start{}, err
	}

	instants := instantsOf(clock, loc)
	switch len(instants) {
	case 0:
		return Start{}, gapError(clock, loc)
	case 1:
		return Start{Wall: clock.Format(wallLayout), Zone: zone, DueAt: instants[0].UTC()}, nil
	}

	chosen, ok := chooseOffset(instants, offset)
	if !ok {
		return Start{}, overlapError(clock, loc, instants)
	}
	return Start{
		Wall:   clock.Format(wallLayout),
		Zone:   zone,
		Offset: chosen.Format("-07:00"),
		DueAt:  chosen.UTC(),
	}, nil
}

// Instants returns every instant at which the clocks in zone show wall, in
// order: one as a rule, none in a DST gap, two when the clocks go back.
// Errors: *InputError for field "start" or "timezone".
func Instants(wall, zone string) ([]time.Time, error) {
	loc, err := LoadZone(zone)
	if err != nil {
		return nil, err
	}
	clock, err := parseWall(wall)
	if err != nil {
		return nil, err
	}
	return instantsOf(clock, loc), nil
}

// parseWall reads the wall clock as if it were UTC, only to hold its fields.
// time.Parse accepts a fraction after the seconds whatever the layout; a
// non-zero one is refused, since the stored wall clock could not show it.
func parseWall(wall string) (time.Time, error) {
	wall = strings.TrimSpace(wall)
	for _, layout := range inputLayouts {
		if t, err := time.Parse(layout, wall); err == nil && t.Nanosecond() == 0 {
			return t, nil
		}
	}
	return time.Time{}, invalid("start",
		"start %q is not a date and time like 2027-07-01T09:00", wall)
}

// instantsOf returns every instant at which the clocks in loc show the wall
// clock: none in a gap, two in an overlap. time.Date would silently pick one.
func instantsOf(clock time.Time, loc *time.Location) []time.Time {
	var found []time.Time
	for _, offset := range nearbyOffsets(clock, loc) {
		candidate := clock.Add(-time.Duration(offset) * time.Second)
		if sameWall(candidate.In(loc), clock) && !containsInstant(found, candidate) {
			found = append(found, candidate.In(loc))
		}
	}
	if len(found) == 2 && found[1].Before(found[0]) {
		found[0], found[1] = found[1], found[0]
	}
	return found
}

// nearbyOffsets lists the zone's UTC offsets in force a day around the clock.
func nearbyOffsets(clock time.Time, loc *time.Location) []int {
	var offsets []int
	for _, shift := range []time.Duration{-26 * time.Hour, 0, 26 * time.Hour} {
		_, offset := clock.Add(shift).In(loc).Zone()
		if !containsInt(offsets, offset) {
			offsets = append(offsets, offset)
		}
	}
	return offsets
}

func sameWall(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay() &&
		a.Hour() == b.Hour() && a.Minute() == b.Minute() && a.Second() == b.Second()
}

func containsInstant(list []time.Time, t time.Time) bool {
	for _, x := range list {
		if x.Equal(t) {
			return true
		}
	}
	return false
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

func chooseOffset(instants []time.Time, offset string) (time.Time, bool) {
	offset = strings.TrimSpace(offset)
	if offset == "" {
		return time.Time{}, false
	}
	for _, t := range instants {
		name, _ := t.Zone()
		if offset == t.Format("-07:00") || strings.EqualFold(offset, name) {
			return t, true
		}
	}
	return time.Time{}, false
}

// gapError says that the clocks jump over the wall clock, and from what to what.
func gapError(clock time.Time, loc *time.Location) error {
	before := nearbyOffsets(clock, loc)[0]
	change, _ := clock.Add(-time.Duration(before) * time.Second).In(loc).ZoneBounds()

	from := change.In(time.FixedZone("", before)).Format("15:04")
	to := change.In(loc).Format("15:04")
	return invalid("start",
		"%s does not exist in %s: the clocks jump from %s to %s that night",
		clock.Format("2006-01-02 15:04"), loc, from, to)
}

// overlapError names both instants at which the wall clock happens.
func overlapError(clock time.Time, loc *time.Location, instants []time.Time) error {
	choices := make([]string, len(instants))
	for i, t := range instants {
		name, _ := t.Zone()
		choices[i] = fmt.Sprintf("%s %s (%s, %s UTC)",
			clock.Format("15:04"), name, t.Format("-07:00"), t.UTC().Format("15:04"))
	}
	return invalid("offset",
		"%s happens twice in %s because the clocks go back; choose %s",
		clock.Format("2006-01-02 15:04"), loc, strings.Join(choices, " or "))
}

// DescribeTime reads like "2027-07-01 09:00 Europe/Berlin (07:00 UTC)": t in
// zone and in UTC, with the UTC date too when it is another day. layout is
// "2006-01-02 15:04" or "2006-01-02 15:04:05". An unknown zone shows UTC.
func DescribeTime(t time.Time, zone, layout string) string {
	loc, err := LoadZone(zone)
	if err != nil {
		loc = time.UTC
	}
	local, utc := t.In(loc), t.UTC()

	utcText := utc.Format(layout[len("2006-01-02 "):])
	if utc.Format(time.DateOnly) != local.Format(time.DateOnly) {
		utcText = utc.Format(layout)
	}
	return fmt.Sprintf("%s %s (%s UTC)", local.Format(layout), zone, utcText)
}

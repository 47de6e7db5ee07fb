package web

import (
	"fmt"
	"slices"
	"time"

	"github.com/dayone/dayone/internal/queue"
)

// commonZones are the zones most help desks start people in, west to east.
var commonZones = []string{
	"America/Los_Angeles", "America/Denver", "America/Chicago", "America/Mexico_City",
	"America/New_York", "America/Toronto", "America/Sao_Paulo",
	"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon",
	"Europe/Amsterdam", "Europe/Berlin", "Europe/Brussels", "Europe/Madrid",
	"Europe/Paris", "Europe/Rome", "Europe/Stockholm", "Europe/Vienna",
	"Europe/Warsaw", "Europe/Zurich", "Europe/Athens", "Europe/Helsinki",
	"Europe/Istanbul", "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata",
	"Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney",
	"Pacific/Auckland",
}

// CommonZones returns the curated IANA zones the form offers by default.
func CommonZones() []string { return slices.Clone(commonZones) }

// withZone returns zones with zone added at the end when it is missing.
func withZone(zones []string, zone string) []string {
	if zone == "" || slices.Contains(zones, zone) {
		return zones
	}
	return append(slices.Clone(zones), zone)
}

// The layouts the pages use for times.
const (
	dayMinute = "2006-01-02 15:04"
	daySecond = "2006-01-02 15:04:05"
)

// location loads zone, falling back to UTC for a name that does not load.
func location(zone string) *time.Location {
	loc, err := queue.LoadZone(zone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// offsetChoice is one of the two instants of a wall clock that happens twice.
type offsetChoice struct {
	Value   string // "+02:00", what the form posts as offset
	Label   string // "02:30 CEST (00:30 UTC)"
	Checked bool
}

// offsetChoices lists the instants at which wall happens in zone, when it
// happens more than once; nil otherwise. It asks queue.ParseStart about each
// offset the zone uses around that day, so the rules stay in one place.
func offsetChoices(wall, zone, chosen string) []offsetChoice {
	loc, err := queue.LoadZone(zone)
	if err != nil {
		return nil
	}
	clock, err := time.Parse("2006-01-02T15:04", wall[:min(len(wall), 16)])
	if err != nil {
		return nil
	}

	var found []queue.Start
	for _, shift := range []time.Duration{-26 * time.Hour, 0, 26 * time.Hour} {
		_, seconds := clock.Add(shift).In(loc).Zone()
		offset := time.Unix(0, 0).In(time.FixedZone("", seconds)).Format("-07:00")
		st, err := queue.ParseStart(wall, zone, offset)
		if err == nil && st.Offset != "" && !slices.ContainsFunc(found, sameInstant(st)) {
			found = append(found, st)
		}
	}
	if len(found) < 2 {
		return nil
	}
	slices.SortFunc(found, func(a, b queue.Start) int { return a.DueAt.Compare(b.DueAt) })
	return offsetViews(found, loc, chosen)
}

func sameInstant(st queue.Start) func(queue.Start) bool {
	return func(o queue.Start) bool { return o.DueAt.Equal(st.DueAt) }
}

func offsetViews(found []queue.Start, loc *time.Location, chosen string) []offsetChoice {
	choices := make([]offsetChoice, len(found))
	for i, st := range found {
		local := st.DueAt.In(loc)
		name, _ := local.Zone()
		choices[i] = offsetChoice{
			Value: st.Offset,
			Label: fmt.Sprintf("%s %s (%s UTC)",
				local.Format("15:04"), name, st.DueAt.Format("15:04")),
			Checked: st.Offset == chosen,
		}
	}
	return choices
}

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
// happens more than once; nil otherwise. The queue's time rules find them.
func offsetChoices(wall, zone, chosen string) []offsetChoice {
	instants, err := queue.Instants(wall, zone)
	if err != nil || len(instants) < 2 {
		return nil
	}

	choices := make([]offsetChoice, len(instants))
	for i, at := range instants {
		name, _ := at.Zone()
		offset := at.Format("-07:00")
		choices[i] = offsetChoice{
			Value:   offset,
			Label:   fmt.Sprintf("%s %s (%s UTC)", at.Format("15:04"), name, at.UTC().Format("15:04")),
			Checked: offset == chosen,
		}
	}
	return choices
}

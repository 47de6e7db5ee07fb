package queue_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/queue"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestStartInDSTGap is C6: a wall clock the clocks jump over does not exist.
func TestStartInDSTGap(t *testing.T) {
	cases := []struct{ wall, zone, jump string }{
		{"2027-03-28T02:30", "Europe/Berlin", "from 02:00 to 03:00"},
		{"2027-03-28T02:00:00", "Europe/Berlin", "from 02:00 to 03:00"},
		{"2027-03-14T02:30", "America/New_York", "from 02:00 to 03:00"},
		{"2027-10-03T02:15", "Australia/Lord_Howe", "from 02:00 to 02:30"},
	}
	for _, c := range cases {
		_, err := queue.ParseStart(c.wall, c.zone, "")
		input := inputError(t, err, "start")
		if want := "does not exist in " + c.zone; !strings.Contains(input.Message, want) ||
			!strings.Contains(input.Message, "the clocks jump "+c.jump) {
			t.Errorf("%s %s: message %q, want it to say %q and that the clocks jump %s",
				c.wall, c.zone, input.Message, want, c.jump)
		}
	}

	// The minutes either side of the gap exist.
	for wall, due := range map[string]string{
		"2027-03-28T01:59": "2027-03-28T00:59:00Z", "2027-03-28T03:00": "2027-03-28T01:00:00Z",
	} {
		st, err := queue.ParseStart(wall, "Europe/Berlin", "")
		if err != nil || !st.DueAt.Equal(utc(due)) {
			t.Errorf("ParseStart(%s) = %s, %v; want %s", wall, st.DueAt, err, due)
		}
	}
}

// TestStartInDSTOverlap is C6: a wall clock that happens twice needs a choice.
func TestStartInDSTOverlap(t *testing.T) {
	for _, offset := range []string{"", "+03:00", "EST", "  "} {
		_, err := queue.ParseStart("2027-10-31T02:30", "Europe/Berlin", offset)
		input := inputError(t, err, "offset")
		for _, want := range []string{"happens twice", "CEST", "00:30 UTC", "CET", "01:30 UTC"} {
			if !strings.Contains(input.Message, want) {
				t.Errorf("offset %q: message %q does not name %q", offset, input.Message, want)
			}
		}
	}

	chosen := map[string]string{
		"+01:00": "2027-10-31T01:30:00Z", "CET": "2027-10-31T01:30:00Z",
		"+02:00": "2027-10-31T00:30:00Z", "CEST": "2027-10-31T00:30:00Z",
		"cest": "2027-10-31T00:30:00Z",
	}
	for offset, due := range chosen {
		st, err := queue.ParseStart("2027-10-31T02:30", "Europe/Berlin", offset)
		if err != nil || !st.DueAt.Equal(utc(due)) {
			t.Errorf("offset %q: DueAt = %s, %v; want %s", offset, st.DueAt, err, due)
		}
		if want := utc(due).In(berlin(t)).Format("-07:00"); st.Offset != want {
			t.Errorf("offset %q: Offset = %q, want %q", offset, st.Offset, want)
		}
	}

	st, err := queue.ParseStart("2027-11-07T01:30", "America/New_York", "EST")
	if err != nil || !st.DueAt.Equal(utc("2027-11-07T06:30:00Z")) {
		t.Errorf("New York overlap, EST: %s, %v; want 06:30Z", st.DueAt, err)
	}
}

func berlin(t *testing.T) *time.Location {
	loc, err := queue.LoadZone("Europe/Berlin")
	if err != nil {
		t.Fatalf("LoadZone: %v", err)
	}
	return loc
}

// TestOffsetIgnoredWhenUnambiguous: an offset only chooses within an overlap.
func TestOffsetIgnoredWhenUnambiguous(t *testing.T) {
	st, err := queue.ParseStart("2027-07-01T09:00", "Europe/Berlin", "+01:00")
	if err != nil || !st.DueAt.Equal(utc("2027-07-01T07:00:00Z")) || st.Offset != "" {
		t.Errorf("ParseStart = %+v, %v; want 07:00Z and no offset", st, err)
	}
}

// TestZonelessFormValue is C7: the wall clock is read in the chosen zone,
// whatever the process's own zone.
func TestZonelessFormValue(t *testing.T) {
	saved := time.Local
	time.Local = time.FixedZone("X", -11*3600)
	t.Cleanup(func() { time.Local = saved })

	for _, wall := range []string{
		"2027-07-01T09:00", "2027-07-01T09:00:00", " 2027-07-01T09:00 ", "2027-07-01T09:00:00.000",
	} {
		st, err := queue.ParseStart(wall, "Europe/Berlin", "")
		if err != nil {
			t.Fatalf("ParseStart(%q): %v", wall, err)
		}
		if !st.DueAt.Equal(utc("2027-07-01T07:00:00Z")) || st.Wall != "2027-07-01T09:00:00" ||
			st.Zone != "Europe/Berlin" {
			t.Errorf("ParseStart(%q) = %+v, want 07:00Z, wall 2027-07-01T09:00:00", wall, st)
		}
	}

	f := newFixture(t, queue.Config{})
	r := f.schedule(t, "ada@example.com", "2027-07-01T09:00", true)
	if !r.DueAt.Equal(utc("2027-07-01T07:00:00Z")) {
		t.Errorf("DueAt = %s, want 07:00Z", r.DueAt)
	}
	if want := "2027-07-01 09:00 Europe/Berlin (07:00 UTC)"; r.History[0].Detail != want {
		t.Errorf("confirmation = %q, want %q", r.History[0].Detail, want)
	}
}

func TestBadStartFormats(t *testing.T) {
	for _, wall := range []string{
		"", "tomorrow", "2027-07-01 09:00", "2027-07-01T09", "2027-13-01T09:00",
		"2027-02-30T09:00", "2027-07-01T24:00", "2027-07-01T09:00Z", "2027-07-01T09:00+02:00",
		"2027-07-01T09:00:00.5", "01.07.2027 09:00", "2027-07-01",
	} {
		st, err := queue.ParseStart(wall, "Europe/Berlin", "")
		if err == nil {
			t.Errorf("ParseStart(%q) = %+v, want an error", wall, st)
			continue
		}
		inputError(t, err, "start")
	}
}

func TestUnknownZones(t *testing.T) {
	for _, zone := range []string{
		"Local", "Factory", "posixrules", "EST5EDT", "Mars/Olympus_Mons", "Europe/Berln",
		"right/Europe/Berlin", "posix/Europe/Berlin", "./Europe/Berlin", "Europe//Berlin",
		"Europe/./Berlin",
		"europe/berlin ", "../../etc/passwd",
		strings.Repeat("A", 51),
	} {
		_, err := queue.ParseStart("2027-07-01T09:00", zone, "")
		input := inputError(t, err, "timezone")
		if !strings.Contains(input.Message, "unknown time zone") {
			t.Errorf("zone %q: message %q", zone, input.Message)
		}
	}
	if _, err := queue.LoadZone(""); err == nil {
		t.Error(`LoadZone("") = nil error`)
	}
}

// TestScheduleZoneDefault: an empty zone is the service's default zone.
func TestScheduleZoneDefault(t *testing.T) {
	f := newFixture(t, queue.Config{DefaultZone: "America/New_York"})
	r, err := f.svc.Schedule(context.Background(), queue.ScheduleInput{
		Login: "ada@example.com", Start: "2027-07-01T09:00",
	})
	if err != nil || r.TimeZone != "America/New_York" ||
		!r.DueAt.Equal(utc("2027-07-01T13:00:00Z")) {
		t.Errorf("Schedule without zone = %+v, %v; want New York, 13:00Z", r, err)
	}
}

func TestScheduleInThePast(t *testing.T) {
	f := newFixture(t, queue.Config{})
	f.clock.Set(utc("2027-07-01T07:00:00Z"))
	for _, start := range []string{"2027-07-01T08:59", "2027-07-01T09:00", "2026-07-01T09:00"} {
		_, err := f.svc.Schedule(context.Background(), queue.ScheduleInput{
			Login: "ada@example.com", Start: start, TimeZone: "Europe/Berlin",
		})
		input := inputError(t, err, "start")
		if !strings.Contains(input.Message, "in the past") ||
			!strings.Contains(input.Message, "Activate now") {
			t.Errorf("%s: message %q, want it to point at Activate now", start, input.Message)
		}
	}
	if _, err := f.svc.Schedule(context.Background(), queue.ScheduleInput{
		Login: "ada@example.com", Start: "2027-07-01T09:00:01", TimeZone: "Europe/Berlin",
	}); err != nil {
		t.Errorf("a second ahead: %v", err)
	}
}

func TestScheduleHorizon(t *testing.T) {
	now := utc("2027-01-01T00:00:00Z")
	horizon := queue.DefaultHorizon
	cases := []struct {
		due time.Time
		ok  bool
	}{
		{now.Add(horizon - time.Minute), true},
		{now.Add(horizon), true},
		{now.Add(horizon + time.Second), false},
		{now.Add(horizon + time.Minute), false},
		{now.AddDate(10, 0, 0), false},
	}
	for _, c := range cases {
		f := newFixture(t, queue.Config{})
		f.clock.Set(now)
		_, err := f.svc.Schedule(context.Background(), queue.ScheduleInput{
			Login: "ada@example.com", Start: c.due.Format("2006-01-02T15:04:05"), TimeZone: "UTC",
		})
		switch {
		case c.ok && err != nil:
			t.Errorf("due %s: %v", c.due, err)
		case !c.ok:
			input := inputError(t, err, "start")
			if !strings.Contains(input.Message, "more than 400 days ahead") {
				t.Errorf("due %s: message %q", c.due, input.Message)
			}
			if n := f.countAll(t); n != 0 {
				t.Errorf("due %s: %d requests saved, want 0", c.due, n)
			}
		}
	}
}

// TestHelperZoneinfo runs only as the subprocess of TestEmbeddedZoneDatabase.
func TestHelperZoneinfo(t *testing.T) {
	if os.Getenv("DAYONE_ZONEINFO_HELPER") != "1" {
		t.Skip("runs as a subprocess of TestEmbeddedZoneDatabase")
	}
	if _, err := os.Stat("/usr/share/zoneinfo/Europe/Berlin"); err == nil {
		t.Log("the system zone database is visible")
	}
	st, err := queue.ParseStart("2027-07-01T09:00", "Europe/Berlin", "")
	if err != nil {
		t.Fatalf("ParseStart: %v", err)
	}
	if !st.DueAt.Equal(utc("2027-07-01T07:00:00Z")) {
		t.Fatalf("DueAt = %s, want 07:00Z", st.DueAt)
	}
}

// TestEmbeddedZoneDatabase is C8: Europe/Berlin loads with no zone files
// around. ZONEINFO and GOROOT (whose lib/time/zoneinfo.zip Go falls back on)
// point nowhere; where unshare works, the system zone directory is hidden from
// the subprocess too, otherwise the test says that it stayed visible.
func TestEmbeddedZoneDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	args := []string{"-test.run=^TestHelperZoneinfo$", "-test.v"}
	cmd := exec.Command(os.Args[0], args...)
	if hidden, ok := hideZoneinfo(t, args); ok {
		cmd = hidden
	}
	cmd.Env = append(withoutZoneSettings(os.Environ()),
		"ZONEINFO=/nonexistent", "GOROOT=/nonexistent", "DAYONE_ZONEINFO_HELPER=1")

	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the subprocess failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestHelperZoneinfo") {
		t.Fatalf("the helper did not run:\n%s", out)
	}
	if strings.Contains(string(out), "system zone database is visible") {
		t.Log("unshare is not available: /usr/share/zoneinfo stayed visible to the subprocess")
	}
}

// hideZoneinfo returns a command that runs this test binary with an empty
// directory mounted over /usr/share/zoneinfo, when the host allows it.
func hideZoneinfo(t *testing.T, args []string) (*exec.Cmd, bool) {
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		return nil, false
	}
	if _, err := os.Stat("/usr/share/zoneinfo"); err != nil {
		return nil, false
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	script := `mount --bind "$1" /usr/share/zoneinfo && shift && exec "$@"`
	probe := exec.Command(unshare, "-rm", "sh", "-c", script, "sh", empty, "true")
	if probe.Run() != nil {
		return nil, false
	}
	full := append([]string{"-rm", "sh", "-c", script, "sh", empty, os.Args[0]}, args...)
	return exec.Command(unshare, full...), true
}

func withoutZoneSettings(env []string) []string {
	var kept []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if name != "TZ" && name != "ZONEINFO" && name != "GOROOT" {
			kept = append(kept, kv)
		}
	}
	return kept
}

// TestActivateNowBadDefaultZone: a misconfigured default zone is an error,
// not a panic, and saves nothing.
func TestActivateNowBadDefaultZone(t *testing.T) {
	f := newFixture(t, queue.Config{DefaultZone: "Mars/Olympus_Mons"})
	f.accounts.AddUser("ada@example.com", "STAGED")
	_, err := f.svc.ActivateNow(context.Background(),
		queue.ActivateInput{Login: "ada@example.com"})
	if !errors.Is(err, queue.ErrInvalid) {
		t.Errorf("err = %v, want an invalid zone", err)
	}
	if n := f.countAll(t); n != 0 || len(f.accounts.Activations()) != 0 {
		t.Errorf("%d requests saved, %d activations; want none", n, len(f.accounts.Activations()))
	}
}

func TestDescribeTimeNamesTheUTCDateWhenItDiffers(t *testing.T) {
	auckland := time.Date(2027, 6, 30, 20, 0, 0, 0, time.UTC) // 08:00 on 1 July there
	cases := []struct {
		at   time.Time
		zone string
		want string
	}{
		{auckland, "Pacific/Auckland",
			"2027-07-01 08:00 Pacific/Auckland (2027-06-30 20:00 UTC)"},
		{time.Date(2027, 7, 1, 7, 0, 0, 0, time.UTC), "Europe/Berlin",
			"2027-07-01 09:00 Europe/Berlin (07:00 UTC)"},
	}
	for _, c := range cases {
		if got := queue.DescribeTime(c.at, c.zone, "2006-01-02 15:04"); got != c.want {
			t.Errorf("DescribeTime(%s, %s) = %q, want %q", c.at, c.zone, got, c.want)
		}
	}
}

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/testenv"

	"github.com/chromedp/chromedp"

	"github.com/dayone/dayone/internal/okta/oktasim"
)

// findChromium returns a Chromium binary, the real one rather than a wrapper
// script that adds flags of its own.
func findChromium() string {
	candidates := []string{os.Getenv("DAYONE_CHROMIUM"), "/usr/lib/chromium/chromium"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if info, err := os.Stat(c); err == nil && !info.IsDir() {
			return c
		}
	}
	names := []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium that resolves no host but 127.0.0.1.
// It skips the test when there is no Chromium, unless DAYONE_REQUIRE_BROWSER
// is set.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := findChromium()
	if bin == "" {
		if os.Getenv("DAYONE_REQUIRE_BROWSER") != "" {
			t.Fatal("DAYONE_REQUIRE_BROWSER is set but no Chromium was found; " +
				"install it (apt-get install chromium) or set DAYONE_CHROMIUM")
		}
		t.Skip("no Chromium found (looked at DAYONE_CHROMIUM, /usr/lib/chromium/chromium " +
			"and PATH); install chromium or set DAYONE_REQUIRE_BROWSER to make this a failure")
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return ctx
}

func TestBrowserSchedulesAndActivates(t *testing.T) {
	began := time.Now()
	sim := oktasim.NewServer(oktasim.WithDemoUsers("example.com"))
	t.Cleanup(sim.Close)
	logs := &testenv.SyncBuffer{}
	dayone := startDayone(t, localSettings(t), sim, logs)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dayone's log:\n%s", logs)
		}
	})
	// Started last, so that it closes first: dayone's graceful shutdown
	// would otherwise wait for the browser's idle connections.
	browser := newBrowser(t)

	// The first action starts the browser; its context has no deadline, as
	// a deadline there would end the browser with it.
	if err := chromedp.Do(browser, chromedp.Navigate(dayone.url+"/")); err != nil {
		t.Fatalf("open the form: %v", err)
	}
	ctx, cancel := context.WithTimeout(browser, 20*time.Second)
	defer cancel()

	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Now().In(ny).Add(5 * time.Minute).Truncate(time.Minute)
	wall := due.Format("2006-01-02T15:04")
	err = chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.ID("schedule-login")),
		chromedp.SendKeys(chromedp.ID("schedule-login"), "ada.lovelace@example.com"),
		chromedp.SetValue(chromedp.ID("schedule-start"), wall),
		chromedp.SetValue(chromedp.ID("schedule-timezone"), "America/New_York"),
	)
	if err != nil {
		t.Fatalf("fill the form: %v", err)
	}
	saveScreenshot(t, ctx, "home.png")

	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("schedule-submit")))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="flash"]`)))
	want := "Scheduled for " + describeDue(due, "America/New_York")
	if err != nil || flash != want {
		t.Fatalf("confirmation %q (%v), want %q", flash, err, want)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(dayone.url+"/queue")); err != nil {
		t.Fatalf("open the queue: %v", err)
	}
	row, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`tr[data-testid="queue-row"]`)))
	if err != nil || !strings.Contains(row, "ada.lovelace@example.com") ||
		!strings.Contains(row, due.Format("2006-01-02 15:04")+" America/New_York") ||
		!strings.Contains(row, "scheduled") {
		t.Fatalf("queue row %q (%v)", row, err)
	}
	saveScreenshot(t, ctx, "queue.png")

	err = chromedp.Do(ctx,
		chromedp.Navigate(dayone.url+"/"),
		chromedp.SendKeys(chromedp.ID("activate-login"), "grace.hopper@example.com"),
	)
	if err != nil {
		t.Fatalf("fill Activate now: %v", err)
	}
	_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("activate-submit")))
	if err != nil {
		t.Fatalf("submit Activate now: %v", err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="request-status"]`)))
	if err != nil || status != "activated" {
		t.Fatalf("status %q (%v)", status, err)
	}
	saveScreenshot(t, ctx, "activated.png")
	if n := sim.ActivateCalls("grace.hopper@example.com"); n != 1 {
		t.Errorf("%d activate calls, want 1", n)
	}
	t.Logf("browser test took %s", time.Since(began).Round(time.Millisecond))
}

// describeDue reads like the pages: "2027-07-01 09:00 Europe/Berlin (07:00 UTC)".
func describeDue(due time.Time, zone string) string {
	utc := due.UTC().Format("15:04")
	if due.UTC().Format(time.DateOnly) != due.Format(time.DateOnly) {
		utc = due.UTC().Format("2006-01-02 15:04")
	}
	return fmt.Sprintf("%s %s (%s UTC)", due.Format("2006-01-02 15:04"), zone, utc)
}

// saveScreenshot writes a full-page PNG to the test's temporary folder, and
// also to DAYONE_SCREENSHOTS when that names a folder, for a person to look at.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot %s is not a PNG", name)
	}
	dirs := []string{t.TempDir()}
	if dir := os.Getenv("DAYONE_SCREENSHOTS"); dir != "" {
		dirs = append(dirs, dir)
	}
	for _, dir := range dirs {
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dayone/dayone/internal/testenv"
)

// skipRIEEnv names the variable that, set to 1, skips the emulator tests
// when aws-lambda-rie is not installed.
const skipRIEEnv = "DAYONE_SKIP_RIE"

const rieInstall = "go install github.com/aws/aws-lambda-runtime-interface-emulator/" +
	"cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// findRIE returns the path of aws-lambda-rie: on PATH, in GOBIN or in
// GOPATH/bin. When it is missing the test fails with a hint, or is skipped
// when DAYONE_SKIP_RIE=1.
func findRIE(t *testing.T) string {
	t.Helper()
	if path, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return path
	}
	for _, v := range []string{"GOBIN", "GOPATH"} {
		out, err := exec.Command("go", "env", v).Output()
		dir := strings.TrimSpace(string(out))
		if err != nil || dir == "" {
			continue
		}
		if v == "GOPATH" {
			dir = filepath.Join(filepath.SplitList(dir)[0], "bin")
		}
		path := filepath.Join(dir, "aws-lambda-rie")
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	msg := "aws-lambda-rie is not installed: run the README test command " +
		"(./scripts/test.sh), which installs it with `" + rieInstall + "`"
	if os.Getenv(skipRIEEnv) == "1" {
		t.Skipf("%s (skipped: %s=1)", msg, skipRIEEnv)
	}
	t.Fatalf("%s; or set %s=1 to skip this test", msg, skipRIEEnv)
	return ""
}

// emulator is aws-lambda-rie running a bootstrap on 127.0.0.1.
type emulator struct {
	endpoint  string // http://127.0.0.1:PORT, the Lambda API's base URL
	invokeURL string
	out       *testenv.SyncBuffer // the emulator's and the function's stdout and stderr
}

// startEmulator starts the emulator with exactly env (nothing inherited)
// and stops it, with the function it started, when the test ends.
func startEmulator(t *testing.T, rie, bootstrap string, env []string) *emulator {
	t.Helper()
	addr, apiAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr,
		"--runtime-api-address", apiAddr, bootstrap)
	cmd.Env = env
	cmd.Dir = filepath.Dir(bootstrap)
	out := &testenv.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group, so that the cleanup reaches the function too;
	// killed by the kernel should the test binary die first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}

	exited := startLocked(t, cmd)
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Errorf("the emulator did not exit after SIGKILL")
		}
		if t.Failed() {
			t.Logf("emulator output:\n%s", out)
		}
	})
	waitListening(t, addr, exited, out)
	return &emulator{
		endpoint:  "http://" + addr,
		invokeURL: "http://" + addr + "/2015-03-31/functions/function/invocations",
		out:       out,
	}
}

// startLocked starts cmd from a goroutine that keeps its OS thread while the
// child lives: Pdeathsig fires when the starting thread ends, not the process.
func startLocked(t *testing.T, cmd *exec.Cmd) <-chan error {
	t.Helper()
	started, exited := make(chan error, 1), make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		exited <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		t.Fatalf("start the emulator: %v", err)
	}
	return exited
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitListening polls addr until it accepts a connection.
func waitListening(t *testing.T, addr string, exited <-chan error, out *testenv.SyncBuffer) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("the emulator exited at once (%v):\n%s", err, out)
		default:
		}
		if conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			conn.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the emulator is not listening on %s after 15 s:\n%s", addr, out)
}

// invoke posts an event and returns the HTTP status and body.
func (e *emulator) invoke(t *testing.T, event []byte) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.invokeURL,
		bytes.NewReader(event))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// waitForOutput polls the emulator's output until it holds every string.
func (e *emulator) waitForOutput(want ...string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := e.out.String()
		missing := ""
		for _, w := range want {
			if !strings.Contains(out, w) {
				missing = w
				break
			}
		}
		switch {
		case missing == "":
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("the output lacks %q", missing)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

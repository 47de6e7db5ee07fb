package testenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// readyTimeout is how long dynalite may take to accept connections; it is
// ready in well under a second on the project's machines.
const readyTimeout = 15 * time.Second

// installHint tells how to install the test tools.
const installHint = "run ./scripts/test.sh (the README's test command) or " +
	"`npm ci --prefix tools`, or set " + SkipDynaliteEnv + "=1 to skip the tests that need it"

var dynalite struct {
	once     sync.Once
	endpoint string
	pid      int
	err      error
	missing  bool // the tools are not installed, as opposed to a failed start
}

// Dynalite returns the endpoint ("http://127.0.0.1:PORT") of a dynalite
// server that keeps its data in memory. The first call of a test binary
// starts it; it ends with the test binary. When dynalite is not installed
// the test fails with a hint, or is skipped when DAYONE_SKIP_DYNALITE=1.
func Dynalite(t testing.TB) string {
	t.Helper()
	dynalite.once.Do(startDynalite)
	failOrSkip(t, dynalite.err, dynalite.missing)
	return dynalite.endpoint
}

// failOrSkip ends the test when dynalite could not be started: skipped when
// it is not installed and DAYONE_SKIP_DYNALITE=1, failed otherwise.
func failOrSkip(t testing.TB, err error, missing bool) {
	t.Helper()
	switch {
	case missing && os.Getenv(SkipDynaliteEnv) == "1":
		t.Skipf("%v (skipped: %s=1)", err, SkipDynaliteEnv)
	case err != nil:
		t.Fatal(err)
	}
}

func startDynalite() {
	root, err := RepoRoot()
	if err != nil {
		dynalite.err = err
		return
	}
	cli, node, err := findDynalite(root)
	if err != nil {
		dynalite.err, dynalite.missing = err, true
		return
	}

	// A port picked by the kernel may be taken again before dynalite binds
	// it; a second try with a new port covers that.
	for try := 0; try < 3; try++ {
		dynalite.endpoint, dynalite.pid, dynalite.err = runDynalite(node, cli)
		if dynalite.err == nil {
			return
		}
	}
}

// findDynalite returns the paths of dynalite's cli.js in the repository at
// root and of node.
func findDynalite(root string) (cli, node string, err error) {
	cli = filepath.Join(root, "tools", "node_modules", "dynalite", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		return "", "", fmt.Errorf("testenv: dynalite is not installed (%s is missing): %s",
			cli, installHint)
	}
	node, err = exec.LookPath("node")
	if err != nil {
		return "", "", fmt.Errorf("testenv: node is not on PATH, dynalite needs it: %w", err)
	}
	return cli, node, nil
}

// runDynalite starts dynalite on a free loopback port and waits until it
// accepts connections.
func runDynalite(node, cli string) (endpoint string, pid int, err error) {
	port, err := freePort()
	if err != nil {
		return "", 0, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	// Tables leave the CREATING state after 50 ms instead of 500 ms, so that
	// a table per test stays cheap; the waiting code still runs.
	cmd := exec.Command(node, cli, "--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"--createTableMs", "50", "--deleteTableMs", "50")
	out := &SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	tieToParent(cmd)

	exited, err := startTied(cmd)
	if err != nil {
		return "", 0, fmt.Errorf("testenv: start dynalite: %w", err)
	}
	if err := waitListening(addr, exited); err != nil {
		cmd.Process.Kill()
		return "", 0, fmt.Errorf("testenv: dynalite on %s: %w; its output: %s",
			addr, err, out.String())
	}
	return "http://" + addr, cmd.Process.Pid, nil
}

// startTied starts cmd from a goroutine that keeps its OS thread for as long
// as the child runs. On Linux the kernel kills the child when the thread that
// started it ends (see tieToParent), so the child dies with the test binary,
// whether it passes, fails, panics or times out. The channel receives the
// child's exit.
func startTied(cmd *exec.Cmd) (<-chan error, error) {
	started := make(chan error, 1)
	exited := make(chan error, 1)
	go func() {
		// Never unlocked: a goroutine that ends locked takes its thread along,
		// which is what we want once the child is gone.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		exited <- cmd.Wait()
	}()
	return exited, <-started
}

// waitListening polls addr until it accepts a connection, the child exits or
// readyTimeout passes.
func waitListening(addr string, exited <-chan error) error {
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("exited early: %v", err)
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("not listening after " + readyTimeout.String())
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("testenv: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

package testenv

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func TestDynaliteAnswers(t *testing.T) {
	endpoint := Dynalite(t)
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
		t.Errorf("endpoint = %q, want one on 127.0.0.1", endpoint)
	}
	if again := Dynalite(t); again != endpoint {
		t.Errorf("second call = %q, want the same server %q", again, endpoint)
	}

	client := DynamoClient(t)
	if _, err := client.ListTables(t.Context(), &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("ListTables: %v", err)
	}
}

func TestTableNamesDiffer(t *testing.T) {
	a, b := TableName(t), TableName(t)
	if a == b {
		t.Errorf("two names are both %q", a)
	}
	if strings.ContainsAny(a, "/ ") || len(a) > 255 {
		t.Errorf("%q is not a valid table name", a)
	}
}

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "testenv", "testenv.go")); err != nil {
		t.Errorf("root %s does not hold this package: %v", root, err)
	}
}

func TestAWSTestEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "real-looking")
	AWSTestEnv(t)
	cfg, err := config.LoadDefaultConfig(t.Context())
	if err != nil {
		t.Fatalf("LoadDefaultConfig: %v", err)
	}
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	if creds.AccessKeyID != "test" || cfg.Region != TestRegion {
		t.Errorf("key %q in %q, want test in %s", creds.AccessKeyID, cfg.Region, TestRegion)
	}
	if os.Getenv("AWS_EC2_METADATA_DISABLED") != "true" {
		t.Error("the metadata service is not disabled")
	}
}

// helperEnv makes the test binary, run again by TestNoOrphan, start dynalite,
// print its pid and exit at once, skipping every cleanup.
const helperEnv = "TESTENV_ORPHAN_HELPER"

func TestOrphanHelper(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("run by TestNoOrphan only")
	}
	Dynalite(t)
	os.Stdout.WriteString("pid=" + strconv.Itoa(dynalite.pid) + "\n")
	os.Exit(3)
}

// A test binary that ends abruptly takes its dynalite along.
func TestNoOrphan(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal is Linux only")
	}
	Dynalite(t) // fails or skips here when dynalite is not installed
	cmd := exec.Command(os.Args[0], "-test.run=^TestOrphanHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("helper: %v, output %q", err, out)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(string(out), "pid=")))
	if err != nil || pid <= 0 {
		t.Fatalf("helper printed %q", out)
	}

	// The kernel kills the child as the helper exits; allow it a moment to
	// be reaped by init, and fail if it is still there.
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("dynalite (pid %d) outlived its test binary", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive reports whether pid is a running process (not a zombie).
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat))
	return len(fields) > 2 && fields[2] != "Z"
}

func TestMissingDynalite(t *testing.T) {
	_, _, err := findDynalite(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "npm ci --prefix tools") {
		t.Fatalf("err = %v, want a hint to run npm ci --prefix tools", err)
	}

	t.Setenv(SkipDynaliteEnv, "1")
	var skipped bool
	t.Run("skips", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		failOrSkip(t, err, true)
	})
	if !skipped {
		t.Errorf("with %s=1 a missing dynalite does not skip", SkipDynaliteEnv)
	}
}

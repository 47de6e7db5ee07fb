package web

import (
	"os"
	"os/exec"
	"regexp"
	"testing"
)

// templVersion is the templ CLI that generated the committed *_templ.go files.
const templVersion = "v0.3.1118"

// TestTemplVersionMatchesGoMod keeps the CLI pin and the library in step.
func TestTemplVersionMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github\.com/a-h/templ (v\S+)`).FindSubmatch(mod)
	if m == nil || string(m[1]) != templVersion {
		t.Fatalf("go.mod requires templ %q, the generated files come from %s", m, templVersion)
	}
}

// TestGeneratedTemplatesAreFresh fails when a .templ file changed without
// `templ generate`.
func TestGeneratedTemplatesAreFresh(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to run templ: %v", err)
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(goTool, "run", "github.com/a-h/templ/cmd/templ@"+templVersion,
		"generate", "-check", "-path", dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("generated templ files are stale or broken; run "+
			"`go run github.com/a-h/templ/cmd/templ@%s generate` in web/: %v\n%s",
			templVersion, err, out)
	}
}

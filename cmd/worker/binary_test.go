package main

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// buildWorker builds this package for linux/goarch as the deployment does
// and returns the binary's path.
func buildWorker(t *testing.T, goarch string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command(goTool, "build", "-tags", "lambda.norpc", "-trimpath",
		"-ldflags=-s -w", "-o", out, ".")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0")

	start := time.Now()
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build for linux/%s: %v\n%s", goarch, err, msg)
	}
	t.Logf("built linux/%s in %s", goarch, time.Since(start).Round(time.Millisecond))
	return out
}

// assertEmbedsZoneDB checks that the binary carries the zone database of
// time/tzdata (C8): it finds the embedded zip and reads Europe/Berlin from
// it. A zone lookup alone cannot prove this on a host that has
// /usr/share/zoneinfo, as Go falls back to it.
func assertEmbedsZoneDB(t *testing.T, path string) {
	t.Helper()
	bin, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := embeddedZip(bin)
	if err != nil {
		t.Fatalf("%s embeds no zone database: %v", path, err)
	}
	f, err := db.Open("Europe/Berlin")
	if err != nil {
		t.Fatalf("the embedded zone database lacks Europe/Berlin: %v", err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocationFromTZData("Europe/Berlin", data)
	if err != nil {
		t.Fatal(err)
	}
	got := time.Date(2027, 7, 1, 9, 0, 0, 0, loc).UTC().Format(time.RFC3339)
	if got != "2027-07-01T07:00:00Z" {
		t.Errorf("09:00 Europe/Berlin on 2027-07-01 is %s by the embedded data; want 07:00Z", got)
	}
}

// embeddedZip finds a zip archive inside bin by its end-of-central-directory
// record and opens it.
func embeddedZip(bin []byte) (*zip.Reader, error) {
	const eocdLen = 22
	sig := []byte("PK\x05\x06")
	for end := len(bin); ; {
		i := bytes.LastIndex(bin[:end], sig)
		if i < 0 || i+eocdLen > len(bin) {
			return nil, errors.New("no zip archive found")
		}
		end = i
		size := int(binary.LittleEndian.Uint32(bin[i+12:]))
		offset := int(binary.LittleEndian.Uint32(bin[i+16:]))
		start := i - size - offset
		if start < 0 {
			continue
		}
		archive := bin[start : i+eocdLen]
		r, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
		if err == nil && hasFile(r, "Europe/Berlin") {
			return r, nil
		}
	}
}

func hasFile(r *zip.Reader, name string) bool {
	for _, f := range r.File {
		if f.Name == name {
			return true
		}
	}
	return false
}

// TestDeploymentBuild cross-compiles the worker as scripts/build-lambda.sh
// does for provided.al2023 on arm64.
func TestDeploymentBuild(t *testing.T) {
	path := buildWorker(t, "arm64")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("bootstrap for linux/arm64: %.1f MB (%d bytes)",
		float64(info.Size())/(1<<20), info.Size())

	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s is not an ELF file: %v", path, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 || f.Type != elf.ET_EXEC {
		t.Errorf("%s is a %s %s; want an arm64 executable", path, f.Machine, f.Type)
	}
	assertEmbedsZoneDB(t, path)
}

//go:build !linux

package testenv

import "os/exec"

// tieToParent does nothing where the kernel has no parent-death signal.
//
// TODO(portability): on macOS a dynalite started by a test binary that is
// killed outright outlives it; the project's machines and CI run Linux.
func tieToParent(cmd *exec.Cmd) {}

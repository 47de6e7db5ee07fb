package testenv

import (
	"os/exec"
	"syscall"
)

// tieToParent makes the kernel kill the child when the thread that started
// it ends, which happens at the latest when the test binary exits.
func tieToParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
)

var execBin = regexp.MustCompile(`(?m)^(ExecStart=[-@+!:]*)\S*/clicktrail\b`)

// verifyUnits runs `systemd-analyze verify` on copies of the units whose
// ExecStart names bin (the installed path does not exist here). Without
// systemd-analyze it says why it skipped.
func verifyUnits(dir, bin string) []error {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		fmt.Println("skip  systemd-analyze verify: systemd-analyze is not installed (apt-get install systemd)")
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.service"))
	if len(files) == 0 {
		return []error{errors.New(dir + ": no units")}
	}
	tmp, err := os.MkdirTemp("", "deploycheck-units-")
	if err != nil {
		return []error{err}
	}
	defer os.RemoveAll(tmp)
	args := []string{"verify", "--man=no"}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return []error{err}
		}
		out := filepath.Join(tmp, filepath.Base(f))
		if err := os.WriteFile(out, execBin.ReplaceAll(b, []byte("${1}"+bin)), 0o644); err != nil {
			return []error{err}
		}
		args = append(args, out)
	}
	cmd := exec.Command(sa, args...)
	b, err := cmd.CombinedOutput()
	if err != nil || len(b) > 0 {
		return []error{fmt.Errorf("systemd-analyze verify: %v\n%s", err, b)}
	}
	return nil
}

package app

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// explainLocked turns the error of opening a pebble database that another
// process holds (its LOCK file's lock: EAGAIN; pebble's own message when
// this process holds it) into one that says so, with the holder's pid
// when the system tells it; other errors are returned as they are.
func explainLocked(dataDir string, err error) error {
	if err == nil || !(errors.Is(err, syscall.EAGAIN) || strings.Contains(err.Error(), "lock held by current process")) {
		return err
	}
	who := "another clicktrail process"
	if pid := lockHolder(dataDir); pid > 0 && pid != os.Getpid() {
		who += fmt.Sprintf(" (pid %d)", pid)
	}
	return fmt.Errorf("data directory %s is in use by %s: stop it, or give this one another --data-dir (%w)", dataDir, who, err)
}

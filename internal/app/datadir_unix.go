//go:build linux

package app

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockHolder returns the pid that holds a lock on a pebble LOCK file in
// dataDir or one level below (links/, spool/, webhooks/, ...), as
// /proc/locks says; 0 when none is found.
func lockHolder(dataDir string) int {
	inodes := map[uint64]bool{}
	for _, pattern := range []string{"LOCK", "*/LOCK"} {
		paths, _ := filepath.Glob(filepath.Join(dataDir, pattern))
		for _, p := range paths {
			if fi, err := os.Stat(p); err == nil {
				if st, ok := fi.Sys().(*syscall.Stat_t); ok {
					inodes[st.Ino] = true
				}
			}
		}
	}
	f, err := os.Open("/proc/locks")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 1: POSIX  ADVISORY  WRITE 4242 08:01:1234567 0 EOF
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 {
			continue
		}
		dev := strings.Split(fields[5], ":")
		ino, err := strconv.ParseUint(dev[len(dev)-1], 10, 64)
		if err != nil || !inodes[ino] {
			continue
		}
		if pid, err := strconv.Atoi(fields[4]); err == nil {
			return pid
		}
	}
	return 0
}

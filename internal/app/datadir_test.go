package app

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

const holdPebbleEnv = "CLICKTRAIL_TEST_HOLD_PEBBLE"

// TestHoldPebbleHelper is not a test: run by TestDataDirInUse as another
// process, it holds the pebble database named by holdPebbleEnv until its
// standard input closes.
func TestHoldPebbleHelper(t *testing.T) {
	dir := os.Getenv(holdPebbleEnv)
	if dir == "" {
		t.Skip("helper process of TestDataDirInUse")
	}
	db, err := pebble.Open(dir, &pebble.Options{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	bufio.NewReader(os.Stdin).ReadString('\n')
	db.Close()
	os.Exit(0)
}

// TestDataDirInUse starts dev on a data directory whose webhook registry
// another process holds: the error says the directory is in use, by which
// pid, instead of "resource temporarily unavailable".
func TestDataDirInUse(t *testing.T) {
	dev := webhookDev(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldPebbleHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), holdPebbleEnv+"="+filepath.Join(dev.DataDir, "webhooks"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper: %q", line)
	}
	err = RunDev(context.Background(), dev)
	want := fmt.Sprintf("data directory %s is in use by another clicktrail process (pid %d)", dev.DataDir, cmd.Process.Pid)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("RunDev on a held data dir: %v\nwant it to say %q", err, want)
	}
}

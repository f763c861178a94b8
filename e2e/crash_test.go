package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/client"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
)

// TestKill9LosesNoServedClick checks the redirect path's durability promise
// against a real process crash: every click that got its 302 before the
// `clicktrail dev` process was killed with SIGKILL reaches
// <data-dir>/clicks.jsonl once the process is restarted on the same data
// directory. It needs no servers (dev runs the whole pipeline in one process
// over the local spool), so it always runs.
//
// Two spool modes:
//
//   - always: the spool syncs its WAL before Append returns, so a 302 implies
//     the click is on disk. Enrich and the sink take small, quick batches,
//     and the process is killed right after the last 302, while they are
//     still working through the spool.
//   - interval (the default, 5ms): Append returns before the WAL is synced,
//     so the clicks of the last flush window are only in the process's
//     memory. How many that is depends on scheduling and cannot be asserted
//     exactly. What is exact: once a flush interval has passed, the WAL
//     records are in the kernel, and a process crash (unlike a power loss,
//     which this test does not simulate) cannot take them back. So the test
//     waits 100ms (20 flush intervals) after the last 302 before the kill and
//     then asserts that all clicks are present. The batches are large and
//     slow here, so at the kill the clicks are in the spool only and every
//     one must be recovered from it.
//
// The count is of distinct event ids: the jsonl sink does not deduplicate and
// delivery is at-least-once, so a batch in flight at the kill may be written
// twice.
func TestKill9LosesNoServedClick(t *testing.T) {
	bin := buildClicktrail(t)
	cases := []struct {
		name       string
		syncMode   string
		batch      []string      // enrich and sink batch flags
		settleWait time.Duration // between the last 302 and the kill
	}{
		{
			name: "sync always, kill at once", syncMode: "always",
			batch: []string{"--batch-max-records", "20", "--batch-max-wait", "5ms"},
		},
		{
			name: "sync interval, kill after 100ms", syncMode: "interval",
			batch:      []string{"--batch-max-records", "10000", "--batch-max-wait", "1m"},
			settleWait: 100 * time.Millisecond,
		},
	}
	const clicks = 300
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dataDir := t.TempDir()
			args := append([]string{"--spool-sync", tc.syncMode}, tc.batch...)
			p := startDev(t, bin, dataDir, args...)
			l := createLink(t, p.apiURL, client.CreateLinkRequest{
				DestinationURL: "https://shop.example.com/crash",
				Path:           "crash",
			})
			for i := range clicks {
				if status, _ := click(t, p.redirectURL, "go.brand.test", "crash"); status != http.StatusFound {
					t.Fatalf("click %d: status %d, want 302", i, status)
				}
			}
			time.Sleep(tc.settleWait)
			p.kill9(t)
			t.Logf("before restart: %d of %d clicks in clicks.jsonl", len(eventIDs(t, dataDir, l.ID)), clicks)

			// The restarted process takes quick batches whatever the case.
			p = startDev(t, bin, dataDir, "--spool-sync", tc.syncMode,
				"--batch-max-records", "100", "--batch-max-wait", "5ms")
			testutil.Eventually(t, fmt.Sprintf("%d distinct clicks of %s in clicks.jsonl", clicks, l.ID), func() (bool, string) {
				n := len(eventIDs(t, dataDir, l.ID))
				return n >= clicks, fmt.Sprintf("%d distinct event ids", n)
			}, testutil.Timeout(45*time.Second), pollEvery)
			p.stop(t)
			if n := len(eventIDs(t, dataDir, l.ID)); n != clicks {
				t.Fatalf("%d distinct event ids for %s, want exactly %d (one per served click)", n, l.ID, clicks)
			}
		})
	}
}

// buildClicktrail builds the clicktrail binary into a temp dir.
func buildClicktrail(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to build clicktrail: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "clicktrail")
	cmd := exec.Command(goBin, "build", "-o", bin, "github.com/clicktrail/clicktrail/cmd/clicktrail")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build clicktrail: %v\n%s", err, out)
	}
	return bin
}

// devProcess is a `clicktrail dev` subprocess.
type devProcess struct {
	cmd         *exec.Cmd
	out         *testenv.Buffer
	exited      chan struct{} // closed when the process has been waited for
	waitErr     error         // set before exited is closed
	redirectURL string
	apiURL      string
}

// startDev starts `clicktrail dev` on dataDir with extra flags and returns
// once both its listeners answer HTTP. The process is killed at cleanup if
// still running.
func startDev(t *testing.T, bin, dataDir string, extra ...string) *devProcess {
	t.Helper()
	redirectAddr, apiAddr := freeAddr(t), freeAddr(t)
	p := &devProcess{
		out:         &testenv.Buffer{},
		exited:      make(chan struct{}),
		redirectURL: "http://" + redirectAddr,
		apiURL:      "http://" + apiAddr,
	}
	args := append([]string{"dev", "--data-dir", dataDir,
		"--redirect-addr", redirectAddr, "--api-addr", apiAddr, "--api-key", apiKey,
		"--default-domain", "go.brand.test"}, extra...)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start clicktrail dev: %v", err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
	})
	testutil.Eventually(t, "clicktrail dev to serve", func() (bool, string) {
		select {
		case <-p.exited:
			t.Fatalf("clicktrail dev exited early: %v\n%s", p.waitErr, p.out)
		default:
		}
		return answers(p.redirectURL) && answers(p.apiURL+"/v1/links"), "not answering yet"
	}, testutil.Timeout(30*time.Second), pollEvery)
	return p
}

// kill9 sends SIGKILL and waits for the process to be gone.
func (p *devProcess) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 clicktrail dev: %v", err)
	}
	<-p.exited
}

// stop asks the process to shut down (SIGTERM) and fails the test if it
// does not exit cleanly.
func (p *devProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("stop clicktrail dev: %v", err)
	}
	select {
	case <-p.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("clicktrail dev did not exit within 60s of SIGTERM\n%s", p.out)
	}
	if p.waitErr != nil {
		t.Fatalf("clicktrail dev exited with %v\n%s", p.waitErr, p.out)
	}
}

// answers reports whether url gets any HTTP answer.
func answers(url string) bool {
	resp, err := noFollow.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

// freeAddr returns a loopback address with a port that was free a moment
// ago (dev takes fixed addresses, so the port is found by binding :0).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// eventIDs returns the distinct event ids of linkID's clicks in
// <dataDir>/clicks.jsonl.
//
// A SIGKILL can land in the middle of the sink's write, leaving a torn line
// without its newline; the restarted sink then appends its first line to
// the fragment. Such a batch was never acknowledged and is delivered again,
// but the line that got glued to the fragment is still a valid record, so
// it is recovered from its last `{"v":` rather than dropped.
func eventIDs(t *testing.T, dataDir, linkID string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "clicks.jsonl"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var c struct {
			EventID string `json:"event_id"`
			LinkID  string `json:"link_id"`
		}
		if json.Unmarshal(line, &c) != nil {
			i := bytes.LastIndex(line, []byte(`{"v":`))
			if i <= 0 || json.Unmarshal(line[i:], &c) != nil {
				continue // a torn last line still being written
			}
		}
		if c.LinkID == linkID && c.EventID != "" {
			ids[c.EventID] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read clicks.jsonl: %v", err)
	}
	return ids
}

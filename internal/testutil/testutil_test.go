package testutil

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	c := NewClock(t0)
	if !c.Now().Equal(t0) {
		t.Fatalf("Now = %v", c.Now())
	}
	c.Advance(90 * time.Second)
	if got := c.Now(); !got.Equal(t0.Add(90 * time.Second)) {
		t.Fatalf("after Advance: %v", got)
	}
	c.Set(t0.Add(-time.Hour))
	if got := c.Now(); !got.Equal(t0.Add(-time.Hour)) {
		t.Fatalf("after Set: %v", got)
	}
	var zero Clock // usable as a zero value
	zero.Advance(time.Second)
	if zero.Now() != (time.Time{}).Add(time.Second) {
		t.Fatalf("zero clock after Advance: %v", zero.Now())
	}
}

func TestClockIsSafeForConcurrentUse(t *testing.T) {
	c := NewClock(time.Unix(0, 0))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				c.Advance(time.Millisecond)
				c.Now()
			}
		})
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(time.Unix(8, 0)) {
		t.Fatalf("Now = %v, want 8 s after the epoch", got)
	}
}

func TestWaitForReturnsOnceTheConditionHolds(t *testing.T) {
	n := 0
	WaitFor(t, "three polls", func() bool { n++; return n == 3 }, Every(time.Microsecond))
	if n != 3 {
		t.Fatalf("polled %d times, want 3", n)
	}
}

func TestPollTimesOutWithTheLastState(t *testing.T) {
	n := 0
	msg, ok := poll("the impossible", func() (bool, string) { n++; return false, "still no" },
		[]WaitOption{Timeout(0), Every(time.Microsecond)})
	if ok || msg != "timed out waiting for the impossible (last: still no)" || n != 1 {
		t.Fatalf("= %q, %v after %d polls", msg, ok, n)
	}
	if msg, _ := poll("x", func() (bool, string) { return false, "" }, []WaitOption{Timeout(0)}); msg != "timed out waiting for x" {
		t.Fatalf("= %q", msg)
	}
}

func TestFindSecrets(t *testing.T) {
	const secret = "ctk_0123456789abSECRETSECRETSECRETSECRET12"
	dir := t.TempDir()
	for i, prefix := range []string{"", "x", "xy"} {
		// JSON encodes []byte as standard base64, at any offset in a record.
		rec, _ := json.Marshal(map[string][]byte{"body": []byte(prefix + `{"key":"` + secret + `"}`)})
		if err := os.WriteFile(filepath.Join(dir, "rec"+strconv.Itoa(i)), rec, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "clean"), []byte("nothing here"), 0o600); err != nil {
		t.Fatal(err)
	}
	found, err := FindSecrets(dir, map[string][]byte{"log": []byte("key=" + hex.EncodeToString([]byte(secret)))}, secret)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 4 {
		t.Fatalf("found %d: %q; want the three records and the log", len(found), found)
	}
}

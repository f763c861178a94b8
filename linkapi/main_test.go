package linkapi

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/clicktrail/clicktrail/redirect/redirecttest"
	"github.com/clicktrail/clicktrail/schemas"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The fixtures of redirect's tests, for the API's tests that also run the
// redirector (QR scans, click ids), are redirect/redirecttest's.

const testDomain = redirecttest.Domain

var testNow = time.Date(2026, 11, 23, 12, 30, 0, 0, time.UTC)

var (
	openTestStore = redirecttest.OpenStore
	testLink      = redirecttest.Link
	mustCreate    = redirecttest.MustCreate
	noFollow      = redirecttest.NoFollow
	fetch         = redirecttest.Fetch
)

// memClickLog is a redirect.ClickLog in memory.
type memClickLog struct {
	mu   sync.Mutex
	recs [][]byte
}

func (m *memClickLog) Append(_ string, _, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, bytes.Clone(value)) // ClickLog must not keep value
	return nil
}

func lastClick(t *testing.T, clicks *memClickLog) *schemas.RawClick {
	t.Helper()
	clicks.mu.Lock()
	defer clicks.mu.Unlock()
	if len(clicks.recs) == 0 {
		t.Fatal("no click recorded")
	}
	c, err := schemas.DecodeRawClick(clicks.recs[len(clicks.recs)-1])
	if err != nil {
		t.Fatalf("recorded click does not decode: %v", err)
	}
	return c
}

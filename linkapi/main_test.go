package linkapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/schemas"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The fixtures below are those of redirect's tests, for the API's tests
// that also run the redirector (QR scans, click ids).

const testDomain = "go.example.com"

var testNow = time.Date(2026, 11, 23, 12, 30, 0, 0, time.UTC)

func openTestStore(t testing.TB, opts redirect.StoreOptions) (*redirect.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := redirect.OpenStore(dir, opts)
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, dir
}

// testLink returns a valid link at testDomain/path.
func testLink(path string) *redirect.Link {
	created := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	return &redirect.Link{
		ID: redirect.NewLinkID(), WorkspaceID: redirect.DefaultWorkspaceID, Domain: testDomain, Path: path,
		DestinationURL: "https://shop.example.org/spring?ref=mail",
		UTM:            schemas.UTM{Source: "newsletter", Medium: "email", Campaign: "spring 26"},
		Tags:           []string{"spring"}, Metadata: map[string]string{"contact_id": "c_42"},
		CreatedAt: created, UpdatedAt: created, RedirectCode: 302,
	}
}

func mustCreate(t testing.TB, s *redirect.Store, l *redirect.Link) {
	t.Helper()
	if err := s.Create(context.Background(), l); err != nil {
		t.Fatalf("Create(%s): %v", l.Path, err)
	}
}

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

// noFollow is a client that does not follow redirects.
func noFollow(t *testing.T) *http.Client {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// fetch makes a request with User-Agent ua and returns the answer and its
// body.
func fetch(t *testing.T, c *http.Client, method, url, ua string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ua != "" {
		req.Header.Set("User-Agent", ua)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

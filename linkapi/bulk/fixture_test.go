package bulk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/cockroachdb/pebble/v2"
)

// bulkFixture is the link API with a job runner over a real pebble store
// in a temporary directory, served over real HTTP; restart closes and
// reopens all three on the same directory.
type bulkFixture struct {
	t      *testing.T
	dir    string
	jobs   Config
	store  *redirect.Store
	runner *Runner
	srv    *httptest.Server

	mu     sync.Mutex
	events []string // "link.created lnk_..." and "job.succeeded job_..."
	hook   func(eventType string)
}

func newBulkFixture(t *testing.T, jobs Config) *bulkFixture {
	t.Helper()
	f := &bulkFixture{t: t, dir: t.TempDir(), jobs: jobs}
	f.open()
	t.Cleanup(f.close)
	return f
}

func (f *bulkFixture) open() {
	t := f.t
	t.Helper()
	s, err := redirect.OpenStore(f.dir, redirect.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.store = s
	jobs := f.jobs
	jobs.OnJobEvent = func(typ string, j *Job) { f.record(typ + " " + j.ID) }
	cfg := linkapi.APIConfig{
		Store: s, APIKeys: []string{testKey}, DefaultDomain: testDomain,
		RateLimit: linkapi.RateLimitConfig{PerSecond: -1},
		Now:       func() time.Time { return time.Now().UTC() },
		OnLinkEvent: func(typ string, l *redirect.Link) {
			f.record(typ + " " + l.ID)
		},
		Destinations: linkapi.DestinationPolicy{Resolve: func(_ context.Context, host string) ([]netip.Addr, error) {
			switch host {
			case "intranet.example.org":
				return []netip.Addr{netip.MustParseAddr("10.0.0.1")}, nil
			case "nowhere.example":
				return nil, errors.New("no such host")
			}
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		}},
	}
	if f.runner, err = NewRunner(cfg, jobs); err != nil {
		t.Fatal(err)
	}
	jobs.Runner = f.runner
	if cfg.Routes, err = Routes(cfg, jobs); err != nil {
		t.Fatal(err)
	}
	h, err := linkapi.NewAPI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(h)
	f.runner.Start()
}

func (f *bulkFixture) close() {
	if f.srv != nil {
		f.srv.Close()
	}
	if f.runner != nil {
		f.runner.Close()
	}
	if err := f.store.Close(); err != nil {
		f.t.Errorf("close store: %v", err)
	}
}

func (f *bulkFixture) restart() {
	f.close()
	f.open()
}

func (f *bulkFixture) record(e string) {
	f.mu.Lock()
	f.events = append(f.events, e)
	hook := f.hook
	f.mu.Unlock()
	if hook != nil {
		hook(e)
	}
}

func (f *bulkFixture) countEvents(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, e := range f.events {
		if strings.HasPrefix(e, prefix) {
			n++
		}
	}
	return n
}

// call sends a request with key (testKey when empty) and returns the
// status and body.
func (f *bulkFixture) call(method, path, key string, body []byte) (int, []byte, http.Header) {
	f.t.Helper()
	if key == "" {
		key = testKey
	}
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.StatusCode, out, resp.Header
}

// post posts a bulk body and returns the 202 answer.
func (f *bulkFixture) post(key string, body any) createdJobResponse {
	f.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		f.t.Fatal(err)
	}
	code, out, h := f.call("POST", "/v1/links/bulk", key, b)
	if code != http.StatusAccepted {
		f.t.Fatalf("POST /v1/links/bulk: %d %s", code, out)
	}
	var resp createdJobResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		f.t.Fatal(err)
	}
	if want := "/v1/jobs/" + resp.ID; h.Get("Location") != want {
		f.t.Errorf("Location = %q, want %q", h.Get("Location"), want)
	}
	return resp
}

// wait polls the job until it is done, up to a generous deadline.
func (f *bulkFixture) wait(key, id string) Job {
	f.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		code, out, _ := f.call("GET", "/v1/jobs/"+id, key, nil)
		if code != http.StatusOK {
			f.t.Fatalf("GET job: %d %s", code, out)
		}
		var j Job
		if err := json.Unmarshal(out, &j); err != nil {
			f.t.Fatal(err)
		}
		if j.Done() {
			return j
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("job %s not done by the deadline: %s", id, out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// items returns every outcome of the job (status filter optional).
func (f *bulkFixture) items(key, id, status string) []JobItem {
	f.t.Helper()
	var all []JobItem
	cursor := ""
	for {
		q := "?limit=7"
		if status != "" {
			q += "&status=" + status
		}
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		code, out, _ := f.call("GET", "/v1/jobs/"+id+"/items"+q, key, nil)
		if code != http.StatusOK {
			f.t.Fatalf("GET items: %d %s", code, out)
		}
		var page jobItemsResponse
		if err := json.Unmarshal(out, &page); err != nil {
			f.t.Fatal(err)
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}

// newKey creates an API key of workspace ws with scopes.
func (f *bulkFixture) newKey(ws string, scopes ...string) string {
	f.t.Helper()
	ctx := context.Background()
	if ws != redirect.DefaultWorkspaceID {
		if _, err := tenancy.NewStore(f.store).GetWorkspace(ctx, ws); err != nil {
			if err := tenancy.NewStore(f.store).CreateWorkspace(ctx, &tenancy.Workspace{ID: ws, Name: ws, CreatedAt: time.Now()}); err != nil {
				f.t.Fatal(err)
			}
		}
	}
	k, token := tenancy.NewAPIKey(ws, "test", scopes, "bootstrap_0", time.Now())
	if err := tenancy.NewStore(f.store).CreateAPIKey(ctx, k); err != nil {
		f.t.Fatal(err)
	}
	return token
}

// countLinks counts the links in the store: its "i/<id>" index keys (see
// redirect.Store).
func countLinks(t testing.TB, s *redirect.Store) int {
	t.Helper()
	it, err := s.DB().NewIter(&pebble.IterOptions{LowerBound: []byte("i/"), UpperBound: []byte("i0")})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	return n
}

// item is a bulk item body.
func item(dest, path string, extra ...any) map[string]any {
	m := map[string]any{"destination_url": dest}
	if path != "" {
		m["path"] = path
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[fmt.Sprint(extra[i])] = extra[i+1]
	}
	return m
}

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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/netguard"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/audit"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/redirect/redirecttest"
	"github.com/clicktrail/clicktrail/webhooksig"
)

func TestBulkHappyPath(t *testing.T) {
	f := newBulkFixture(t, Config{})
	job := f.post("", map[string]any{"items": []any{
		item("https://shop.example.org/a", "spring-a"),
		item("https://shop.example.org/b", "spring-b", "tags", []string{"spring"}),
		item("https://shop.example.org/c", ""), // generated path
	}})
	if job.Status != JobQueued || job.Total != 3 || !strings.HasPrefix(job.ID, "job_") || job.CallbackSecret != "" {
		t.Fatalf("202 answer = %+v", job)
	}
	done := f.wait("", job.ID)
	if done.Status != JobSucceeded || done.Created != 3 || done.Processed != 3 || done.Failed != 0 || done.StartedAt == nil || done.FinishedAt == nil {
		t.Fatalf("job = %+v", done)
	}
	items := f.items("", job.ID, "")
	if len(items) != 3 {
		t.Fatalf("items = %+v", items)
	}
	for i, it := range items {
		if it.Index != i || it.Status != ItemCreated || it.LinkID == "" || !strings.HasPrefix(it.ShortURL, "https://"+testDomain+"/") {
			t.Errorf("item %d = %+v", i, it)
		}
		path := strings.TrimPrefix(it.ShortURL, "https://"+testDomain+"/")
		if l, ok := f.store.Lookup(testDomain, path); !ok || l.ID != it.LinkID {
			t.Errorf("item %d: lookup %s = %v, %v", i, path, l, ok)
		}
	}
	if n := f.countEvents("link.created "); n != 3 {
		t.Errorf("link.created events = %d, want 3", n)
	}
	// OnJobEvent runs after the job's end is durable, so it may come just
	// after GET shows it.
	for deadline := time.Now().Add(time.Minute); f.countEvents("job.succeeded "+job.ID) != 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("job.succeeded events = %d, want 1", f.countEvents("job.succeeded "+job.ID))
		}
	}
	recs, _, err := audit.NewLog(f.store).Query(context.Background(), audit.Query{WorkspaceID: redirect.DefaultWorkspaceID, Action: linkapi.EventLinkCreated})
	if err != nil || len(recs) != 3 || recs[0].KeyID != "bootstrap_1" || recs[0].RemoteAddr != "127.0.0.0/24" {
		t.Errorf("audit = %+v, %v", recs, err)
	}
	if raw, err := newJobStore(f.store).jobChunk(job.ID, 0); err == nil {
		t.Errorf("the raw items of a finished job are still stored: %d items", len(raw))
	}
}

func TestBulkPerItemErrors(t *testing.T) {
	f := newBulkFixture(t, Config{})
	redirecttest.MustCreate(t, f.store, redirecttest.Link("taken"))
	items := []any{
		item("https://shop.example.org/ok", "ok"),
		item("ftp://shop.example.org/x", ""),
		item("https://intranet.example.org/", ""),
		item("http://127.0.0.1/admin", ""),
		item("https://shop.example.org/t", "taken"),
		item("https://shop.example.org/d", "", "domain", "other.example.net"),
		5,
		map[string]any{"destination_url": 3},
		item("https://shop.example.org/u", "", "color", "red"),
		item("https://shop.example.org/k", "", "idempotency_key", ""),
	}
	job := f.post("", map[string]any{"items": items})
	done := f.wait("", job.ID)
	if done.Status != JobSucceeded || done.Created != 1 || done.Failed != len(items)-1 || len(done.Errors) != len(items)-1 {
		t.Fatalf("job = %+v", done)
	}
	want := map[int][2]string{ // index -> code, field
		1: {linkapi.CodeInvalidField, "items[1].destination_url"},
		2: {linkapi.CodeDestinationRefused, "items[2].destination_url"},
		3: {linkapi.CodeDestinationRefused, "items[3].destination_url"},
		4: {linkapi.CodePathTaken, "items[4].path"},
		5: {linkapi.CodeDomainNotAllowed, "items[5].domain"},
		6: {linkapi.CodeInvalidJSON, "items[6]"},
		7: {linkapi.CodeInvalidField, "items[7].destination_url"},
		8: {linkapi.CodeUnknownField, "items[8].color"},
		9: {linkapi.CodeInvalidField, "items[9].idempotency_key"},
	}
	failed := f.items("", job.ID, ItemFailed)
	if len(failed) != len(want) {
		t.Fatalf("failed items = %+v", failed)
	}
	for _, it := range failed {
		w, ok := want[it.Index]
		if !ok || it.Error == nil || it.Error.Code != w[0] || it.Error.Field != w[1] {
			t.Errorf("item %d: error %+v, want %v", it.Index, it.Error, w)
		}
	}
	if it := failed[3]; it.Error.ExistingID == "" {
		t.Errorf("path_taken without existing_id: %+v", it.Error)
	}
	if it := failed[1]; it.Error.Rule != linkapi.RulePrivateAddress {
		t.Errorf("private destination: rule %q", it.Error.Rule)
	}
	if created := f.items("", job.ID, ItemCreated); len(created) != 1 || created[0].Index != 0 {
		t.Errorf("created items = %+v", created)
	}
}

func TestBulkRerunWithItemKeysCreatesNothing(t *testing.T) {
	f := newBulkFixture(t, Config{})
	var items []any
	for i := range 25 {
		items = append(items, item(fmt.Sprintf("https://shop.example.org/%d", i), "", "idempotency_key", fmt.Sprintf("sku-%d", i)))
	}
	items = append(items, item("https://shop.example.org/dup", "", "idempotency_key", "sku-3")) // same key in one job
	first := f.wait("", f.post("", map[string]any{"items": items}).ID)
	if first.Created != 25 || first.Existing != 1 {
		t.Fatalf("first job = %+v", first)
	}
	firstItems := f.items("", first.ID, "")
	if firstItems[25].LinkID != firstItems[3].LinkID || firstItems[25].Status != ItemExisting {
		t.Errorf("duplicate key in one job: %+v vs %+v", firstItems[25], firstItems[3])
	}
	before := countLinks(t, f.store)
	second := f.wait("", f.post("", map[string]any{"items": items}).ID)
	if second.Created != 0 || second.Existing != 26 || second.Failed != 0 {
		t.Fatalf("rerun = %+v", second)
	}
	if after := countLinks(t, f.store); after != before {
		t.Errorf("links %d -> %d after a rerun", before, after)
	}
	for i, it := range f.items("", second.ID, "") {
		if it.LinkID != firstItems[i].LinkID || it.ShortURL != firstItems[i].ShortURL {
			t.Errorf("item %d: rerun reports %s %s, first run %s %s", i, it.LinkID, it.ShortURL, firstItems[i].LinkID, firstItems[i].ShortURL)
		}
	}
	// Another workspace's key space is its own.
	ws := tenancy.NewWorkspaceID()
	other := f.newKey(ws, tenancy.ScopeLinksWrite, tenancy.ScopeLinksRead)
	if j := f.wait(other, f.post(other, map[string]any{"items": items[:3]}).ID); j.Created != 3 {
		t.Errorf("other workspace, same keys: %+v", j)
	}
}

func TestBulkPathConflictsInOneJob(t *testing.T) {
	f := newBulkFixture(t, Config{})
	job := f.wait("", f.post("", map[string]any{"on_conflict": "suffix", "items": []any{
		item("https://shop.example.org/1", "deal"),
		item("https://shop.example.org/2", "deal"),
		item("https://shop.example.org/3", "deal"),
		item("https://shop.example.org/4", "solo", "on_conflict", "error"),
		item("https://shop.example.org/5", "solo", "on_conflict", "error"),
	}}).ID)
	if job.Created != 4 || job.Failed != 1 {
		t.Fatalf("job = %+v", job)
	}
	var urls []string
	for _, it := range f.items("", job.ID, ItemCreated) {
		urls = append(urls, strings.TrimPrefix(it.ShortURL, "https://"+testDomain+"/"))
	}
	if got := strings.Join(urls, " "); got != "deal deal-2 deal-3 solo" {
		t.Errorf("paths = %s", got)
	}
	if f := f.items("", job.ID, ItemFailed); len(f) != 1 || f[0].Index != 4 || f[0].Error.Code != linkapi.CodePathTaken {
		t.Errorf("failed = %+v", f)
	}
}

func TestBulkWorkspaceIsolationAndScopes(t *testing.T) {
	f := newBulkFixture(t, Config{})
	wsA, wsB := tenancy.NewWorkspaceID(), tenancy.NewWorkspaceID()
	keyA := f.newKey(wsA, tenancy.ScopeLinksWrite, tenancy.ScopeLinksRead)
	keyB := f.newKey(wsB, tenancy.ScopeLinksWrite, tenancy.ScopeLinksRead)
	readOnlyA := f.newKey(wsA, tenancy.ScopeLinksRead)
	job := f.post(keyA, map[string]any{"items": []any{item("https://shop.example.org/a", "a")}})
	f.wait(keyA, job.ID)

	for _, path := range []string{"/v1/jobs/" + job.ID, "/v1/jobs/" + job.ID + "/items", "/v1/jobs/job_0000000000000000"} {
		if code, out, _ := f.call("GET", path, keyB, nil); code != http.StatusNotFound || bytes.Contains(out, []byte(job.ID)) {
			t.Errorf("workspace B GET %s: %d %s", path, code, out)
		}
	}
	if code, out, _ := f.call("GET", "/v1/jobs/"+job.ID, readOnlyA, nil); code != http.StatusOK {
		t.Errorf("links:read GET job: %d %s", code, out)
	}
	code, out, _ := f.call("POST", "/v1/links/bulk", readOnlyA, []byte(`{"items":[{"destination_url":"https://shop.example.org/"}]}`))
	if code != http.StatusForbidden || !bytes.Contains(out, []byte(linkapi.CodeMissingScope)) {
		t.Errorf("links:read POST bulk: %d %s", code, out)
	}
	// The links are workspace A's: A sees them, B does not.
	it := f.items(keyA, job.ID, "")[0]
	if code, _, _ := f.call("GET", "/v1/links/"+it.LinkID, keyA, nil); code != http.StatusOK {
		t.Errorf("A GET its link: %d", code)
	}
	if code, _, _ := f.call("GET", "/v1/links/"+it.LinkID, keyB, nil); code != http.StatusNotFound {
		t.Errorf("B GET A's link: %d", code)
	}
}

func TestBulkRequestErrors(t *testing.T) {
	f := newBulkFixture(t, Config{})
	tooMany := "{\"items\":[" + strings.Repeat("{},", MaxBulkItems) + "{}]}"
	huge := `{"items":[{"destination_url":"https://shop.example.org/` + strings.Repeat("a", MaxBulkBodyBytes) + `"}]}`
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
		field      string
	}{
		{"not JSON", `{"items":`, 400, linkapi.CodeInvalidJSON, ""},
		{"empty", ``, 400, linkapi.CodeInvalidJSON, ""},
		{"no items", `{}`, 400, linkapi.CodeInvalidField, "items"},
		{"empty items", `{"items":[]}`, 400, linkapi.CodeInvalidField, "items"},
		{"items not an array", `{"items":{}}`, 400, linkapi.CodeInvalidField, "items"},
		{"unknown member", `{"items":[{}],"callback":"x"}`, 400, linkapi.CodeUnknownField, "callback"},
		{"bad on_conflict", `{"items":[{}],"on_conflict":"merge"}`, 400, linkapi.CodeInvalidField, "on_conflict"},
		{"callback not http", `{"items":[{}],"callback_url":"ftp://example.com/"}`, 400, linkapi.CodeInvalidField, "callback_url"},
		{"callback loopback", `{"items":[{}],"callback_url":"http://127.0.0.1:9/"}`, 400, linkapi.CodeInvalidField, "callback_url"},
		{"callback localhost", `{"items":[{}],"callback_url":"http://localhost/"}`, 400, linkapi.CodeInvalidField, "callback_url"},
		{"callback metadata", `{"items":[{}],"callback_url":"http://169.254.169.254/"}`, 400, linkapi.CodeInvalidField, "callback_url"},
		{"callback credentials", `{"items":[{}],"callback_url":"https://u:p@example.com/"}`, 400, linkapi.CodeInvalidField, "callback_url"},
		{"100,001 items", tooMany, 400, linkapi.CodeInvalidField, "items"},
		{"over 64 MiB", huge, 413, linkapi.CodeBodyTooLarge, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, _ := f.call("POST", "/v1/links/bulk", "", []byte(tc.body))
			var e errorResponse
			if err := json.Unmarshal(out, &e); err != nil || code != tc.status || e.Error.Code != tc.code || e.Error.Field != tc.field {
				t.Errorf("%d %.300s, want %d %s field %q", code, out, tc.status, tc.code, tc.field)
			}
		})
	}
	if code, out, _ := f.call("GET", "/v1/jobs/nope", "", nil); code != http.StatusNotFound {
		t.Errorf("GET unknown job: %d %s", code, out)
	}
}

func TestBulkItemsQueryErrors(t *testing.T) {
	f := newBulkFixture(t, Config{})
	job := f.wait("", f.post("", map[string]any{"items": []any{item("https://shop.example.org/", "")}}).ID)
	for _, q := range []string{"?status=done", "?limit=0", "?limit=1001", "?cursor=x", "?cursor=5", "?page=2", "?limit=1&limit=2"} {
		if code, out, _ := f.call("GET", "/v1/jobs/"+job.ID+"/items"+q, "", nil); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, code, out)
		}
	}
}

func TestBulkWithoutRunner(t *testing.T) {
	s, _ := redirecttest.OpenStore(t, redirect.StoreOptions{})
	cfg := linkapi.APIConfig{Store: s, APIKeys: []string{testKey}, DefaultDomain: testDomain}
	var err error
	if cfg.Routes, err = Routes(cfg, Config{}); err != nil { // no Runner
		t.Fatal(err)
	}
	h, err := linkapi.NewAPI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/v1/links/bulk", strings.NewReader(`{"items":[{}]}`))
	req.Header.Set("Authorization", "Bearer "+testKey)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), CodeJobsDisabled) {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

// callbackReceiver records the callbacks it gets, failing the first fail
// attempts with 503.
type callbackReceiver struct {
	mu      sync.Mutex
	fail    int
	bodies  [][]byte
	headers []http.Header
}

func (c *callbackReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bodies = append(c.bodies, body)
	c.headers = append(c.headers, r.Header.Clone())
	if len(c.bodies) <= c.fail {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c *callbackReceiver) calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.bodies)
}

func TestBulkCallbackSignedAndRetried(t *testing.T) {
	recv := &callbackReceiver{fail: 2}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	f := newBulkFixture(t, Config{AllowPrivateCallbacks: true, CallbackBackoff: time.Millisecond})
	job := f.post("", map[string]any{"callback_url": srv.URL + "/hook", "items": []any{item("https://shop.example.org/", ""), 5}})
	if !strings.HasPrefix(job.CallbackSecret, webhooksig.SecretPrefix) || job.CallbackURL != srv.URL+"/hook" {
		t.Fatalf("202 answer = %+v", job)
	}
	f.wait("", job.ID)
	deadline := time.Now().Add(time.Minute)
	for recv.calls() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("callbacks received: %d, want 3", recv.calls())
		}
		time.Sleep(5 * time.Millisecond)
	}
	recv.mu.Lock()
	body, h := recv.bodies[2], recv.headers[2]
	recv.mu.Unlock()
	if err := webhooksig.Verify([]string{job.CallbackSecret}, h, body, time.Now(), 0); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if err := webhooksig.Verify([]string{webhooksig.NewSecret()}, h, body, time.Now(), 0); err == nil {
		t.Error("Verify with another secret succeeded")
	}
	var cb callbackBody
	if err := json.Unmarshal(body, &cb); err != nil {
		t.Fatal(err)
	}
	if cb.Type != EventJobSucceeded || cb.Data.ID != job.ID || cb.Data.Created != 1 || cb.Data.Failed != 1 || h.Get(webhooksig.HeaderID) != job.ID {
		t.Errorf("callback = %s, id %s", body, h.Get(webhooksig.HeaderID))
	}
	if bytes.Contains(body, []byte(job.CallbackSecret)) {
		t.Error("the callback body carries the secret")
	}
	// Delivered: the job no longer has a pending callback.
	for {
		rec, err := newJobStore(f.store).getJob(context.Background(), job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !rec.CallbackPending {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("callback still pending")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBulkDefaultCallbackRefusesPrivateAddresses(t *testing.T) {
	recv := &callbackReceiver{}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	send := defaultCallback(5*time.Second, false)
	// A host name (not an address) passes validation; the dialer refuses
	// what it resolves to.
	target := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	if err := send(context.Background(), target, http.Header{}, []byte("{}")); !errors.Is(err, netguard.ErrNotPublic) {
		t.Errorf("send to %s: %v", target, err)
	}
	if recv.calls() != 0 {
		t.Errorf("receiver got %d calls", recv.calls())
	}
	if err := defaultCallback(5*time.Second, true)(context.Background(), srv.URL, http.Header{}, []byte("{}")); err != nil {
		t.Errorf("allowed private callback: %v", err)
	}
}

func TestBulkResumesAfterRestart(t *testing.T) {
	f := newBulkFixture(t, Config{})
	const total = 10*JobChunkItems + 500
	items := make([]any, total)
	for i := range items {
		items[i] = item(fmt.Sprintf("https://shop.example.org/p/%d", i), fmt.Sprintf("p%d", i), "idempotency_key", fmt.Sprint("k", i))
	}
	stopped := make(chan struct{})
	var once sync.Once
	f.mu.Lock()
	runner := f.runner
	f.hook = func(e string) { // stop the runner as soon as the first batch is in
		if strings.HasPrefix(e, "link.created") {
			once.Do(func() { runner.cancel(); close(stopped) })
		}
	}
	f.mu.Unlock()
	job := f.post("", map[string]any{"items": items})
	<-stopped
	f.runner.Close()
	mid, err := newJobStore(f.store).getJob(context.Background(), job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if mid.Done() || mid.Processed == 0 || mid.Processed >= total || mid.Processed != countLinks(t, f.store) {
		t.Fatalf("after the stop: job %+v, %d links", mid.Job, countLinks(t, f.store))
	}
	f.mu.Lock()
	f.hook = nil
	f.mu.Unlock()
	f.restart()
	done := f.wait("", job.ID)
	if done.Status != JobSucceeded || done.Created != total || done.Processed != total {
		t.Fatalf("job = %+v", done)
	}
	if n := countLinks(t, f.store); n != total {
		t.Errorf("%d links, want %d", n, total)
	}
	if n := f.countEvents("link.created "); n != total {
		t.Errorf("%d link.created events, want %d", n, total)
	}
	seen := map[string]bool{}
	for _, it := range f.items("", job.ID, "") {
		if seen[it.LinkID] {
			t.Errorf("link %s reported twice", it.LinkID)
		}
		seen[it.LinkID] = true
	}
	if len(seen) != total {
		t.Errorf("%d items, want %d", len(seen), total)
	}
}

// TestBulkIdempotencyKeyOnALargeBody: the Idempotency-Key protocol reads a
// bulk body up to the bulk limit, not the 1 MiB of other routes, and a
// retry replays the first 202 (the same job).
func TestBulkIdempotencyKeyOnALargeBody(t *testing.T) {
	f := newBulkFixture(t, Config{})
	var body bytes.Buffer
	body.WriteString(`{"items":[`)
	for i := range 12000 {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"destination_url":"https://shop.example.com/catalogue/product/%06d?ref=bulk-idempotency","path":"idem-%d"}`, i, i)
	}
	body.WriteString(`]}`)
	const otherRoutesLimit = 1 << 20 // the link API's bound of its other routes' bodies
	if body.Len() <= otherRoutesLimit {
		t.Fatalf("body of %d bytes is not over the 1 MiB limit", body.Len())
	}
	post := func() (int, []byte) {
		req, _ := http.NewRequest("POST", f.srv.URL+"/v1/links/bulk", bytes.NewReader(body.Bytes()))
		req.Header.Set("Authorization", "Bearer "+testKey)
		req.Header.Set("Idempotency-Key", "bulk-run-1")
		resp, err := f.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}
	code1, out1 := post()
	code2, out2 := post()
	var j1, j2 createdJobResponse
	json.Unmarshal(out1, &j1)
	json.Unmarshal(out2, &j2)
	if code1 != http.StatusAccepted || code2 != http.StatusAccepted || j1.ID == "" || j1.ID != j2.ID {
		t.Fatalf("first %d %.200s, retry %d %.200s: want the same 202 job", code1, out1, code2, out2)
	}
	if j := f.wait("", j1.ID); j.Created != 12000 {
		t.Fatalf("job %+v", j)
	}
}

// TestBulkHonoursWorkspaceDestinationLists: a bulk item is refused by the
// workspace's own deny and allow lists as POST /v1/links is, naming the
// workspace rule.
func TestBulkHonoursWorkspaceDestinationLists(t *testing.T) {
	f := newBulkFixture(t, Config{})
	if code, b, _ := f.call("PATCH", "/v1/workspace", "", []byte(`{"destination_allow_hosts":["*.example.org"],"destination_deny_hosts":["old.example.org"]}`)); code != http.StatusOK {
		t.Fatalf("patch workspace: %d %s", code, b)
	}
	job := f.post("", map[string]any{"items": []any{
		item("https://shop.example.org/ok", "ok"),
		item("https://old.example.org/x", ""),
		item("https://elsewhere.example.com/y", ""),
	}})
	if done := f.wait("", job.ID); done.Created != 1 || done.Failed != 2 {
		t.Fatalf("job = %+v", done)
	}
	want := map[int]string{1: linkapi.RuleWorkspaceDenyList, 2: linkapi.RuleWorkspaceNotInAllowList}
	for _, it := range f.items("", job.ID, ItemFailed) {
		if it.Error == nil || it.Error.Code != linkapi.CodeDestinationRefused || it.Error.Rule != want[it.Index] ||
			it.Error.Field != fmt.Sprintf("items[%d].destination_url", it.Index) {
			t.Errorf("item %d: error %+v, want rule %s", it.Index, it.Error, want[it.Index])
		}
	}
}

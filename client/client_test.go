package client

import (
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
)

// fakeAPI records the requests it gets and answers with handle.
type fakeAPI struct {
	mu   sync.Mutex
	reqs []*http.Request
	body []string
}

func newServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) (*Client, *fakeAPI) {
	t.Helper()
	f := &fakeAPI{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, r)
		f.body = append(f.body, string(b))
		f.mu.Unlock()
		handle(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/", "ct_key")
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

func (f *fakeAPI) last() (*http.Request, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reqs[len(f.reqs)-1], f.body[len(f.body)-1]
}

func TestNewRefusesBadBaseURL(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8081", "ftp://x", "http://"} {
		if _, err := New(u, "k"); err == nil {
			t.Errorf("New(%q) succeeded", u)
		}
	}
}

func TestCreateLinkSendsAuthIdempotencyAndBody(t *testing.T) {
	c, f := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":"lnk_1","path":"spring","short_url":"https://go.example/spring","utm":{"source":"mail"},"redirect_code":0,"new_field":1}`+"\n")
	})
	var raw []byte
	var status int
	l, err := c.CreateLink(context.Background(), CreateLinkRequest{DestinationURL: "https://shop.example/", Path: "spring",
		UTM: &UTM{Source: "mail"}, Metadata: map[string]string{"contact_id": "c_1"}}, IdempotencyKey("idem-1"), RawBody(&raw), Status(&status))
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusCreated {
		t.Errorf("Status = %d, want 201", status)
	}
	if l.ID != "lnk_1" || l.ShortURL != "https://go.example/spring" || l.UTM.Source != "mail" {
		t.Errorf("link = %+v", l)
	}
	if !strings.Contains(string(raw), `"new_field":1`) {
		t.Errorf("RawBody = %s, want the answer as sent", raw)
	}
	r, body := f.last()
	if r.Method != http.MethodPost || r.URL.Path != "/v1/links" {
		t.Errorf("request %s %s", r.Method, r.URL.Path)
	}
	for h, want := range map[string]string{"Authorization": "Bearer ct_key", "Idempotency-Key": "idem-1", "Content-Type": "application/json"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if body != `{"destination_url":"https://shop.example/","path":"spring","utm":{"source":"mail"},"metadata":{"contact_id":"c_1"}}` {
		t.Errorf("body = %s", body)
	}
}

func TestNoIdempotencyKeyUnlessAsked(t *testing.T) {
	c, f := newServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{}`) })
	if _, err := c.GetLink(context.Background(), "lnk/1"); err != nil {
		t.Fatal(err)
	}
	r, _ := f.last()
	if _, ok := r.Header["Idempotency-Key"]; ok {
		t.Error("an Idempotency-Key was sent without IdempotencyKey")
	}
	if r.Header.Get("Content-Type") != "" {
		t.Error("a GET without a body sent a Content-Type")
	}
	if r.URL.EscapedPath() != "/v1/links/lnk%2F1" {
		t.Errorf("path %s: the id is not escaped", r.URL.EscapedPath())
	}
}

func TestEmptyKeySendsNoAuthorization(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Header["Authorization"]; ok {
			t.Error("Authorization sent with an empty key")
		}
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"code":"unauthorized","message":"missing API key"}}`)
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "")
	_, err := c.ListEndpoints(context.Background())
	if StatusOf(err) != http.StatusUnauthorized {
		t.Fatalf("err = %v, want a 401 *Error", err)
	}
}

func TestErrorCarriesStatusAndBody(t *testing.T) {
	for _, tc := range []struct {
		name, body                string
		status                    int
		code, field, existing, in string
	}{
		{"path taken", `{"error":{"code":"path_taken","field":"path","message":"taken","existing_id":"lnk_9"}}`,
			http.StatusConflict, "path_taken", "path", "lnk_9", "409 Conflict"},
		{"invalid field", `{"error":{"code":"invalid_field","field":"currency","message":"required with amount"}}`,
			http.StatusBadRequest, "invalid_field", "currency", "", "currency"},
		{"not JSON", "<html>bad gateway</html>", http.StatusBadGateway, "", "", "", "bad gateway"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body+"\n")
			})
			_, err := c.CreateLink(context.Background(), CreateLinkRequest{DestinationURL: "https://x.example/"})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if e.StatusCode != tc.status || e.Code != tc.code || e.Field != tc.field || e.ExistingID != tc.existing ||
				string(e.Body) != tc.body || e.Method != "POST" || e.Path != "/v1/links" {
				t.Errorf("error = %+v", e)
			}
			if !strings.Contains(err.Error(), tc.in) {
				t.Errorf("%q does not contain %q", err, tc.in)
			}
			if StatusOf(fmt.Errorf("wrapped: %w", err)) != tc.status {
				t.Error("StatusOf does not see through wrapping")
			}
		})
	}
}

func TestUndecodableAnswerIsAnError(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"id":`) })
	if _, err := c.GetLink(context.Background(), "lnk_1"); err == nil || !strings.Contains(err.Error(), "decode answer") {
		t.Fatalf("err = %v", err)
	}
}

func TestAllLinksFollowsCursors(t *testing.T) {
	c, f := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("cursor") {
		case "":
			io.WriteString(w, `{"links":[{"id":"a"},{"id":"b"}],"next_cursor":"c1"}`)
		case "c1":
			io.WriteString(w, `{"links":[],"next_cursor":"c2"}`) // a short page under a filter
		case "c2":
			io.WriteString(w, `{"links":[{"id":"c"}]}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
		}
	})
	var ids []string
	for l, err := range c.AllLinks(context.Background(), ListLinksOptions{Tag: "spring", Limit: 2, IncludeDeleted: true}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	if strings.Join(ids, ",") != "a,b,c" {
		t.Fatalf("ids = %v", ids)
	}
	r, _ := f.last()
	if q := r.URL.Query(); q.Get("tag") != "spring" || q.Get("limit") != "2" || q.Get("include_deleted") != "true" || q.Get("cursor") != "c2" {
		t.Errorf("last query %s", r.URL.RawQuery)
	}
}

func TestAllLinksYieldsTheError(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("cursor") == "" {
			io.WriteString(w, `{"links":[{"id":"a"}],"next_cursor":"c1"}`)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"code":"invalid_field","field":"cursor","message":"bad"}}`)
	})
	var n int
	var last error
	for _, err := range c.AllLinks(context.Background(), ListLinksOptions{}) {
		n++
		last = err
	}
	if n != 2 || StatusOf(last) != http.StatusBadRequest {
		t.Fatalf("%d values, last error %v", n, last)
	}
}

func TestWaitJobPollsUntilDone(t *testing.T) {
	var polls int
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		polls++
		status := JobRunning
		if polls == 3 {
			status = JobSucceeded
		}
		json.NewEncoder(w).Encode(map[string]any{"id": "job_1", "status": status, "total": 2, "created": 2})
	})
	j, err := c.WaitJob(context.Background(), "job_1", time.Millisecond)
	if err != nil || j.Status != JobSucceeded || j.Created != 2 || polls != 3 {
		t.Fatalf("job %+v after %d polls: %v", j, polls, err)
	}
}

func TestWaitJobGivesUpWithTheContext(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"job_1","status":"running"}`)
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.WaitJob(ctx, "job_1", time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestBulkItemsEncodeWithTheirKeys(t *testing.T) {
	items, err := EncodeBulkItems([]BulkItem{{CreateLinkRequest: CreateLinkRequest{DestinationURL: "https://a.example/", Tags: []string{"bulk"}}, IdempotencyKey: "k1"}})
	if err != nil || len(items) != 1 || string(items[0]) != `{"destination_url":"https://a.example/","tags":["bulk"],"idempotency_key":"k1"}` {
		t.Fatalf("= %s, %v", items, err)
	}
}

func TestReplayOmitsAZeroSince(t *testing.T) {
	c, f := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"replayed":["msg_1"]}`)
	})
	ids, err := c.Replay(context.Background(), "ep_1", ReplayRequest{MessageID: "msg_1"})
	if err != nil || len(ids) != 1 {
		t.Fatalf("= %v, %v", ids, err)
	}
	if r, body := f.last(); body != `{"message_id":"msg_1"}` || r.URL.Path != "/v1/webhooks/endpoints/ep_1/replay" {
		t.Errorf("%s %s", r.URL.Path, body)
	}
}

func TestLinkQRReturnsTheImage(t *testing.T) {
	c, f := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		io.WriteString(w, "\x89PNG...")
	})
	b, err := c.LinkQR(context.Background(), "lnk_1", QROptions{Format: "png", Size: 128})
	if err != nil || string(b) != "\x89PNG..." {
		t.Fatalf("= %q, %v", b, err)
	}
	if r, _ := f.last(); r.URL.RawQuery != "format=png&size=128" {
		t.Errorf("query %s", r.URL.RawQuery)
	}
}

package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func testMessage(t testing.TB) Message {
	t.Helper()
	msg, err := ClickMessage(testClick(), "https://go.brand.com/spring")
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestDeliverFailsTwiceThenSucceeds(t *testing.T) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		switch n {
		case 0:
			http.Error(w, "database down", http.StatusInternalServerError)
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.WriteHeader(http.StatusOK)
			fmt.Fprint(w, `{"ok":true}`)
		}
	})
	d := newTestDeliverer(t, Config{AllowPrivate: true})
	ep, msg := rc.endpoint("ep_1"), testMessage(t)

	want := []struct {
		status  int
		outcome Outcome
		body    string
	}{
		{500, OutcomeRetry, "database down "},
		{503, OutcomeRetry, ""},
		{200, OutcomeDelivered, `{"ok":true}`},
	}
	for i, w := range want {
		r := d.Deliver(context.Background(), ep, msg)
		if r.Status != w.status || r.Outcome != w.outcome || r.Response != w.body {
			t.Fatalf("attempt %d: status %d outcome %s response %q (err %v), want %d %s %q",
				i+1, r.Status, r.Outcome, r.Response, r.Err, w.status, w.outcome, w.body)
		}
		if (r.Err == nil) != (w.outcome == OutcomeDelivered) {
			t.Errorf("attempt %d: err = %v with outcome %s", i+1, r.Err, r.Outcome)
		}
		if r.EndpointID != ep.ID || r.MessageID != msg.ID || r.Latency <= 0 || r.Attempted.IsZero() {
			t.Errorf("attempt %d: result %+v lacks its identity or timing", i+1, r)
		}
	}
	got, bad, _ := rc.received()
	if len(bad) != 0 {
		t.Fatalf("receiver rejected signatures: %v", bad)
	}
	if len(got) != 3 {
		t.Fatalf("receiver got %d authentic requests, want 3", len(got))
	}
	for i, g := range got {
		if g.ID != msg.ID {
			t.Errorf("attempt %d: webhook-id %q, want the event id %q on every attempt", i+1, g.ID, msg.ID)
		}
		if !bytes.Equal(g.Body, msg.Body) {
			t.Errorf("attempt %d: body changed", i+1)
		}
	}
}

// TestDeliverSignedRequestGolden pins the exact request a receiver sees,
// signed with two secrets (a rotation), at a fixed clock.
func TestDeliverSignedRequestGolden(t *testing.T) {
	sent := time.Date(2026, 11, 23, 12, 0, 1, 0, time.UTC)
	rc := newReceiver(t, nil)
	rc.now = func() time.Time { return sent.Add(2 * time.Second) }
	d := newTestDeliverer(t, Config{AllowPrivate: true})
	d.now = func() time.Time { return sent }
	old := "whsec_c2VjcmV0LXJvdGF0ZWQtb3V0LWxhc3Qtd2Vlaw=="
	ep := Endpoint{ID: "ep_1", URL: rc.srv.URL, Secrets: []string{old, testSecret}}
	if r := d.Deliver(context.Background(), ep, testMessage(t)); r.Outcome != OutcomeDelivered {
		t.Fatalf("Deliver = %+v", r)
	}
	got, bad, _ := rc.received()
	if len(got) != 1 {
		t.Fatalf("receiver got %d authentic requests (rejected: %v), want 1", len(got), bad)
	}
	g := got[0]
	if n := len(strings.Fields(g.Signature)); n != 2 {
		t.Errorf("webhook-signature has %d signatures, want one per secret (2)", n)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "webhook-id: %s\nwebhook-timestamp: %s\nwebhook-signature: %s\n\n%s\n", g.ID, g.Timestamp, g.Signature, g.Body)
	checkGolden(t, "click_created.request", []byte(b.String()))
}

func TestDeliverClassifies(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name       string
		status     int
		retryAfter string
		outcome    Outcome
		wantAfter  time.Duration
		errHas     string
	}{
		{"200", 200, "", OutcomeDelivered, 0, ""},
		{"204", 204, "", OutcomeDelivered, 0, ""},
		{"410 disables", 410, "", OutcomeDisable, 0, "410 Gone"},
		{"302 is a failure", 302, "", OutcomeRetry, 0, "not followed"},
		{"400 retries per schedule", 400, "30", OutcomeRetry, 0, "answered 400"},
		{"404", 404, "", OutcomeRetry, 0, "answered 404"},
		{"429 Retry-After seconds", 429, "30", OutcomeRetry, 30 * time.Second, "answered 429"},
		{"429 Retry-After date", 429, now.Add(2 * time.Hour).UTC().Format(http.TimeFormat), OutcomeRetry, MaxRetryAfter, ""},
		{"503 Retry-After 0 raised to min", 503, "0", OutcomeRetry, MinRetryAfter, ""},
		{"503 Retry-After capped", 503, "86400", OutcomeRetry, MaxRetryAfter, ""},
		{"502 Retry-After garbage", 502, "soon", OutcomeRetry, 0, ""},
		{"500 without Retry-After", 500, "", OutcomeRetry, 0, ""},
	}
	redirected := newReceiver(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				if tt.status/100 == 3 {
					http.Redirect(w, r, redirected.srv.URL+"/moved", tt.status)
					return
				}
				w.WriteHeader(tt.status)
			})
			d := newTestDeliverer(t, Config{AllowPrivate: true})
			r := d.Deliver(context.Background(), rc.endpoint("ep"), testMessage(t))
			if r.Status != tt.status || r.Outcome != tt.outcome || r.RetryAfter != tt.wantAfter {
				t.Fatalf("status %d outcome %s retry-after %s (err %v), want %d %s %s",
					r.Status, r.Outcome, r.RetryAfter, r.Err, tt.status, tt.outcome, tt.wantAfter)
			}
			if tt.errHas != "" && (r.Err == nil || !strings.Contains(r.Err.Error(), tt.errHas)) {
				t.Errorf("err %v does not contain %q", r.Err, tt.errHas)
			}
		})
	}
	if _, _, hits := redirected.received(); hits != 0 {
		t.Errorf("redirect target got %d requests: redirects were followed", hits)
	}
}

func TestDeliverTimeout(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	d := newTestDeliverer(t, Config{AllowPrivate: true, Timeout: 50 * time.Millisecond})
	r := d.Deliver(context.Background(), rc.endpoint("slow"), testMessage(t))
	if r.Outcome != OutcomeRetry || !errors.Is(r.Err, context.DeadlineExceeded) || r.Status != 0 {
		t.Fatalf("Deliver to a hanging endpoint = %+v, want a retry with a deadline error", r)
	}
}

func TestDeliverSanitizesResponse(t *testing.T) {
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte("line1\nline2\x1b[31m\xff\xfe"))
		w.Write(bytes.Repeat([]byte("é"), 4000))
	})
	d := newTestDeliverer(t, Config{AllowPrivate: true})
	r := d.Deliver(context.Background(), rc.endpoint("ep"), testMessage(t))
	if len(r.Response) > MaxResponseSnippet || !utf8.ValidString(r.Response) {
		t.Fatalf("snippet of %d bytes, valid UTF-8 %v", len(r.Response), utf8.ValidString(r.Response))
	}
	if !strings.HasPrefix(r.Response, "line1 line2 [31m\uFFFD\uFFFDé") {
		t.Errorf("snippet starts %q", r.Response[:min(40, len(r.Response))])
	}
	for _, c := range r.Response {
		if unicode.IsControl(c) {
			t.Fatalf("snippet keeps control character %U", c)
		}
	}
}

func TestDeliverRefusesBadInput(t *testing.T) {
	rc := newReceiver(t, nil)
	good := rc.endpoint("ep")
	tests := []struct {
		name    string
		mutate  func(*Endpoint, *Message)
		outcome Outcome
		errHas  string
	}{
		{"no id", func(e *Endpoint, _ *Message) { e.ID = "" }, OutcomeDisable, "endpoint id"},
		{"ftp url", func(e *Endpoint, _ *Message) { e.URL = "ftp://example.com/" }, OutcomeDisable, "endpoint url: scheme"},
		{"not a url", func(e *Endpoint, _ *Message) { e.URL = "http://[::1" }, OutcomeDisable, "endpoint url"},
		{"no host", func(e *Endpoint, _ *Message) { e.URL = "https:///x" }, OutcomeDisable, "no host"},
		{"host over 253 bytes", func(e *Endpoint, _ *Message) { e.URL = "https://" + strings.Repeat("a.", 127) + "example/" }, OutcomeDisable, "endpoint url: host"},
		{"port 0", func(e *Endpoint, _ *Message) { e.URL = "https://example.com:0/" }, OutcomeDisable, "endpoint url: port"},
		{"password in url", func(e *Endpoint, _ *Message) { e.URL = "https://u:p@example.com/" }, OutcomeDisable, "credentials"},
		{"no secret", func(e *Endpoint, _ *Message) { e.Secrets = nil }, OutcomeDisable, "endpoint secrets"},
		{"bad secret", func(e *Endpoint, _ *Message) { e.Secrets = []string{"whsec_x"} }, OutcomeDisable, "secrets[0]"},
		{"unsignable message id", func(_ *Endpoint, m *Message) { m.ID = "a.b" }, OutcomeFailed, "full stop"},
	}
	d := newTestDeliverer(t, Config{AllowPrivate: true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, msg := good, testMessage(t)
			ep.Secrets = append([]string(nil), good.Secrets...)
			tt.mutate(&ep, &msg)
			r := d.Deliver(context.Background(), ep, msg)
			if r.Outcome != tt.outcome || r.Err == nil || !strings.Contains(r.Err.Error(), tt.errHas) {
				t.Fatalf("Deliver = outcome %s err %v, want %s with %q", r.Outcome, r.Err, tt.outcome, tt.errHas)
			}
		})
	}
	if _, _, hits := rc.received(); hits != 0 {
		t.Errorf("receiver got %d requests for invalid input", hits)
	}
}

// TestDeliverNormalizesHost: an endpoint URL with a host in Unicode is
// delivered to its ASCII (punycode) form, as urlrule normalizes it, and
// the dial goes to the addresses checked for that form. (Before issue 11
// the Deliverer refused such a URL, and TestDeliverRefusesBadInput had a
// "unicode host" case expecting OutcomeDisable: the endpoint API now
// stores the normalized URL instead of refusing it.)
func TestDeliverNormalizesHost(t *testing.T) {
	rc := newReceiver(t, nil)
	var looked []string
	d := newTestDeliverer(t, Config{AllowPrivate: true, Resolve: func(_ context.Context, host string) ([]netip.Addr, error) {
		looked = append(looked, host)
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}})
	ep := rc.endpoint("ep")
	ep.URL = strings.Replace(ep.URL, "127.0.0.1", "Bücher.example", 1)
	if r := d.Deliver(context.Background(), ep, testMessage(t)); r.Outcome != OutcomeDelivered {
		t.Fatalf("Deliver = %s %v, want delivered", r.Outcome, r.Err)
	}
	got, _, _ := rc.received()
	if len(looked) != 1 || looked[0] != "xn--bcher-kva.example" || len(got) != 1 || !strings.HasPrefix(got[0].Host, "xn--bcher-kva.example:") {
		t.Fatalf("resolved %q, receiver saw %+v; want xn--bcher-kva.example", looked, got)
	}
}

func BenchmarkDeliver(b *testing.B) {
	rc := newReceiver(b, nil)
	d := newTestDeliverer(b, Config{AllowPrivate: true})
	ep, msg := rc.endpoint("ep"), testMessage(b)
	b.ReportAllocs()
	for b.Loop() {
		if r := d.Deliver(context.Background(), ep, msg); r.Outcome != OutcomeDelivered {
			b.Fatal(r.Err)
		}
	}
}

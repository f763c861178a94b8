package linkapi

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/linkapi/idempotency"
	"github.com/clicktrail/clicktrail/redirect"
)

func TestIdempotentReplay(t *testing.T) {
	const body = `{"destination_url":"https://shop.example.org/","path":"once"}`
	for _, tc := range []struct {
		name, method, body string
		target             func(id string) string
		status             int
	}{
		{"create", "POST", body, func(string) string { return "/v1/links" }, http.StatusCreated},
		{"patch", "PATCH", `{"tags":["x"]}`, func(id string) string { return "/v1/links/" + id }, http.StatusOK},
		{"delete", "DELETE", "", func(id string) string { return "/v1/links/" + id }, http.StatusOK},
		{"upsert", "PUT", `{"destination_url":"https://shop.example.org/crm"}`, func(string) string { return "/v1/links/external/crm-1" }, http.StatusCreated},
		{"refused create", "POST", `{"destination_url":"ftp://x"}`, func(string) string { return "/v1/links" }, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newLifecycleFixture(t)
			existing := f.create(t, `{"destination_url":"https://shop.example.org/","path":"existing"}`)
			f.takeEvents()
			target := tc.target(existing.ID)
			first := f.call(t, tc.method, target, tc.body, "Idempotency-Key", "k-1")
			if first.Code != tc.status {
				t.Fatalf("first: %d %s", first.Code, first.Body)
			}
			events := f.takeEvents()
			f.clock.Advance(time.Hour) // a replay does not run again: no new timestamps
			again := f.call(t, tc.method, target, tc.body, "Idempotency-Key", "k-1")
			if again.Code != first.Code || !bytes.Equal(again.Body.Bytes(), first.Body.Bytes()) ||
				again.Header().Get("Location") != first.Header().Get("Location") {
				t.Errorf("replay %d %s %q, first %d %s %q", again.Code, again.Body, again.Header().Get("Location"),
					first.Code, first.Body, first.Header().Get("Location"))
			}
			if again.Header().Get("Idempotent-Replayed") != "true" || first.Header().Get("Idempotent-Replayed") != "" {
				t.Errorf("Idempotent-Replayed: first %q, replay %q", first.Header().Get("Idempotent-Replayed"), again.Header().Get("Idempotent-Replayed"))
			}
			if ev := f.takeEvents(); len(ev) != 0 {
				t.Errorf("replay emitted %v (first emitted %v)", ev, events)
			}
			checkErr(t, f.call(t, tc.method, target, tc.body+" ", "Idempotency-Key", "k-1"),
				http.StatusUnprocessableEntity, CodeIdempotencyKeyReused, "Idempotency-Key")
			checkErr(t, f.call(t, "POST", "/v1/links", `{"destination_url":"https://shop.example.org/"}`, "Idempotency-Key", "k-1"),
				http.StatusUnprocessableEntity, CodeIdempotencyKeyReused, "Idempotency-Key")
		})
	}
}

func TestIdempotencyKeyRules(t *testing.T) {
	f := newLifecycleFixture(t)
	const body = `{"destination_url":"https://shop.example.org/"}`
	for _, tc := range []struct{ name, key string }{
		{"empty", ""},
		{"too long", strings.Repeat("k", idempotency.MaxKeyLen+1)},
		{"control character", "a\tb"},
		{"non-ASCII", "clé"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, f.call(t, "POST", "/v1/links", body, "Idempotency-Key", tc.key), 400, CodeInvalidField, "Idempotency-Key")
		})
	}
	t.Run("without a key each request runs", func(t *testing.T) {
		a, b := f.create(t, body), f.create(t, body)
		if a.ID == b.ID {
			t.Error("two creates without a key made one link")
		}
	})
	t.Run("keys are per API key and per value", func(t *testing.T) {
		a := f.call(t, "POST", "/v1/links", body, "Idempotency-Key", "k-a")
		b := f.call(t, "POST", "/v1/links", body, "Idempotency-Key", "k-b")
		if a.Code != 201 || b.Code != 201 || decodeLinkBody(t, a).ID == decodeLinkBody(t, b).ID {
			t.Errorf("different keys: %d %d", a.Code, b.Code)
		}
	})
	t.Run("a body too large", func(t *testing.T) {
		big := `{"destination_url":"https://shop.example.org/","metadata":{"a":"` + strings.Repeat("x", maxBodyBytes) + `"}}`
		checkErr(t, f.call(t, "POST", "/v1/links", big, "Idempotency-Key", "k-big"), 413, CodeBodyTooLarge, "")
	})
}

func TestIdempotencyExpires(t *testing.T) {
	f := newLifecycleFixture(t)
	first := f.call(t, "POST", "/v1/links", `{"destination_url":"https://shop.example.org/a"}`, "Idempotency-Key", "k-1")
	if first.Code != 201 {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	f.clock.Advance(idempotency.TTL + time.Second)
	again := f.call(t, "POST", "/v1/links", `{"destination_url":"https://shop.example.org/b"}`, "Idempotency-Key", "k-1")
	if again.Code != 201 || again.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("after expiry: %d %s", again.Code, again.Body)
	}
	if decodeLinkBody(t, again).DestinationURL != "https://shop.example.org/b" {
		t.Errorf("after expiry the first answer was replayed: %s", again.Body)
	}
}

func TestIdempotencyKeyInUse(t *testing.T) {
	f := newLifecycleFixture(t)
	entered, release := make(chan struct{}), make(chan struct{})
	f.mu.Lock()
	f.hook = func(string, *redirect.Link) {
		close(entered)
		<-release
	}
	f.mu.Unlock()
	const body = `{"destination_url":"https://shop.example.org/"}`
	var wg sync.WaitGroup
	var first int
	wg.Go(func() { first = f.call(t, "POST", "/v1/links", body, "Idempotency-Key", "slow").Code })
	<-entered // the first request holds the key
	checkErr(t, f.call(t, "POST", "/v1/links", body, "Idempotency-Key", "slow"), 409, CodeIdempotencyKeyInUse, "")
	f.mu.Lock()
	f.hook = nil
	f.mu.Unlock()
	close(release)
	wg.Wait()
	if first != 201 {
		t.Fatalf("first: %d", first)
	}
	if rec := f.call(t, "POST", "/v1/links", body, "Idempotency-Key", "slow"); rec.Code != 201 || rec.Header().Get("Idempotent-Replayed") != "true" {
		t.Errorf("after the first answered: %d %s", rec.Code, rec.Body)
	}
}

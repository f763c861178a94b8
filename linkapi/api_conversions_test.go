package linkapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/schemas"
)

// conversionFixture is the link API over a real pebble store whose
// OnConversion records what it is given, or fails while fail is set.
type conversionFixture struct {
	*tenancyFixture
	mu   sync.Mutex
	got  []*schemas.Conversion
	fail bool
}

func newConversionFixture(t *testing.T) *conversionFixture {
	t.Helper()
	f := &conversionFixture{}
	s, _ := openTestStore(t, redirect.StoreOptions{})
	lf := &lifecycleFixture{store: s, clock: testutil.NewClock(testNow)}
	api, err := NewAPI(APIConfig{
		Store: s, APIKeys: []string{testKey}, DefaultDomain: testDomain,
		RateLimit: RateLimitConfig{PerSecond: -1}, Now: lf.clock.Now,
		OnConversion: func(_ context.Context, c *schemas.Conversion) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.fail {
				return errors.New("spool closed")
			}
			f.got = append(f.got, c)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	lf.api = api
	f.tenancyFixture = &tenancyFixture{lifecycleFixture: lf, srv: httptest.NewServer(api)}
	t.Cleanup(f.srv.Close)
	return f
}

func (f *conversionFixture) queued() []*schemas.Conversion {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*schemas.Conversion(nil), f.got...)
}

const testClickID = "01936b2e-8c4a-7cde-9f01-23456789abcd"

func TestConversionAccepted(t *testing.T) {
	f := newConversionFixture(t)
	ws := f.newWorkspace(t, "shop")
	key := f.newKey(t, testKey, ws, tenancy.ScopeConversionsWrite).Key
	var resp conversionResponse
	f.must(t, key, "POST", "/v1/conversions",
		`{"name":"purchase","click_id":"`+strings.ToUpper(testClickID)+`","amount":4999,"currency":"EUR","occurred_at":"2026-11-23T11:00:00+01:00","metadata":{"plan":"pro"}}`,
		http.StatusAccepted, &resp)
	q := f.queued()
	if len(q) != 1 {
		t.Fatalf("queued %d conversions, want 1", len(q))
	}
	c := q[0]
	if c.WorkspaceID != ws || c.ClickID != testClickID || c.Amount != 4999 || c.Currency != "EUR" || c.Metadata["plan"] != "pro" {
		t.Fatalf("queued %+v", c)
	}
	if !c.OccurredAt.Equal(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)) || !c.ReceivedAt.Equal(testNow) {
		t.Fatalf("times: occurred %s received %s", c.OccurredAt, c.ReceivedAt)
	}
	if resp.ID != c.EventID || resp.ClickID != testClickID {
		t.Fatalf("answer %+v for %+v", resp, c)
	}
	b, _ := c.Marshal()
	if _, err := schemas.DecodeConversion(b); err != nil {
		t.Fatalf("the queued conversion is not a valid record: %v", err)
	}
}

func TestConversionExternalIDIsOneEvent(t *testing.T) {
	f := newConversionFixture(t)
	body := `{"name":"purchase","contact_id":"hs_1","external_id":"order-7","amount":100,"currency":"USD"}`
	var a, b conversionResponse
	f.must(t, testKey, "POST", "/v1/conversions", body, http.StatusAccepted, &a)
	f.must(t, testKey, "POST", "/v1/conversions", body, http.StatusAccepted, &b)
	if a.ID != b.ID || a.ID != ConversionEventID(redirect.DefaultWorkspaceID, "purchase", "order-7") {
		t.Fatalf("ids %s and %s, want both %s", a.ID, b.ID, ConversionEventID(redirect.DefaultWorkspaceID, "purchase", "order-7"))
	}
	var other conversionResponse
	f.must(t, testKey, "POST", "/v1/conversions", strings.Replace(body, "purchase", "refund", 1), http.StatusAccepted, &other)
	if other.ID == a.ID {
		t.Fatal("another conversion name with the same external_id got the same id")
	}
}

func TestConversionIdempotencyKeyReplays(t *testing.T) {
	f := newConversionFixture(t)
	body := `{"name":"lead","click_id":"` + testClickID + `"}`
	first := f.call(t, "POST", "/v1/conversions", body, "Idempotency-Key", "conv-1")
	again := f.call(t, "POST", "/v1/conversions", body, "Idempotency-Key", "conv-1")
	if first.Code != http.StatusAccepted || again.Code != http.StatusAccepted || first.Body.String() != again.Body.String() {
		t.Fatalf("first %d %s, retry %d %s", first.Code, first.Body, again.Code, again.Body)
	}
	if n := len(f.queued()); n != 1 {
		t.Fatalf("a replayed request queued %d conversions, want 1", n)
	}
	other := f.call(t, "POST", "/v1/conversions", `{"name":"sale","click_id":"`+testClickID+`"}`, "Idempotency-Key", "conv-1")
	checkErr(t, other, http.StatusUnprocessableEntity, CodeIdempotencyKeyReused, "Idempotency-Key")
}

func TestConversionRefusals(t *testing.T) {
	f := newConversionFixture(t)
	for _, tc := range []struct{ name, body, code, field string }{
		{"no name", `{"click_id":"` + testClickID + `"}`, CodeInvalidField, "name"},
		{"neither id", `{"name":"lead"}`, CodeInvalidField, "click_id"},
		{"click id not a uuid", `{"name":"lead","click_id":"abc"}`, CodeInvalidField, "click_id"},
		{"amount without currency", `{"name":"sale","contact_id":"c1","amount":5}`, CodeInvalidField, "currency"},
		{"amount as a string", `{"name":"sale","contact_id":"c1","amount":"5"}`, CodeInvalidField, "amount"},
		{"future", `{"name":"sale","contact_id":"c1","occurred_at":"2027-01-01T00:00:00Z"}`, CodeInvalidField, "occurred_at"},
		{"bad time", `{"name":"sale","contact_id":"c1","occurred_at":"yesterday"}`, CodeInvalidField, "occurred_at"},
		{"unknown member", `{"name":"sale","contact_id":"c1","email":"a@b.c"}`, CodeUnknownField, "email"},
		{"not json", `{"name":`, CodeInvalidJSON, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, f.call(t, "POST", "/v1/conversions", tc.body), http.StatusBadRequest, tc.code, tc.field)
		})
	}
	if n := len(f.queued()); n != 0 {
		t.Fatalf("refused requests queued %d conversions", n)
	}
}

func TestConversionScopeAndUnavailable(t *testing.T) {
	f := newConversionFixture(t)
	ws := f.newWorkspace(t, "crm")
	linksOnly := f.newKey(t, testKey, ws, tenancy.ScopeLinksWrite).Key
	f.wantErr(t, linksOnly, "POST", "/v1/conversions", `{"name":"lead","contact_id":"c1"}`, http.StatusForbidden, CodeMissingScope, "")

	f.mu.Lock()
	f.fail = true
	f.mu.Unlock()
	rec := f.call(t, "POST", "/v1/conversions", `{"name":"lead","contact_id":"c1"}`)
	checkErr(t, rec, http.StatusServiceUnavailable, CodeUnavailable, "")
	if rec.Header().Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}

	plain := newTenancyFixture(t) // an API without OnConversion
	plain.wantErr(t, testKey, "POST", "/v1/conversions", `{"name":"lead","contact_id":"c1"}`, http.StatusServiceUnavailable, CodeUnavailable, "")
}

// FuzzDecodeConversion: any body is either a valid conversion or a 400
// naming a field; never a panic.
func FuzzDecodeConversion(f *testing.F) {
	f.Add([]byte(`{"name":"purchase","click_id":"` + testClickID + `","amount":4999,"currency":"EUR"}`))
	f.Add([]byte(`{"name":"lead","contact_id":"hs_1","external_id":"x","occurred_at":"2026-11-23T11:00:00Z","metadata":{"a":"b"}}`))
	f.Add([]byte(`{"name":"","amount":1e30}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, aerr := decodeConversion(body, "ws_1", testNow)
		if aerr != nil {
			if aerr.status != http.StatusBadRequest {
				t.Fatalf("status %d for a bad body", aerr.status)
			}
			return
		}
		if err := c.Validate(); err != nil || len(c.EventID) != 36 || c.WorkspaceID != "ws_1" {
			t.Fatalf("accepted an invalid conversion %+v: %v", c, err)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := schemas.DecodeConversion(b); err != nil {
			t.Fatalf("accepted a conversion its consumers refuse: %v", err)
		}
	})
}

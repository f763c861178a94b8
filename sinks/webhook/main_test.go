package webhook

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/webhooksig"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testSecret is a fixed secret so golden files are stable.
const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// newTestDeliverer returns a Deliverer for loopback receivers (AllowPrivate)
// unless cfg says otherwise, closed when t ends.
func newTestDeliverer(t testing.TB, cfg Config) *Deliverer {
	t.Helper()
	d, err := NewDeliverer(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// received is one request a receiver accepted as authentic.
type received struct {
	ID, Timestamp, Signature, Host string
	Body                           []byte
}

// receiver is a real HTTP endpoint that verifies every request with the
// shipped webhooksig.Verify (401 when it fails) and answers with the status
// respond returns for the n-th authentic request (0-based).
type receiver struct {
	srv     *httptest.Server
	respond func(n int, w http.ResponseWriter, r *http.Request)
	now     func() time.Time // the receiver's clock for Verify

	mu   sync.Mutex
	got  []received
	bad  []error
	hits int
}

func newReceiver(t testing.TB, respond func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{respond: respond, now: time.Now}
	rc.srv = httptest.NewServer(rc)
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.hits++
	if err == nil {
		err = webhooksig.Verify([]string{testSecret}, r.Header, body, rc.now(), 0)
	}
	if err != nil {
		rc.bad = append(rc.bad, err)
		rc.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	n := len(rc.got)
	rc.got = append(rc.got, received{
		ID: r.Header.Get(webhooksig.HeaderID), Timestamp: r.Header.Get(webhooksig.HeaderTimestamp),
		Signature: r.Header.Get(webhooksig.HeaderSignature), Host: r.Host, Body: bytes.Clone(body),
	})
	rc.mu.Unlock()
	if rc.respond == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	rc.respond(n, w, r)
}

func (rc *receiver) received() ([]received, []error, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...), append([]error(nil), rc.bad...), rc.hits
}

func (rc *receiver) endpoint(id string) Endpoint {
	return Endpoint{ID: id, URL: rc.srv.URL + "/hooks/clicktrail", Secrets: []string{testSecret}}
}

// testClick returns an enriched click with every field set, including the
// ones the webhook must never carry.
func testClick() *schemas.EnrichedClick {
	return &schemas.EnrichedClick{
		V:            schemas.EnrichedClickVersion,
		EventID:      "0193a6f2-7c1e-7b3a-9f00-00000000c11c",
		Type:         schemas.ClickTypeClick,
		Time:         time.Date(2026, 11, 23, 12, 0, 0, 123456000, time.UTC),
		WorkspaceID:  "ws_1",
		LinkID:       "lnk_spring",
		Domain:       "go.brand.com",
		Path:         "spring",
		Destination:  "https://example.com/spring?utm_source=newsletter",
		IPPrefix:     "203.0.113.0/24",
		VisitorHash:  18446744073709551557,
		Country:      "DE",
		Region:       "DE-BE",
		City:         "Berlin",
		DeviceType:   "mobile",
		OS:           "iOS",
		Browser:      "Safari",
		ReferrerHost: "mail.google.com",
		Language:     "de-DE",
		UTM:          schemas.UTM{Source: "newsletter", Medium: "email", Campaign: "spring26"},
		Tags:         []string{"vip"},
		Metadata:     map[string]string{"contact_id": "hs_42", "email": "jane@example.com"},
		ContactID:    "hs_42",
		RuleID:       "rule_1",
		Variant:      "b",
	}
}

package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/ingest/record"
)

type producerFunc func(ctx context.Context, recs []record.Record) error

func (f producerFunc) Produce(ctx context.Context, recs []record.Record) error { return f(ctx, recs) }

func scrape(t *testing.T, r *Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestWrappersCount(t *testing.T) {
	r := New()
	fail := errors.New("down")
	var failing bool
	p := r.DeadLetters(producerFunc(func(context.Context, []record.Record) error {
		if failing {
			return fail
		}
		return nil
	}))
	recs := []record.Record{{Topic: "p.clicks.raw.v1.dlq"}, {Topic: "webhooks.dlq.v1"}, {Topic: "clicks.enriched.v1"}}
	if err := p.Produce(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	failing = true
	if err := p.Produce(context.Background(), recs); !errors.Is(err, fail) {
		t.Fatalf("Produce = %v, want the producer's error", err)
	}
	h := r.StageHandler("enrich", "clicks.raw.v1", func(context.Context, []record.Record) error { return nil })
	h(context.Background(), make([]record.Record, 3))
	d := r.Deliveries("crm")
	d.Init("hubspot", "delivered")
	d.Observe("hubspot", "retry", 429, time.Millisecond)
	api := r.HTTP("api", func(*http.Request) string { return "/v1/links/{id}" }, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	api.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("BREW", "/v1/links/abc", nil))
	out := scrape(t, r)
	for _, want := range []string{
		`clicktrail_stage_dead_letters_total{topic="p.clicks.raw.v1.dlq"} 1`, // counted once: the failed produce took nothing
		`clicktrail_stage_dead_letters_total{topic="webhooks.dlq.v1"} 1`,
		`clicktrail_stage_batch_records_sum{stage="enrich",topic="clicks.raw.v1"} 3`,
		`clicktrail_crm_deliveries_total{outcome="delivered",receiver="hubspot",status="2xx"} 0`,
		`clicktrail_crm_deliveries_total{outcome="retry",receiver="hubspot",status="429"} 1`,
		`clicktrail_api_requests_total{method="other",route="/v1/links/{id}",status="429"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, `topic="clicks.enriched.v1"`) {
		t.Error("a record to a topic that is no dead-letter topic was counted as a dead letter")
	}
}

func TestNilRegistryRecordsNothing(t *testing.T) {
	var r *Registry
	h := func(context.Context, []record.Record) error { return nil }
	if got := r.StageHandler("s", "t", h); got == nil {
		t.Fatal("nil registry lost the handler")
	}
	r.Deliveries("webhook").Observe("endpoint", "delivered", 200, 0) // must not panic
	if r.KafkaHooks("producer") != nil {
		t.Fatal("nil registry gave hooks")
	}
}

func TestStatusClass(t *testing.T) {
	for status, want := range map[int]string{0: "none", 200: "2xx", 302: "3xx", 404: "4xx", 429: "429", 503: "5xx", 999: "other"} {
		if got := StatusClass(status); got != want {
			t.Errorf("StatusClass(%d) = %s, want %s", status, got, want)
		}
	}
}

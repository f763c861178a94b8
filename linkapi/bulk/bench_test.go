package bulk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/redirect/redirecttest"
)

// BenchmarkBulkJob measures a whole job of 10,000 items through the API
// and the runner (decode, checks, item keys, batched writes, outcomes,
// audit records), without link event hooks; links/s is the figure.
func BenchmarkBulkJob(b *testing.B) {
	s, _ := redirecttest.OpenStore(b, redirect.StoreOptions{})
	cfg := linkapi.APIConfig{Store: s, APIKeys: []string{testKey}, DefaultDomain: testDomain, RateLimit: linkapi.RateLimitConfig{PerSecond: -1},
		Destinations: linkapi.DestinationPolicy{Resolve: func(context.Context, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		}}}
	runner, err := NewRunner(cfg, Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer runner.Close()
	if cfg.Routes, err = Routes(cfg, Config{Runner: runner}); err != nil {
		b.Fatal(err)
	}
	h, err := linkapi.NewAPI(cfg)
	if err != nil {
		b.Fatal(err)
	}
	const items = 10_000
	n := 0
	for b.Loop() {
		var body bytes.Buffer
		body.WriteString(`{"items":[`)
		for i := range items {
			if i > 0 {
				body.WriteByte(',')
			}
			fmt.Fprintf(&body, `{"destination_url":"https://shop.example.com/p/%d","path":"bench-%d","tags":["bulk"],"idempotency_key":"k%d"}`, n, n, n)
			n++
		}
		body.WriteString(`]}`)
		req := httptest.NewRequest("POST", "/v1/links/bulk", &body)
		req.Header.Set("Authorization", "Bearer "+testKey)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var job Job
		if rec.Code != http.StatusAccepted || json.Unmarshal(rec.Body.Bytes(), &job) != nil {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
		for {
			got, err := newJobStore(s).getJob(context.Background(), job.ID)
			if err != nil {
				b.Fatal(err)
			}
			if got.Done() {
				if got.Created != items {
					b.Fatalf("job = %+v", got.Job)
				}
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "links/s")
}

package linkcheck

import (
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkRoundNothingDue measures the steady state of a round: every
// link read and settled, no destination due. Reported per link.
func BenchmarkRoundNothingDue(b *testing.B) {
	const links = 2000
	srv := newTestServer(b, http.StatusOK)
	f := newFixture(b, func(c *Config) { c.PageSize = 500 })
	for i := range links {
		f.link(fmt.Sprint("p", i), fmt.Sprintf("%s/item/%d", srv.URL, i%500))
	}
	f.round() // checks the 500 destinations once
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.c.CheckOnce(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*links), "ns/link")
}

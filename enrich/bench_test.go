package enrich

import "testing"

func BenchmarkEnrich(b *testing.B) {
	benches := []struct{ name, geo, ip string }{
		{"ipv4-nogeo", "", "203.0.113.77"},
		{"ipv4-geo", testGeoDB(b), "203.0.113.77"},
		{"ipv6-geo", testGeoDB(b), "2001:db8:1:2::5"},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			e := newTestEnricher(b, bb.geo)
			raw := rawClick(bb.ip)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Enrich(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEnrichParallel(b *testing.B) {
	e := newTestEnricher(b, testGeoDB(b))
	raw := rawClick("203.0.113.77")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Enrich(raw); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

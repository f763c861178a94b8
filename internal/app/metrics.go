package app

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/redirect"
)

// Metrics are served in the Prometheus text format at /metrics on the debug
// listener (--debug-addr). They are read from the components' own counters
// at scrape time, so the redirect path pays nothing for them.

var (
	redirectsDesc = prometheus.NewDesc("clicktrail_redirects_total",
		"Redirect requests answered, by result: served (a click was recorded or its capture failed), not_found, expired.",
		[]string{"result"}, nil)
	captureErrorsDesc = prometheus.NewDesc("clicktrail_click_capture_errors_total",
		"Clicks whose spool append failed; the redirect was still served. Alert on any increase.", nil, nil)
	spoolAppendsDesc = prometheus.NewDesc("clicktrail_spool_appends_total",
		"Records appended to the local spool since the process started.", nil, nil)
	spoolFullDesc = prometheus.NewDesc("clicktrail_spool_full_drops_total",
		"Records refused because the spool reached its size limit (the redirect was still served).", nil, nil)
	spoolBytesDesc = prometheus.NewDesc("clicktrail_spool_backlog_bytes",
		"Encoded bytes of spooled records not yet trimmed: what the spool's size limit bounds.", nil, nil)
	spoolBacklogDesc = prometheus.NewDesc("clicktrail_spool_backlog_records",
		"Records of a spool topic that its slowest consumer (the Kafka forwarder) has not committed.", []string{"topic"}, nil)
)

// nodeCollector reads a redirect node's counters at scrape time.
type nodeCollector struct {
	rd    *redirect.Redirector
	spool *ingest.Spool
}

func (c nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{redirectsDesc, captureErrorsDesc, spoolAppendsDesc, spoolFullDesc, spoolBytesDesc, spoolBacklogDesc} {
		ch <- d
	}
}

func (c nodeCollector) Collect(ch chan<- prometheus.Metric) {
	if c.rd != nil {
		st := c.rd.Stats()
		ch <- prometheus.MustNewConstMetric(redirectsDesc, prometheus.CounterValue, float64(st.Served), "served")
		ch <- prometheus.MustNewConstMetric(redirectsDesc, prometheus.CounterValue, float64(st.NotFound), "not_found")
		ch <- prometheus.MustNewConstMetric(redirectsDesc, prometheus.CounterValue, float64(st.Expired), "expired")
		ch <- prometheus.MustNewConstMetric(captureErrorsDesc, prometheus.CounterValue, float64(st.CaptureErrors))
	}
	if c.spool != nil {
		st := c.spool.Stats()
		ch <- prometheus.MustNewConstMetric(spoolAppendsDesc, prometheus.CounterValue, float64(st.Appends))
		ch <- prometheus.MustNewConstMetric(spoolFullDesc, prometheus.CounterValue, float64(st.FullDrops))
		ch <- prometheus.MustNewConstMetric(spoolBytesDesc, prometheus.GaugeValue, float64(st.BacklogBytes))
		for topic, ts := range st.Topics {
			ch <- prometheus.MustNewConstMetric(spoolBacklogDesc, prometheus.GaugeValue, float64(ts.Backlog), topic)
		}
	}
}

// metricsRegistry is a registry with the Go runtime and process collectors
// and cs.
func metricsRegistry(cs ...prometheus.Collector) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(cs...)
	return reg
}

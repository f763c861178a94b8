package app

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/internal/httpedge"
	"github.com/clicktrail/clicktrail/internal/metrics"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// Metrics are served in the Prometheus text format at /metrics on the debug
// listener (--debug-addr) of every process; docs/metrics.md lists them and
// internal/metrics says how they are named. The redirector's and the
// spool's are read from their own counters at scrape time, so the redirect
// path pays nothing for them.

var (
	redirectsDesc = prometheus.NewDesc("clicktrail_redirect_requests_total",
		"Redirect requests answered, by result: served (a click was recorded or its capture failed; 301/302/307), not_found (404), expired (410 or the expiry redirect).",
		[]string{"result"}, nil)
	captureErrorsDesc = prometheus.NewDesc("clicktrail_redirect_capture_errors_total",
		"Clicks whose spool append failed; the redirect was still served. Alert on any increase.", nil, nil)
	spoolAppendsDesc = prometheus.NewDesc("clicktrail_spool_appends_total",
		"Records appended to the local spool since the process started.", nil, nil)
	spoolFullDesc = prometheus.NewDesc("clicktrail_spool_full_drops_total",
		"Records refused because the spool reached its size limit (the redirect was still served).", nil, nil)
	spoolBytesDesc = prometheus.NewDesc("clicktrail_spool_backlog_bytes",
		"Encoded bytes of spooled records not yet trimmed: what the spool's size limit bounds.", nil, nil)
	spoolBacklogDesc = prometheus.NewDesc("clicktrail_spool_backlog_records",
		"Records of a spool topic that its slowest consumer (the Kafka forwarder, or a dev stage) has not committed.", []string{"topic"}, nil)
	spoolAgeDesc = prometheus.NewDesc("clicktrail_spool_oldest_record_age_seconds",
		"Age of the oldest record of a spool topic its slowest consumer has not committed (0: none waiting).", []string{"topic"}, nil)
	lagDesc = prometheus.NewDesc("clicktrail_consumer_lag_records",
		"Records a consumer group is behind the end of a partition (Kafka: at its last fetch; the spool has one partition, 0).",
		[]string{"group", "topic", "partition"}, nil)
)

// nodeCollector reads a redirect node's counters at scrape time: the
// redirector's, and the spool's with its consumers' lag (the forwarders;
// in dev the stages).
type nodeCollector struct {
	rd    *redirect.Redirector
	spool *ingest.Spool
}

func (c nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{redirectsDesc, captureErrorsDesc, spoolAppendsDesc, spoolFullDesc, spoolBytesDesc,
		spoolBacklogDesc, spoolAgeDesc, lagDesc} {
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
	if c.spool == nil {
		return
	}
	st := c.spool.Stats()
	ch <- prometheus.MustNewConstMetric(spoolAppendsDesc, prometheus.CounterValue, float64(st.Appends))
	ch <- prometheus.MustNewConstMetric(spoolFullDesc, prometheus.CounterValue, float64(st.FullDrops))
	ch <- prometheus.MustNewConstMetric(spoolBytesDesc, prometheus.GaugeValue, float64(st.BacklogBytes))
	now := time.Now()
	for topic, ts := range st.Topics {
		ch <- prometheus.MustNewConstMetric(spoolBacklogDesc, prometheus.GaugeValue, float64(ts.Backlog), topic)
		age := 0.0
		if ts.Backlog > 0 {
			if oldest, ok, err := c.spool.OldestPending(topic); err == nil && ok {
				age = max(now.Sub(oldest).Seconds(), 0)
			}
		}
		ch <- prometheus.MustNewConstMetric(spoolAgeDesc, prometheus.GaugeValue, age, topic)
		for group, cursor := range ts.Cursors {
			lag := 0.0
			if ts.Next > cursor {
				lag = float64(ts.Next - cursor)
			}
			ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, lag, group, topic, "0")
		}
	}
}

// lagReader is a Kafka consumer that knows its lag (ingest.KafkaConsumer).
type lagReader interface {
	Group() string
	Topic() string
	Lag() map[int32]int64
}

var _ lagReader = (*ingest.KafkaConsumer)(nil)

// kafkaLagCollector reads a worker's consumers' lag at scrape time.
type kafkaLagCollector struct{ consumers []lagReader }

func (c kafkaLagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- lagDesc }

func (c kafkaLagCollector) Collect(ch chan<- prometheus.Metric) {
	for _, kc := range c.consumers {
		for p, lag := range kc.Lag() {
			ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, float64(lag), kc.Group(), kc.Topic(), strconv.Itoa(int(p)))
		}
	}
}

// meteredSender counts the webhook stage's delivery attempts
// (clicktrail_webhook_deliveries_total and _delivery_duration_seconds).
type meteredSender struct {
	webhook.Sender
	m *metrics.Deliveries
}

func (s meteredSender) Deliver(ctx context.Context, ep webhook.Endpoint, msg webhook.Message) webhook.Result {
	r := s.Sender.Deliver(ctx, ep, msg)
	s.m.Observe("endpoint", r.Outcome.String(), r.Status, r.Latency)
	return r
}

// webhookDeliveries are the webhook stage's delivery metrics, with every
// outcome's series present from the start.
func webhookDeliveries(reg *metrics.Registry) *metrics.Deliveries {
	d := reg.Deliveries("webhook")
	d.Init("endpoint", webhook.OutcomeDelivered.String(), webhook.OutcomeRetry.String(),
		webhook.OutcomeDisable.String(), webhook.OutcomeFailed.String())
	return d
}

// apiRoute is the route label of a request to an API whose routes are
// rs: the OpenAPI path template it matches, or "other".
func apiRoute(rs *httpedge.Routes) func(*http.Request) string {
	return func(r *http.Request) string {
		if rs != nil {
			if t := rs.Template(r.URL.Path); t != "" {
				return t
			}
		}
		return "other"
	}
}

// webhookRoute is the route label of the webhook sink's endpoint API: the
// pattern of webhook.Routes a request matches, or "other".
func webhookRoute() func(*http.Request) string {
	mux := http.NewServeMux()
	for _, r := range webhook.Routes() {
		pattern := r.Method + " " + r.Pattern
		mux.Handle(pattern, http.NotFoundHandler())
	}
	return func(r *http.Request) string {
		if _, p := mux.Handler(r); p != "" {
			if _, path, ok := strings.Cut(p, " "); ok {
				return path
			}
		}
		return "other"
	}
}

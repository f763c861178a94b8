package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Deliveries counts the attempts of a sink that delivers to receivers
// outside (component webhook, crm):
//
//	clicktrail_<component>_deliveries_total{receiver,outcome,status}
//	clicktrail_<component>_delivery_duration_seconds{receiver,outcome}
//
// receiver names the kind of receiver (webhook: endpoint; crm: the adapter,
// hubspot), never an account or URL; outcome is the sink's own (delivered,
// retry, disable, failed); status is the HTTP status class (2xx, 3xx, 4xx,
// 5xx), 429 on its own, or none when there was no answer.
type Deliveries struct {
	n *prometheus.CounterVec
	d *prometheus.HistogramVec
}

// Deliveries returns the delivery metrics of component (one per process
// and component; later calls return the same). On a nil Registry it
// returns nil, whose Observe does nothing.
func (r *Registry) Deliveries(component string) *Deliveries {
	if r == nil {
		return nil
	}
	return &Deliveries{
		n: vec(r, component+"_deliveries_total", func() *prometheus.CounterVec {
			return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: component, Name: "deliveries_total",
				Help: "Delivery attempts by receiver kind, outcome and HTTP status class (429 apart; none: no answer)."},
				[]string{"receiver", "outcome", "status"})
		}),
		d: vec(r, component+"_delivery_duration_seconds", func() *prometheus.HistogramVec {
			return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: component, Name: "delivery_duration_seconds",
				Help: "Time of a delivery attempt, to the answer or the failure."}, []string{"receiver", "outcome"})
		}),
	}
}

// Observe records one attempt to a receiver of kind receiver: its outcome,
// the HTTP status it got (0: none) and how long it took.
func (d *Deliveries) Observe(receiver, outcome string, status int, took time.Duration) {
	if d == nil {
		return
	}
	d.n.WithLabelValues(receiver, outcome, StatusClass(status)).Inc()
	d.d.WithLabelValues(receiver, outcome).Observe(took.Seconds())
}

// Init makes the series of receiver's outcomes appear at zero before the
// first attempt, so that dashboards and rate() see them from the start.
func (d *Deliveries) Init(receiver string, outcomes ...string) {
	if d == nil {
		return
	}
	for _, o := range outcomes {
		d.n.WithLabelValues(receiver, o, StatusClass(200))
		d.d.WithLabelValues(receiver, o)
	}
}

// StatusClass is status as a label: 2xx, 3xx, 4xx, 5xx, 429 on its own
// (a receiver or the API rate limiting), none for 0 (no answer).
func StatusClass(status int) string {
	switch {
	case status == 0:
		return "none"
	case status == 429:
		return "429"
	case status >= 100 && status < 600:
		return strconv.Itoa(status/100) + "xx"
	}
	return "other"
}

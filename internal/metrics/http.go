package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// HTTP wraps h, the API of component (api: the link API; webhook_api: the
// webhook sink's endpoint API):
//
//	clicktrail_<component>_requests_total{method,route,status}
//	clicktrail_<component>_request_duration_seconds{method,route,status}
//
// route is route(r) after h answered: a route template of the API's
// OpenAPI document (/v1/links/{id}), or "other"; status is the answer's
// code, so 429s (rate limited) are status="429". Never used on the
// redirect listener, whose results are counted by the redirector itself.
func (r *Registry) HTTP(component string, route func(*http.Request) string, h http.Handler) http.Handler {
	if r == nil {
		return h
	}
	n := vec(r, component+"_requests_total", func() *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: component, Name: "requests_total",
			Help: "Requests answered, by method, route template and status code."}, []string{"method", "route", "status"})
	})
	d := vec(r, component+"_request_duration_seconds", func() *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: component, Name: "request_duration_seconds",
			Help: "Time to answer a request, by method, route template and status code."}, []string{"method", "route", "status"})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, req)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		method := req.Method
		switch method {
		case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		default:
			method = "other" // bounded: a client chooses the method
		}
		labels := []string{method, route(req), strconv.Itoa(status)}
		n.WithLabelValues(labels...).Inc()
		d.WithLabelValues(labels...).Observe(time.Since(start).Seconds())
	})
}

// statusWriter remembers the status an http.Handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

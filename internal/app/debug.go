package app

import (
	"net/http"
	"net/http/pprof"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// debugHandler serves the runtime profiles (go tool pprof
// http://ADDR/debug/pprof/profile) and the Prometheus metrics of cs, with
// the Go runtime's and the process's, at /metrics. It is mounted on its own
// listener, never on the redirect or API one.
func debugHandler(cs ...prometheus.Collector) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/metrics", promhttp.HandlerFor(metricsRegistry(cs...), promhttp.HandlerOpts{}))
	return mux
}

package app

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"

	"github.com/clicktrail/clicktrail/internal/metrics"
)

// debugHandler serves the runtime profiles (go tool pprof
// http://ADDR/debug/pprof/profile) and the process's metrics, reg, at
// /metrics. It is mounted on its own listener (--debug-addr), never on
// the redirect or API one.
func debugHandler(reg *metrics.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/metrics", reg.Handler())
	return mux
}

// serveDebug serves debugHandler(reg) on ln in g, and tells onReady (when
// set) its base URL.
func serveDebug(g *group, ln net.Listener, reg *metrics.Registry, onReady func(string), log *slog.Logger) {
	g.Go("debug server", func(ctx context.Context) error { return serve(ctx, ln, debugHandler(reg), log) })
	if onReady != nil {
		onReady("http://" + hostForURL(ln.Addr().String()))
	}
}

package app

import (
	"net/http"
	"net/http/pprof"
)

// debugHandler serves the runtime profiles (go tool pprof
// http://ADDR/debug/pprof/profile). It is mounted on its own listener, never
// on the redirect or API one.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// Command bare302 answers GET /<slug> with a 302 to the slug's destination
// from a Go map, and nothing else: no click capture, no rules, no logging.
// It is the ceiling a Go redirector can reach on this machine with each HTTP
// server design, measured beside nginx by bench/redirect-vs-nginx.sh:
// fasthttp (what the node serves with), net/http, and gnet (event loops, no
// goroutine per connection, with a minimal request reader of its own).
//
//	bare302 -server fasthttp -addr 127.0.0.1:18183 -map map.conf
//
// The map file is the nginx map body bench/cmd/mklinks writes
// ("/slug destination;" lines).
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/valyala/fasthttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18183", "listen address")
	server := flag.String("server", "fasthttp", "HTTP server: fasthttp, net/http or gnet")
	mapPath := flag.String("map", "", "nginx map body: \"/slug destination;\" lines (required)")
	flag.Parse()
	if *mapPath == "" {
		log.Fatal("-map: required")
	}
	dests, err := readMap(*mapPath)
	if err != nil {
		log.Fatal(err)
	}
	switch *server {
	case "fasthttp":
		err = serveFast(*addr, dests)
	case "net/http":
		err = serveNetHTTP(*addr, dests)
	case "gnet":
		err = serveGnet(*addr, dests)
	default:
		err = fmt.Errorf("-server: want fasthttp, net/http or gnet, got %q", *server)
	}
	log.Fatal(err)
}

// readMap reads "/slug destination;" lines into path -> destination.
func readMap(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dests := make(map[string]string)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		slug, dest, ok := strings.Cut(strings.TrimSuffix(line, ";"), " ")
		if !ok || !strings.HasPrefix(slug, "/") {
			return nil, fmt.Errorf("%s:%d: want \"/slug destination;\", got %q", path, n, line)
		}
		dests[slug] = strings.Trim(dest, `"`)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(dests) == 0 {
		return nil, errors.New(path + ": no entries")
	}
	return dests, nil
}

func serveFast(addr string, dests map[string]string) error {
	srv := &fasthttp.Server{NoDefaultServerHeader: true, NoDefaultContentType: true,
		Handler: func(ctx *fasthttp.RequestCtx) {
			dest, ok := dests[string(ctx.Path())]
			if !ok {
				ctx.SetStatusCode(http.StatusNotFound)
				return
			}
			ctx.Response.Header.Set("Location", dest)
			ctx.SetStatusCode(http.StatusFound)
		}}
	return srv.ListenAndServe(addr)
}

func serveNetHTTP(addr string, dests map[string]string) error {
	locs := make(map[string][]string, len(dests))
	for k, v := range dests {
		locs[k] = []string{v}
	}
	return http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loc, ok := locs[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header()["Location"] = loc
		w.WriteHeader(http.StatusFound)
	}))
}

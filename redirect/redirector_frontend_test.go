package redirect

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// frontEnd is one of the redirector's two front-ends, so that every test of
// redirect behaviour runs against both: serve answers one request in
// process, start serves the redirector on a real loopback listener and
// returns its base URL.
type frontEnd struct {
	name  string
	serve func(t testing.TB, rd *Redirector, req *http.Request) *httptest.ResponseRecorder
	start func(t testing.TB, rd *Redirector) string
}

var frontEnds = []frontEnd{
	{"net/http", serveNetHTTP, startNetHTTP},
	{"fasthttp", serveFast, startFast},
}

// forEachFrontEnd runs f as a subtest per front-end.
func forEachFrontEnd(t *testing.T, f func(t *testing.T, fe frontEnd)) {
	for _, fe := range frontEnds {
		t.Run(fe.name, func(t *testing.T) { f(t, fe) })
	}
}

func serveNetHTTP(_ testing.TB, rd *Redirector, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	rd.ServeHTTP(rec, req)
	return rec
}

func startNetHTTP(t testing.TB, rd *Redirector) string {
	srv := httptest.NewServer(rd)
	t.Cleanup(srv.Close)
	return srv.URL
}

// serveFast sends req through ServeFastHTTP in process: req is written in
// wire format and parsed by fasthttp, as its server would, and the answer is
// copied into a recorder.
func serveFast(t testing.TB, rd *Redirector, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatal(err)
	}
	var freq fasthttp.Request
	if err := freq.Read(bufio.NewReader(&wire)); err != nil {
		t.Fatalf("fasthttp cannot read %s %s: %v", req.Method, req.URL, err)
	}
	remote, err := net.ResolveTCPAddr("tcp", req.RemoteAddr)
	if err != nil {
		t.Fatal(err)
	}
	var ctx fasthttp.RequestCtx
	ctx.Init(&freq, remote, nil)
	rd.ServeFastHTTP(&ctx)

	rec := httptest.NewRecorder()
	for k, v := range ctx.Response.Header.All() {
		rec.Header().Add(string(k), string(v))
	}
	rec.WriteHeader(ctx.Response.StatusCode())
	rec.Write(ctx.Response.Body())
	return rec
}

// startFast serves ServeFastHTTP on a loopback listener until the test ends.
// NoDefaultDate keeps fasthttp's process-wide date refresher (a goroutine
// that never ends) from starting, and a short MaxIdleWorkerDuration lets the
// worker pool's cleaner (which sleeps that long between rounds) end soon
// after Shutdown: goleak would report either.
func startFast(t testing.TB, rd *Redirector) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: rd.ServeFastHTTP, NoDefaultDate: true, NoDefaultServerHeader: true,
		MaxIdleWorkerDuration: 10 * time.Millisecond}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := srv.Shutdown(); err != nil {
			t.Errorf("fasthttp shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("fasthttp serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

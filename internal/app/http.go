package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/clicktrail/clicktrail/internal/httpedge"
)

// serverLimits bound what one client can hold of a server. Redirect
// requests are tiny: small header limits and short timeouts keep slow
// clients (slowloris) from holding connections. Both redirect front-ends
// and the API server get the same (defaultLimits); tests shorten them.
type serverLimits struct {
	readHeader time.Duration // request line and headers, from the first byte
	read       time.Duration // a whole request (net/http; fasthttp uses readHeader, as redirects have no body)
	write      time.Duration
	idle       time.Duration // between keep-alive requests
	header     int           // bytes of request line and headers (431 beyond)
	body       int           // bytes of a redirect request's body (413 beyond); the API's handlers bound their own
	grace      time.Duration // shutdown: how long in-flight requests may take to finish
	// linger bounds what is read and thrown away, after an answer, of a
	// request the server did not read whole (a body over the limit), so
	// that a client still sending reads its answer instead of a reset.
	linger httpedge.Linger
}

var defaultLimits = serverLimits{
	readHeader: 5 * time.Second,
	read:       15 * time.Second,
	write:      15 * time.Second,
	idle:       90 * time.Second,
	header:     16 << 10,
	body:       4 << 10,
	grace:      10 * time.Second,
	linger:     httpedge.DefaultLinger,
}

// listen opens addr now, so that a port conflict fails at start and tests
// can ask for port 0 and learn the real address.
func listen(name, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s listener on %s: %w", name, addr, err)
	}
	return ln, nil
}

// serve runs h on ln with defaultLimits until ctx ends, then stops
// accepting and drains in-flight requests for up to the limits' grace.
func serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	return serveLimited(ctx, ln, h, log, defaultLimits)
}

func serveLimited(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, lim serverLimits) error {
	return runServer(ctx, newServer(h, log, lim), httpedge.Listen(ln, lim.linger), lim)
}

// serveAPI is serve for an API: every error answer is JSON in the API's
// error shape, whoever gives it (httpedge.JSONErrors), and a known path
// asked with a method it does not serve gets 405 when routes is set.
func serveAPI(ctx context.Context, ln net.Listener, h http.Handler, routes *httpedge.Routes, log *slog.Logger) error {
	return serveAPILimited(ctx, ln, h, routes, log, defaultLimits)
}

func serveAPILimited(ctx context.Context, ln net.Listener, h http.Handler, routes *httpedge.Routes, log *slog.Logger, lim serverLimits) error {
	srv := newServer(h, log, lim)
	apiLn, err := httpedge.JSONErrors(srv, ln, httpedge.Config{MaxHeaderBytes: lim.header, Linger: lim.linger, Routes: routes, Logger: log})
	if err != nil {
		return err
	}
	return runServer(ctx, srv, apiLn, lim)
}

// newServer is a net/http server with lim, to serve a Listen listener.
func newServer(h http.Handler, log *slog.Logger, lim serverLimits) *http.Server {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.readHeader,
		ReadTimeout:       lim.read,
		WriteTimeout:      lim.write,
		IdleTimeout:       lim.idle,
		MaxHeaderBytes:    lim.header,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	httpedge.Install(srv)
	return srv
}

// runServer serves srv on ln until ctx ends, then shuts it down within
// the limits' grace.
func runServer(ctx context.Context, srv *http.Server, ln net.Listener, lim serverLimits) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), lim.grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down %s: %w", ln.Addr(), err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Redirect front-ends: the HTTP server library the redirect listener runs.
const (
	FrontEndFastHTTP = "fasthttp" // the default: about 1.5x net/http's redirects per core (bench/cmd/bare302)
	FrontEndNetHTTP  = "net/http"
)

// fastServer is a fasthttp server with the limits serve gives net/http's:
// ReadTimeout bounds reading a whole request from its first byte (headers
// included, so a slowloris client is cut off), IdleTimeout the wait for the
// next one; ReadBufferSize bounds the request line and headers (431
// beyond), MaxRequestBodySize the body (413, see fastError).
func fastServer(h fasthttp.RequestHandler, log *slog.Logger, lim serverLimits) *fasthttp.Server {
	return &fasthttp.Server{
		Handler:                      h,
		ErrorHandler:                 fastError,
		ExpectHandler:                fastExpect(lim.body),
		ReadTimeout:                  lim.readHeader,
		WriteTimeout:                 lim.write,
		IdleTimeout:                  lim.idle,
		ReadBufferSize:               lim.header,
		MaxRequestBodySize:           lim.body,
		DisablePreParseMultipartForm: true,
		NoDefaultServerHeader:        true,
		NoDefaultContentType:         true,
		CloseOnShutdown:              true,
		Logger:                       fastLogger{log},
	}
}

// serveFast is serve for a fasthttp handler: it runs h on ln until ctx ends,
// then stops accepting and drains in-flight requests for up to the limits'
// grace (idle keep-alive connections are closed at once).
func serveFast(ctx context.Context, ln net.Listener, h fasthttp.RequestHandler, log *slog.Logger, lim serverLimits) error {
	srv := fastServer(h, log, lim)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(httpedge.Listen(ln, lim.linger)) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), lim.grace)
	defer cancel()
	if err := srv.ShutdownWithContext(sctx); err != nil {
		return fmt.Errorf("shut down %s: %w", ln.Addr(), err)
	}
	return <-errc
}

// fastLogger sends fasthttp's messages (connection errors) to slog at debug
// level, as serve does with net/http's.
type fastLogger struct{ log *slog.Logger }

func (l fastLogger) Printf(format string, args ...any) {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.log.Debug(fmt.Sprintf(format, args...))
	}
}

// fastPeerTrusted reports whether the connection's peer is a trusted
// proxy, reading a TCP peer's address as it is (no text round trip).
func fastPeerTrusted(peer net.Addr, trusted []netip.Prefix) bool {
	if a, ok := peer.(*net.TCPAddr); ok {
		return isTrusted(a.AddrPort().Addr(), trusted)
	}
	p, err := netip.ParseAddrPort(peer.String())
	return err == nil && isTrusted(p.Addr(), trusted)
}

// realIPFast is realIP for the fasthttp front-end: the client address it
// finds replaces the peer's for this request only.
func realIPFast(h fasthttp.RequestHandler, trusted []netip.Prefix) fasthttp.RequestHandler {
	if len(trusted) == 0 {
		return h
	}
	return func(ctx *fasthttp.RequestCtx) {
		ctx.SetRemoteAddr(nil) // the connection's peer: a keep-alive ctx keeps the last request's
		if fastPeerTrusted(ctx.RemoteAddr(), trusted) {
			if raw := ctx.Request.Header.PeekAll("X-Forwarded-For"); len(raw) > 0 {
				xff := make([]string, len(raw))
				for i, v := range raw {
					xff[i] = string(v)
				}
				if addr, ok := forwardedClient(xff, trusted); ok {
					ctx.SetRemoteAddr(net.TCPAddrFromAddrPort(netip.AddrPortFrom(addr, 0)))
				}
			}
		}
		h(ctx)
	}
}

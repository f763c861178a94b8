package httpedge

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
)

// Config configures JSONErrors.
type Config struct {
	// MaxHeaderBytes is the documented limit on a request's line and
	// header fields (431 beyond), checked by the handler wrapper on the
	// parsed request. JSONErrors sets the server's own MaxHeaderBytes to
	// HardHeaderFactor times it, so that net/http refuses first only far
	// beyond it (and that refusal is JSON too).
	MaxHeaderBytes int
	// Linger bounds the lingering close (DefaultLinger when zero).
	Linger Linger
	// Routes, when set, tells which methods each path of the API serves,
	// so that a known path asked with a method it does not serve gets a
	// 405 with Allow rather than the API's 404 (see RoutesFromOpenAPI).
	Routes *Routes
	Logger *slog.Logger
}

// HardHeaderFactor: net/http's MaxHeaderBytes under JSONErrors is this
// many times Config.MaxHeaderBytes.
const HardHeaderFactor = 2

// Validate names the first bad field.
func (c Config) Validate() error {
	if c.MaxHeaderBytes <= 0 {
		return fmt.Errorf("MaxHeaderBytes: %d, want > 0", c.MaxHeaderBytes)
	}
	if c.Linger.Bytes < 0 || c.Linger.Time < 0 {
		return fmt.Errorf("Linger: %+v, want both >= 0", c.Linger)
	}
	return nil
}

type connKey struct{}

// JSONErrors makes every error answer of srv JSON in the API's error
// shape (see the package doc), and returns ln wrapped as srv must serve
// it: srv.Serve(JSONErrors(srv, ln, cfg)). It sets srv's Handler (wrapped),
// MaxHeaderBytes, ConnContext and ConnState, which must not be changed
// after.
func JSONErrors(srv *http.Server, ln net.Listener, cfg Config) (net.Listener, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("httpedge config: %w", err)
	}
	if cfg.Linger == (Linger{}) {
		cfg.Linger = DefaultLinger
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	srv.MaxHeaderBytes = HardHeaderFactor * cfg.MaxHeaderBytes
	srv.Handler = &jsonHandler{next: srv.Handler, cfg: cfg}
	Install(srv)
	return &listener{Listener: ln, linger: cfg.Linger, api: true}, nil
}

// Install sets srv's ConnContext and ConnState, which must not be changed
// after, so that LingerRequest can find a request's connection and a
// connection reused for another request stops lingering. srv must serve a
// Listen or JSONErrors listener.
func Install(srv *http.Server) {
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if c, ok := c.(*Conn); ok {
			return context.WithValue(ctx, connKey{}, c)
		}
		return ctx
	}
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		if c, ok := c.(*Conn); ok && s == http.StateIdle {
			c.idle()
		}
	}
}

// LingerRequest marks r's connection to linger if the server closes it
// after this request: for a request whose body the handler may leave
// unread. net/http closes such a connection without a half-close when the
// request said "Connection: close" or the handler answered with it, so
// the Conn cannot tell by itself. If the connection is reused instead
// (net/http read the rest of the body), the mark is cleared.
func LingerRequest(r *http.Request) {
	if c, ok := r.Context().Value(connKey{}).(*Conn); ok {
		c.lingering.Store(true)
	}
}

// idle: the connection's last response is flushed and it waits for the
// next request, which net/http only does once the last one is read whole.
func (c *Conn) idle() {
	c.lingering.Store(false)
	if c.api != nil {
		c.api.idle()
	}
}

package app

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// testLimits are defaultLimits with timeouts short enough for a test to
// see them fire; the sizes are the real ones.
var testLimits = func() serverLimits {
	l := defaultLimits
	l.readHeader, l.read, l.write, l.idle, l.grace = 200*time.Millisecond, time.Second, time.Second, time.Second, 5*time.Second
	return l
}()

// gate holds the "/slow" request of a testServer: its handler signals
// entered, then waits for release.
type gate struct{ entered, release chan struct{} }

func (g *gate) hold() {
	if g != nil {
		g.entered <- struct{}{}
		<-g.release
	}
}

// testServer is one redirect front-end serving "/slow" (held at its gate)
// and everything else with 302 to /dest.
type testServer struct {
	name  string
	start func(ctx context.Context, ln net.Listener, g *gate) error
}

var testServers = []testServer{
	{FrontEndNetHTTP, func(ctx context.Context, ln net.Listener, g *gate) error {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				g.hold()
			}
			w.Header().Set("Location", "/dest")
			w.WriteHeader(http.StatusFound)
		})
		return serveLimited(ctx, ln, h, slog.New(slog.DiscardHandler), testLimits)
	}},
	{FrontEndFastHTTP, func(ctx context.Context, ln net.Listener, g *gate) error {
		h := func(c *fasthttp.RequestCtx) {
			if string(c.Path()) == "/slow" {
				g.hold()
			}
			c.Response.Header.Set("Location", "/dest")
			c.SetStatusCode(http.StatusFound)
		}
		return serveFast(ctx, ln, h, slog.New(slog.DiscardHandler), testLimits)
	}},
}

// startTestServer serves ts on a loopback port until the test ends and
// returns the address and a function that stops the server and returns
// what serve returned.
func startTestServer(t *testing.T, ts testServer, g *gate) (addr string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ts.start(ctx, ln, g) }()
	var once bool
	var result error
	stop = func() error {
		if !once {
			once = true
			cancel()
			result = <-done
		}
		return result
	}
	t.Cleanup(func() { stop() })
	return ln.Addr().String(), stop
}

// statusOf sends raw on a new connection and returns the answer's status
// code, or 0 when the server closed the connection without one.
func statusOf(t *testing.T, addr, raw string) int {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second)) // a generous bound against a hung test, not a timing assertion
	if _, err := io.WriteString(c, raw); err != nil {
		return 0 // the server may refuse before reading everything
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServerLimits(t *testing.T) {
	for _, ts := range testServers {
		t.Run(ts.name, func(t *testing.T) {
			addr, _ := startTestServer(t, ts, nil)
			for _, tc := range []struct {
				name string
				raw  string
				want []int // any of these; 0 means closed without an answer
			}{
				{"plain request", "GET /spring HTTP/1.1\r\nHost: go.example.com\r\nConnection: close\r\n\r\n", []int{302}},
				{"headers over the limit", "GET /spring HTTP/1.1\r\nHost: go.example.com\r\nX-Big: " +
					strings.Repeat("a", 2*defaultLimits.header) + "\r\n\r\n", []int{431, 0}},
				{"request line over the limit", "GET /" + strings.Repeat("a", 2*defaultLimits.header) +
					" HTTP/1.1\r\nHost: go.example.com\r\n\r\n", []int{431, 414, 0}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					got := statusOf(t, addr, tc.raw)
					for _, w := range tc.want {
						if got == w {
							return
						}
					}
					t.Errorf("status %d, want one of %v", got, tc.want)
				})
			}
		})
	}
}

// TestServerCutsOffSlowloris: a client that sends part of its headers and
// then nothing is disconnected once the header timeout passes.
func TestServerCutsOffSlowloris(t *testing.T) {
	for _, ts := range testServers {
		t.Run(ts.name, func(t *testing.T) {
			addr, _ := startTestServer(t, ts, nil)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, "GET /spring HTTP/1.1\r\nHost: go.exa"); err != nil {
				t.Fatal(err)
			}
			// Generous bound: the server must close long before it.
			c.SetReadDeadline(time.Now().Add(30 * time.Second))
			_, err = io.ReadAll(c) // a 408 answer or nothing, then EOF
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the server kept a slowloris connection open")
			}
		})
	}
}

// TestServerDrainsOnShutdown: a request in flight when shutdown starts is
// answered, and serve returns nil once it is.
func TestServerDrainsOnShutdown(t *testing.T) {
	for _, ts := range testServers {
		t.Run(ts.name, func(t *testing.T) {
			g := &gate{entered: make(chan struct{}, 1), release: make(chan struct{})}
			addr, stop := startTestServer(t, ts, g)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: go.example.com\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			<-g.entered // in flight
			stopped := make(chan error, 1)
			go func() { stopped <- stop() }()
			// Wait until the listener refuses new connections: shutdown has begun.
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				probe, err := net.Dial("tcp", addr)
				if err != nil {
					break
				}
				probe.Close()
				if time.Now().After(deadline) {
					t.Fatal("the listener still accepts after shutdown began")
				}
			}
			close(g.release)
			c.SetReadDeadline(time.Now().Add(30 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("in-flight request not answered: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound {
				t.Errorf("in-flight request: %d, want 302", resp.StatusCode)
			}
			if err := <-stopped; err != nil {
				t.Errorf("serve returned %v after a graceful shutdown", err)
			}
		})
	}
}

// TestRealIPFast: the fasthttp front-end believes X-Forwarded-For from
// trusted proxies only, and per request: a keep-alive connection's next
// request without the header is its peer again.
func TestRealIPFast(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	var seen string
	h := realIPFast(func(c *fasthttp.RequestCtx) { seen = c.RemoteAddr().String() }, trusted)
	var ctx fasthttp.RequestCtx
	peer := ""
	for _, tc := range []struct {
		name, peer, xff, want string
	}{
		{"trusted proxy", "10.1.2.3:5555", "198.51.100.1", "198.51.100.1:0"},
		{"next request without the header", "10.1.2.3:5555", "", "10.1.2.3:5555"},
		{"untrusted peer", "203.0.113.9:5555", "198.51.100.1", "203.0.113.9:5555"},
		{"spoofed left part", "10.1.2.3:5555", "1.2.3.4, 198.51.100.7", "198.51.100.7:0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var req fasthttp.Request
			req.SetRequestURI("/spring")
			if tc.xff != "" {
				req.Header.Set("X-Forwarded-For", tc.xff)
			}
			if tc.peer != peer { // a new connection; else the next request on it
				ctx.Init(&req, net.TCPAddrFromAddrPort(netip.MustParseAddrPort(tc.peer)), nil)
				peer = tc.peer
			} else {
				req.CopyTo(&ctx.Request)
			}
			h(&ctx)
			if seen != tc.want {
				t.Errorf("handler saw %s, want %s", seen, tc.want)
			}
		})
	}
}

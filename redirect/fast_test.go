package redirect

import (
	"bufio"
	"net"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

func TestSplitTarget(t *testing.T) {
	for _, tc := range []struct {
		name, target, path, query, host string
	}{
		{"origin form", "/spring", "/spring", "", ""},
		{"with query", "/a/b?x=1&qr=1", "/a/b", "x=1&qr=1", ""},
		{"empty query", "/spring?", "/spring", "", ""},
		{"escapes kept", "/spr%69ng?%71r=1", "/spr%69ng", "%71r=1", ""},
		{"absolute form", "http://Go.Example.com:8080/spring?x=1", "/spring", "x=1", "Go.Example.com:8080"},
		{"absolute form without path", "https://go.example.com", "/", "", "go.example.com"},
		{"absolute form, query only", "http://go.example.com?x=1", "/", "x=1", "go.example.com"},
		{"asterisk form", "*", "*", "", ""},
		{"garbage", "spring", "spring", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, query, host := splitTarget(tc.target)
			if path != tc.path || query != tc.query || host != tc.host {
				t.Errorf("splitTarget(%q) = %q, %q, %q; want %q, %q, %q", tc.target, path, query, host, tc.path, tc.query, tc.host)
			}
		})
	}
}

func TestFastRemoteIP(t *testing.T) {
	for _, tc := range []struct {
		name string
		addr net.Addr
		want string
	}{
		{"IPv4", &net.TCPAddr{IP: net.IPv4(203, 0, 113, 9), Port: 5123}, "203.0.113.9"},
		{"IPv6", &net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 443}, "2001:db8::1"},
		{"IPv4 as 16 bytes", &net.TCPAddr{IP: net.ParseIP("::ffff:198.51.100.7"), Port: 1}, "198.51.100.7"},
		{"unix socket", &net.UnixAddr{Name: "@sock", Net: "unix"}, "@sock"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fastRemoteIP(tc.addr); got != tc.want {
				t.Errorf("fastRemoteIP(%v) = %q, want %q", tc.addr, got, tc.want)
			}
		})
	}
}

// FuzzSplitTarget: any target splits without panicking, and the parts are
// pieces of it.
func FuzzSplitTarget(f *testing.F) {
	for _, s := range []string{"/spring?x=1", "http://h/p?q", "https://h", "*", "", "://", "a://?", "/%zz?%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		path, query, host := splitTarget(target)
		if len(path)+len(query)+len(host) > len(target)+1 {
			t.Fatalf("splitTarget(%q) = %q, %q, %q: longer than the target", target, path, query, host)
		}
		if _, ok := ParsePath(path); ok && path[0] != '/' {
			t.Fatalf("ParsePath accepted %q", path)
		}
	})
}

// BenchmarkRedirectFast is BenchmarkRedirect through ServeFastHTTP: the
// request is parsed once, as fasthttp's server would, and answered again
// and again.
func BenchmarkRedirectFast(b *testing.B) {
	f := newRedirectFixture(b, false)
	rd, err := NewRedirector(RedirectConfig{Store: f.store, Clicks: discardClicks{}})
	if err != nil {
		b.Fatal(err)
	}
	newCtx := func() *fasthttp.RequestCtx {
		var req fasthttp.Request
		raw := "GET /spring HTTP/1.1\r\nHost: " + testDomain + "\r\n" +
			"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36\r\n" +
			"Accept-Language: en-US,en;q=0.9\r\n\r\n"
		if err := req.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
			b.Fatal(err)
		}
		ctx := &fasthttp.RequestCtx{}
		ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(203, 0, 113, 9), Port: 51234}, nil)
		return ctx
	}
	b.Run("serial", func(b *testing.B) {
		ctx := newCtx()
		b.ReportAllocs()
		for b.Loop() {
			ctx.Response.Reset()
			rd.ServeFastHTTP(ctx)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			ctx := newCtx()
			for pb.Next() {
				ctx.Response.Reset()
				rd.ServeFastHTTP(ctx)
			}
		})
	})
	if s := rd.Stats(); s.Served == 0 || s.NotFound != 0 {
		b.Fatalf("benchmark did not redirect: %+v", s)
	}
}

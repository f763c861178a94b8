package redirect

import (
	"net"
	"net/http"
	"strings"
	"unsafe"

	"github.com/valyala/fasthttp"
)

// ServeFastHTTP is the fasthttp front-end of the redirector: the same
// answers as ServeHTTP (see NewRedirector), from the same core. It is what
// the node serves the redirect listener with by default: on one core,
// net/http's per-request work (a Request and its header map, a response
// writer, a bufio flush per answer) costs more than the whole redirect, and
// a bare net/http server answering from a map stays well below nginx.
//
// The request's bytes are read in place, without copying: the core keeps
// nothing of them past the call (see request). The request target is taken
// raw from the request line, as net/http's EscapedPath and RawQuery are,
// never fasthttp's normalized Path, so that the matching rules of the
// package doc apply unchanged. An absolute-form target
// ("GET http://go.brand.com/spring") names the host, as in net/http.
//
// Server limits (timeouts, header size) are the fasthttp.Server's
// configuration; internal/app sets them.
func (rd *Redirector) ServeFastHTTP(ctx *fasthttp.RequestCtx) {
	h := &ctx.Request.Header
	req := request{
		method:         b2s(h.Method()),
		host:           b2s(h.Host()),
		userAgent:      b2s(h.UserAgent()),
		referer:        b2s(h.Referer()),
		acceptLanguage: b2s(h.Peek("Accept-Language")),
	}
	req.ip = fastRemoteIP(ctx.RemoteAddr())
	var host string
	req.path, req.query, host = splitTarget(b2s(h.RequestURI()))
	if host != "" {
		req.host = host
	}
	a := rd.answer(&req)

	resp := &ctx.Response
	resp.Header.SetNoDefaultContentType(true)
	resp.SetStatusCode(a.status)
	if a.location != nil {
		resp.Header.Set("Location", a.location[0])
	}
	if a.cacheControl {
		resp.Header.Set("Cache-Control", hdrCacheControl[0])
	}
	if a.allow {
		resp.Header.Set("Allow", hdrAllow[0])
	}
	if a.contentType != nil {
		resp.Header.SetContentType(a.contentType[0])
	}
	if len(a.body) > 0 && req.method != http.MethodHead {
		resp.SetBodyRaw(a.body) // shared and read-only: fasthttp only writes it out
	}
}

// splitTarget splits a raw request target into its escaped path and raw
// query. An absolute-form target ("http://host/path?q") also yields its
// authority as host, with the path "/" when it has none.
func splitTarget(target string) (path, query, host string) {
	if !strings.HasPrefix(target, "/") {
		if i := strings.Index(target, "://"); i > 0 {
			rest := target[i+3:]
			end := strings.IndexAny(rest, "/?")
			if end < 0 {
				end = len(rest)
			}
			host, target = rest[:end], rest[end:]
			if !strings.HasPrefix(target, "/") {
				target = "/" + target
			}
		}
	}
	path, query, _ = strings.Cut(target, "?")
	return path, query, host
}

// fastRemoteIP is the client's address without port. It allocates the
// string (a stack buffer would escape anyway: the query scan and the GeoIP
// parse make the whole request escape).
func fastRemoteIP(addr net.Addr) string {
	if a, ok := addr.(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap().String()
	}
	return remoteIP(addr.String())
}

// b2s views b as a string without copying; b must not change while the
// string is in use.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

package redirect

import (
	"net"
	"net/http"
)

// ServeHTTP is the net/http front-end of the redirector (see NewRedirector
// for the answers). The node serves the fasthttp front-end, ServeFastHTTP,
// by default; this one serves embedders built on net/http and the node's
// net/http choice (internal/app FrontEndNetHTTP).
func (rd *Redirector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := request{
		method:         r.Method,
		path:           r.URL.EscapedPath(),
		query:          r.URL.RawQuery,
		host:           r.Host,
		ip:             remoteIP(r.RemoteAddr),
		userAgent:      r.Header.Get("User-Agent"),
		referer:        r.Header.Get("Referer"),
		acceptLanguage: r.Header.Get("Accept-Language"),
	}
	a := rd.answer(&req)
	h := w.Header()
	if a.location != nil {
		h["Location"] = a.location
	}
	if a.cacheControl {
		h["Cache-Control"] = hdrCacheControl
	}
	if a.allow {
		h["Allow"] = hdrAllow
	}
	if a.contentType != nil {
		h["Content-Type"] = a.contentType
	}
	w.WriteHeader(a.status)
	if len(a.body) > 0 && r.Method != http.MethodHead {
		w.Write(a.body)
	}
}

// remoteIP is the host part of RemoteAddr ("203.0.113.9:5123" ->
// "203.0.113.9"). Proxy headers (X-Forwarded-For) are not trusted here;
// internal/app rewrites RemoteAddr for trusted proxies.
func remoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

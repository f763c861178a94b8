package app

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// realIP makes r.RemoteAddr the client's address when the request came
// through a trusted proxy (a load balancer in front of the redirectors). It
// walks X-Forwarded-For from the right, skipping trusted hops, and takes the
// first untrusted address: everything left of it was written by the client
// and cannot be believed. Requests from untrusted peers are left alone, so a
// client cannot spoof its address by sending the header itself.
func realIP(h http.Handler, trusted []netip.Prefix) http.Handler {
	if len(trusted) == 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if addr, ok := clientAddr(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), trusted); ok {
			r.RemoteAddr = net.JoinHostPort(addr.String(), "0")
		}
		h.ServeHTTP(w, r)
	})
}

func clientAddr(remote string, xff []string, trusted []netip.Prefix) (netip.Addr, bool) {
	peer, err := netip.ParseAddrPort(remote)
	if err != nil || !isTrusted(peer.Addr(), trusted) {
		return netip.Addr{}, false
	}
	return forwardedClient(xff, trusted)
}

// forwardedClient is the client X-Forwarded-For names behind a trusted
// peer: the rightmost hop that is not a trusted proxy.
func forwardedClient(xff []string, trusted []netip.Prefix) (netip.Addr, bool) {
	for i := len(xff) - 1; i >= 0; i-- {
		hops := strings.Split(xff[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[j]))
			if err != nil {
				return netip.Addr{}, false // garbage from here leftwards: keep the peer
			}
			a = a.Unmap()
			if !isTrusted(a, trusted) {
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
)

func fixed(addrs ...string) ResolveFunc {
	return func(context.Context, string) ([]netip.Addr, error) {
		out := make([]netip.Addr, len(addrs))
		for i, a := range addrs {
			out[i] = netip.MustParseAddr(a)
		}
		return out, nil
	}
}

func TestGuardAddrs(t *testing.T) {
	ctx := context.Background()
	dnsDown := errors.New("server misbehaving")
	for _, tc := range []struct {
		name, host string
		g          Guard
		want       string // the addresses, or the error's text
		notPublic  bool
		resolveErr bool
	}{
		{"public name", "a.example", Guard{Resolve: fixed("93.184.216.34", "2606:2800:220:1::1")}, "93.184.216.34 2606:2800:220:1::1", false, false},
		{"public literal, never resolved", "93.184.216.34", Guard{Resolve: func(context.Context, string) ([]netip.Addr, error) {
			panic("an IP literal was resolved")
		}}, "93.184.216.34", false, false},
		{"private name", "internal.example", Guard{Resolve: fixed("10.0.0.1")}, "host internal.example: address is not public: 10.0.0.1 is private", true, false},
		{"rebinding name: one public, one metadata", "rebind.example", Guard{Resolve: fixed("93.184.216.34", "169.254.169.254")},
			"host rebind.example: address is not public: 169.254.169.254 is link-local", true, false},
		{"loopback literal", "::1", Guard{}, "host ::1: address is not public: ::1 is loopback", true, false},
		{"private allowed", "internal.example", Guard{Resolve: fixed("10.0.0.1"), AllowPrivate: true}, "10.0.0.1", false, false},
		{"no addresses", "empty.example", Guard{Resolve: fixed()}, "resolve empty.example: no addresses", false, true},
		{"lookup failed", "down.example", Guard{Resolve: func(context.Context, string) ([]netip.Addr, error) { return nil, dnsDown }},
			"resolve down.example: server misbehaving", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addrs, err := tc.g.Addrs(ctx, tc.host)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				parts := make([]string, len(addrs))
				for i, a := range addrs {
					parts[i] = a.String()
				}
				got = strings.Join(parts, " ")
			}
			if got != tc.want {
				t.Errorf("Addrs(%s) = %q, want %q", tc.host, got, tc.want)
			}
			if errors.Is(err, ErrNotPublic) != tc.notPublic {
				t.Errorf("errors.Is(%v, ErrNotPublic) != %v", err, tc.notPublic)
			}
			var re *ResolveError
			if errors.As(err, &re) != tc.resolveErr {
				t.Errorf("errors.As(%v, *ResolveError) != %v", err, tc.resolveErr)
			}
		})
	}
	g := &Guard{Resolve: func(context.Context, string) ([]netip.Addr, error) { return nil, dnsDown }}
	if _, err := g.Addrs(ctx, "x.example"); !errors.Is(err, dnsDown) {
		t.Errorf("a lookup error is not unwrapped: %v", err)
	}
}

// TestGuardDialsTheCheckedAddress: DialContext connects to the addresses the
// resolver gave, in order, and refuses before dialing when an address is
// not public.
func TestGuardDialsTheCheckedAddress(t *testing.T) {
	// Two listeners on one port, at 127.0.0.1 and 127.0.0.2: which one
	// accepts tells which address was dialed.
	first, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	_, port, _ := net.SplitHostPort(first.Addr().String())
	second, err := net.Listen("tcp", "127.0.0.2:"+port)
	if err != nil {
		t.Skipf("no second loopback address: %v", err)
	}
	defer second.Close()
	accepted := make(chan string, 4)
	for _, ln := range []net.Listener{first, second} {
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				accepted <- c.LocalAddr().String()
				c.Close()
			}
		}()
	}
	ctx := context.Background()
	dial := func(g *Guard) (string, error) {
		conn, err := g.DialContext(ctx, "tcp", "dev.example:"+port)
		if err != nil {
			return "", err
		}
		conn.Close()
		return <-accepted, nil
	}

	// Refused before any dial: the error comes from the check, not from a
	// connection (both addresses would accept).
	if _, err := dial(&Guard{Resolve: fixed("127.0.0.2")}); !errors.Is(err, ErrNotPublic) {
		t.Fatalf("a name resolving to loopback: %v, want ErrNotPublic", err)
	}
	// Allowed: the first address that answers, in the resolver's order.
	for _, order := range [][]string{{"127.0.0.2", "127.0.0.1"}, {"127.0.0.1", "127.0.0.2"}} {
		got, err := dial(&Guard{Resolve: fixed(order...), AllowPrivate: true})
		if err != nil || got != order[0]+":"+port {
			t.Errorf("resolved %v: connected to %q (%v), want %s:%s", order, got, err, order[0], port)
		}
	}
	// A refusing address first (nothing listens at 127.0.0.3): the next
	// one is tried.
	got, err := dial(&Guard{Resolve: fixed("127.0.0.3", "127.0.0.1"), AllowPrivate: true})
	if err != nil || got != "127.0.0.1:"+port {
		t.Errorf("after a refusing address: connected to %q (%v), want 127.0.0.1:%s", got, err, port)
	}

	g := &Guard{AllowPrivate: true}
	if _, err := g.DialContext(ctx, "tcp", "no-port.example"); err == nil {
		t.Error("an address without a port was dialed")
	}
	if _, err := g.DialAddrs(ctx, "tcp", nil, port); err == nil {
		t.Error("DialAddrs without addresses succeeded")
	}
}

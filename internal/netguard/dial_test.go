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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
			accepted <- struct{}{}
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ctx := context.Background()

	g := &Guard{Resolve: fixed("127.0.0.1")}
	if _, err := g.DialContext(ctx, "tcp", "sneaky.example:"+port); !errors.Is(err, ErrNotPublic) {
		t.Fatalf("a name resolving to loopback: %v, want ErrNotPublic", err)
	}
	if len(accepted) != 0 {
		t.Fatal("the refused address was dialed")
	}

	// Allowed, with a refusing address first (nothing listens on
	// 127.0.0.2 at that port): the next one is tried.
	g = &Guard{Resolve: fixed("127.0.0.2", "127.0.0.1"), AllowPrivate: true}
	conn, err := g.DialContext(ctx, "tcp", "dev.example:"+port)
	if err != nil {
		t.Fatalf("DialContext: %v", err)
	}
	conn.Close()
	<-accepted

	if _, err := g.DialContext(ctx, "tcp", "no-port.example"); err == nil {
		t.Error("an address without a port was dialed")
	}
	if _, err := g.DialAddrs(ctx, "tcp", nil, port); err == nil {
		t.Error("DialAddrs without addresses succeeded")
	}
}

package webhook

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/clicktrail/clicktrail/internal/netguard"
)

// TestDeliverRefusesInternalEndpoints sends to internal addresses without
// AllowPrivate: nothing may be dialed, and a loopback receiver that would
// answer stays untouched.
func TestDeliverRefusesInternalEndpoints(t *testing.T) {
	rc := newReceiver(t, nil)
	port := mustPort(t, rc.srv.URL)
	tests := []struct {
		name    string
		url     string
		resolve ResolveFunc
		outcome Outcome
	}{
		{"IPv4 loopback", "http://127.0.0.1:" + port + "/", nil, OutcomeDisable},
		{"IPv6 loopback", "http://[::1]:" + port + "/", nil, OutcomeDisable},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", nil, OutcomeDisable},
		{"private", "https://10.0.0.1/hook", nil, OutcomeDisable},
		{"CGNAT", "https://100.64.0.1/hook", nil, OutcomeDisable},
		{"mapped loopback", "http://[::ffff:127.0.0.1]:" + port + "/", nil, OutcomeDisable},
		// A name can be repointed, so refusing it is retried, not final.
		{"localhost by the system resolver", "http://localhost:" + port + "/", nil, OutcomeRetry},
		{"name with one internal address among public ones", "http://hooks.customer.test:" + port + "/", fixedResolver("93.184.216.34", "127.0.0.1"), OutcomeRetry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDeliverer(t, Config{Resolve: tt.resolve})
			ep := Endpoint{ID: "ep", URL: tt.url, Secrets: []string{testSecret}}
			r := d.Deliver(context.Background(), ep, testMessage(t))
			if r.Outcome != tt.outcome || !errors.Is(r.Err, ErrBlockedAddress) {
				t.Fatalf("Deliver(%s) = outcome %s err %v, want %s with ErrBlockedAddress", tt.url, r.Outcome, r.Err, tt.outcome)
			}
		})
	}
	if _, _, hits := rc.received(); hits != 0 {
		t.Errorf("loopback receiver got %d requests", hits)
	}
}

// TestDeliverDialsCheckedAddress resolves a name that no DNS knows through
// Config.Resolve: the request arrives, so the transport dialed the address
// the guard was given and did no lookup of its own; the Host header and
// URL keep the name.
func TestDeliverDialsCheckedAddress(t *testing.T) {
	rc := newReceiver(t, nil)
	var calls atomic.Int32
	var asked atomic.Value
	resolve := func(_ context.Context, host string) ([]netip.Addr, error) {
		calls.Add(1)
		asked.Store(host)
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	d := newTestDeliverer(t, Config{AllowPrivate: true, Resolve: resolve})
	host := "hooks.customer.invalid:" + mustPort(t, rc.srv.URL)
	ep := Endpoint{ID: "ep", URL: "http://" + host + "/hook", Secrets: []string{testSecret}}
	for i := 1; i <= 2; i++ {
		if r := d.Deliver(context.Background(), ep, testMessage(t)); r.Outcome != OutcomeDelivered {
			t.Fatalf("attempt %d: %+v", i, r)
		}
		if got := calls.Load(); got != int32(i) {
			t.Errorf("after attempt %d the resolver was called %d times, want once per attempt", i, got)
		}
	}
	if asked.Load() != "hooks.customer.invalid" {
		t.Errorf("resolver asked for %v", asked.Load())
	}
	got, _, _ := rc.received()
	if len(got) != 2 || got[0].Host != host {
		t.Fatalf("receiver got %+v, want 2 requests with Host %s", got, host)
	}
}

func TestDialCheckedRefusesUncheckedHosts(t *testing.T) {
	dial := dialChecked(&netguard.Guard{})
	checked := context.WithValue(context.Background(), checkedKey{}, &checkedAddrs{
		host: "a.example", addrs: []netip.Addr{netip.MustParseAddr("127.0.0.1")},
	})
	tests := []struct {
		name string
		ctx  context.Context
		addr string
	}{
		{"nothing checked", context.Background(), "a.example:443"},
		{"another host", checked, "b.example:443"},
		{"bad address", checked, "a.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := dial(tt.ctx, "tcp", tt.addr)
			if err == nil {
				conn.Close()
				t.Fatal("dial succeeded")
			}
		})
	}
	if _, err := dial(context.Background(), "tcp", "a.example:443"); !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("unchecked dial error = %v, want ErrBlockedAddress", err)
	}
}

func fixedResolver(addrs ...string) ResolveFunc {
	return func(context.Context, string) ([]netip.Addr, error) {
		out := make([]netip.Addr, len(addrs))
		for i, a := range addrs {
			out[i] = netip.MustParseAddr(a)
		}
		return out, nil
	}
}

func mustPort(t testing.TB, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Port() == "" || strings.Contains(u.Port(), ":") {
		t.Fatalf("no port in %q", raw)
	}
	return u.Port()
}

// TestDeliverTLSUsesHostName connects to the checked address but verifies
// the certificate against the URL's host name: httptest's certificate is
// valid for example.com, not for other.example.
func TestDeliverTLSUsesHostName(t *testing.T) {
	rc := newReceiver(t, nil)
	rc.srv.Close()
	rc.srv = httptest.NewTLSServer(rc)
	t.Cleanup(rc.srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(rc.srv.Certificate())
	d := newTestDeliverer(t, Config{AllowPrivate: true, RootCAs: roots, Resolve: fixedResolver("127.0.0.1")})
	port := mustPort(t, rc.srv.URL)

	ep := Endpoint{ID: "tls", URL: "https://example.com:" + port + "/hook", Secrets: []string{testSecret}}
	if r := d.Deliver(context.Background(), ep, testMessage(t)); r.Outcome != OutcomeDelivered {
		t.Fatalf("Deliver to example.com = %+v", r)
	}
	ep.URL = "https://other.example:" + port + "/hook"
	r := d.Deliver(context.Background(), ep, testMessage(t))
	var certErr *tls.CertificateVerificationError
	if r.Outcome != OutcomeRetry || !errors.As(r.Err, &certErr) {
		t.Fatalf("Deliver to other.example = outcome %s err %v, want a certificate error", r.Outcome, r.Err)
	}
	if got, _, _ := rc.received(); len(got) != 1 {
		t.Errorf("receiver got %d requests, want 1", len(got))
	}
}

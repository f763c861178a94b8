package linkapi

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/urlrule"
	"github.com/clicktrail/clicktrail/redirect"
)

// fakeResolver answers from a table; other hosts do not resolve.
func fakeResolver(table map[string][]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		as, ok := table[host]
		if !ok {
			return nil, errors.New("no such host")
		}
		var out []netip.Addr
		for _, a := range as {
			out = append(out, netip.MustParseAddr(a))
		}
		return out, nil
	}
}

var testResolver = fakeResolver(map[string][]string{
	"intranet.example.com": {"10.0.0.1"},
	"mixed.example.com":    {"93.184.216.34", "fd00::1"},
	"public.example.com":   {"93.184.216.34", "2606:2800:220:1::1"},
	"mapped.example.com":   {"::ffff:192.168.1.1"},
})

func TestDestinationPolicyCheckLink(t *testing.T) {
	p := DestinationPolicy{Resolve: testResolver}
	for _, tc := range []struct {
		name, field string
		mutate      func(*redirect.Link)
	}{
		{"ok", "", func(*redirect.Link) {}},
		{"deep link without a host", "", func(l *redirect.Link) {
			l.Rules = []redirect.Rule{{ID: "app", OS: []string{"ios"}, DestinationURL: "spotify:track:4uLU6hMCjMI75M1A2tKUQC"}}
		}},
		// A deep link's host is checked like any other (issue 11): this
		// case was accepted before.
		{"deep link rule to a private host", "rules[0].destination_url", func(l *redirect.Link) {
			l.Rules = []redirect.Rule{{ID: "app", OS: []string{"ios"}, DestinationURL: "myapp://10.0.0.1/x"}}
		}},
		{"gopher rule", "rules[0].destination_url", func(l *redirect.Link) {
			l.Rules = []redirect.Rule{{ID: "app", OS: []string{"ios"}, DestinationURL: "gopher://127.0.0.1:6379/_INFO"}}
		}},
		{"destination", "destination_url", func(l *redirect.Link) { l.DestinationURL = "http://10.0.0.1/" }},
		{"expired url", "expired_url", func(l *redirect.Link) { l.ExpiredURL = "http://[::1]/gone" }},
		{"rule", "rules[1].destination_url", func(l *redirect.Link) {
			l.Rules = []redirect.Rule{
				{ID: "a", OS: []string{"ios"}, DestinationURL: "https://public.example.com/"},
				{ID: "b", OS: []string{"android"}, DestinationURL: "https://intranet.example.com/"},
			}
		}},
		{"variant", "variants[0].destination_url", func(l *redirect.Link) {
			l.Variants = []redirect.Variant{{ID: "a", Weight: 1, DestinationURL: "http://169.254.169.254/"}, {ID: "b", Weight: 1, DestinationURL: "https://shop.example.com/"}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := testLink("p")
			tc.mutate(l)
			err := p.CheckLink(context.Background(), l, nil)
			de, _ := errors.AsType[*DestinationError](err)
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("CheckLink = %v, want nil", err)
			case tc.field != "" && (de == nil || de.Field != tc.field):
				t.Fatalf("CheckLink = %v, want refusal of %s", err, tc.field)
			}
		})
	}
}

func TestDestinationPolicyResolveTimeout(t *testing.T) {
	var deadline time.Time
	p := DestinationPolicy{ResolveTimeout: time.Minute, Resolve: func(ctx context.Context, _ string) ([]netip.Addr, error) {
		deadline, _ = ctx.Deadline()
		return nil, ctx.Err()
	}}
	l := testLink("p")
	l.DestinationURL = "https://slow.example.com/"
	if err := p.CheckLink(context.Background(), l, nil); err != nil {
		t.Fatalf("a host that does not resolve must be accepted, got %v", err)
	}
	if deadline.IsZero() {
		t.Fatal("Resolve ran without a deadline")
	}
}

func TestDestinationPolicyValidate(t *testing.T) {
	for _, tc := range []struct {
		name, wantErr string
		p             DestinationPolicy
	}{
		{"valid", "", DestinationPolicy{AllowHosts: []string{"a.example", "*.b.example"}, Blocklist: []string{"x.example"}}},
		{"empty host", "D.DenyHosts[1]", DestinationPolicy{DenyHosts: []string{"a.example", ""}}},
		{"bare wildcard", "D.AllowHosts[0]", DestinationPolicy{AllowHosts: []string{"*."}}},
		{"inner wildcard", "D.Blocklist[0]", DestinationPolicy{Blocklist: []string{"a.*.example"}}},
		{"url not host", "D.DenyHosts[0]", DestinationPolicy{DenyHosts: []string{"https://a.example/"}}},
		{"negative timeout", "D.ResolveTimeout", DestinationPolicy{ResolveTimeout: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate("D")
			if (tc.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Validate = %v, want error naming %q", err, tc.wantErr)
			}
		})
	}
}

func TestAPIRefusesDestinations(t *testing.T) {
	f := newConfiguredAPI(t, func(c *APIConfig) {
		c.Destinations = DestinationPolicy{Resolve: testResolver, Blocklist: []string{"*.phish.example"}}
	})
	for _, tc := range []struct{ name, body, field, rule string }{
		{"resolves private", `{"destination_url":"https://intranet.example.com/"}`, "destination_url", RulePrivateAddress},
		{"blocklist", `{"destination_url":"https://login.phish.example/"}`, "destination_url", RuleBlocklist},
		{"variant", `{"destination_url":"https://example.org/","variants":[{"id":"a","weight":1,"destination_url":"https://example.org/a"},{"id":"b","weight":1,"destination_url":"http://10.0.0.1/"}]}`,
			"variants[1].destination_url", RulePrivateAddress},
		{"loopback", `{"destination_url":"http://127.0.0.1/admin"}`, "destination_url", RulePrivateAddress},
		{"metadata", `{"destination_url":"http://169.254.169.254/latest/meta-data"}`, "destination_url", RulePrivateAddress},
		{"expired url", `{"destination_url":"https://example.org/","expired_url":"http://[::1]/"}`, "expired_url", RulePrivateAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, eb := f.do(t, "POST", "/v1/links", tc.body, testKey)
			if rec.Code != http.StatusBadRequest || eb.Error.Code != CodeDestinationRefused || eb.Error.Field != tc.field ||
				!strings.Contains(rec.Body.String(), `"rule":"`+tc.rule+`"`) {
				t.Fatalf("got %d %s; want 400 destination_refused field %s rule %s", rec.Code, rec.Body, tc.field, tc.rule)
			}
		})
	}
	if len(f.changed) != 0 {
		t.Errorf("refused links were created: %v", f.changed)
	}
	rec, _ := f.do(t, "POST", "/v1/links", `{"destination_url":"https://public.example.com/"}`, testKey)
	if rec.Code != http.StatusCreated {
		t.Errorf("public destination: %d %s", rec.Code, rec.Body)
	}
	dev := newConfiguredAPI(t, func(c *APIConfig) { c.Destinations.AllowPrivateDestinations = true })
	if rec, _ := dev.do(t, "POST", "/v1/links", `{"destination_url":"http://127.0.0.1:3000/"}`, testKey); rec.Code != http.StatusCreated {
		t.Errorf("AllowPrivateDestinations: %d %s", rec.Code, rec.Body)
	}
}

func TestDestinationPolicyCheckLinkResolvesEachHostOnce(t *testing.T) {
	lookups := map[string]int{}
	p := DestinationPolicy{Resolve: func(ctx context.Context, host string) ([]netip.Addr, error) {
		lookups[host]++
		return testResolver(ctx, host)
	}}
	l := testLink("p")
	l.DestinationURL = "https://public.example.com/a"
	l.ExpiredURL = "https://public.example.com/gone"
	l.Variants = []redirect.Variant{{ID: "a", Weight: 1, DestinationURL: "https://public.example.com/b"}, {ID: "b", Weight: 1, DestinationURL: "https://shop.example.com/"}}
	if err := p.CheckLink(context.Background(), l, nil); err != nil {
		t.Fatal(err)
	}
	if lookups["public.example.com"] != 1 || lookups["shop.example.com"] != 1 {
		t.Errorf("lookups %v, want one per host", lookups)
	}
}

func BenchmarkDestinationPolicyCheck(b *testing.B) {
	p := DestinationPolicy{Resolve: testResolver, DenyHosts: []string{"*.deny.example", "x.example"}, Blocklist: []string{"phish.example"}}
	r := p.rule(nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Check(ctx, "destination_url", "https://public.example.com/spring?utm_source=x", urlrule.Web); err != nil {
			b.Fatal(err)
		}
	}
}

package linkapi

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

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

func TestDestinationPolicyCheck(t *testing.T) {
	lists := DestinationPolicy{
		DenyHosts: []string{"bad.example.net", "*.tracker.example"},
		Blocklist: []string{"phish.example", "*.malware.example"},
		Resolve:   testResolver,
	}
	allow := DestinationPolicy{AllowHosts: []string{"shop.example.com", "*.brand.example"}, Resolve: testResolver}
	for _, tc := range []struct {
		name   string
		policy DestinationPolicy
		url    string
		rule   string // "" means accepted
	}{
		{"public host", lists, "https://public.example.com/a?b=c", ""},
		{"unresolvable host", lists, "https://shop.example.com/", ""},
		{"public IPv4 literal", lists, "http://93.184.216.34/", ""},
		{"public IPv6 literal", lists, "http://[2606:2800:220:1::1]/", ""},
		{"loopback v4", lists, "http://127.0.0.1", RulePrivateAddress},
		{"loopback v4 other", lists, "http://127.9.9.9:8080/x", RulePrivateAddress},
		{"loopback v6", lists, "http://[::1]", RulePrivateAddress},
		{"metadata endpoint", lists, "http://169.254.169.254/latest/meta-data", RulePrivateAddress},
		{"rfc1918 10", lists, "http://10.0.0.1", RulePrivateAddress},
		{"rfc1918 172", lists, "https://172.16.5.4/", RulePrivateAddress},
		{"rfc1918 192", lists, "https://192.168.0.1/", RulePrivateAddress},
		{"cgnat", lists, "http://100.64.0.1/", RulePrivateAddress},
		{"unspecified v4", lists, "http://0.0.0.0/", RulePrivateAddress},
		{"unspecified v6", lists, "http://[::]/", RulePrivateAddress},
		{"multicast v4", lists, "http://224.0.0.1/", RulePrivateAddress},
		{"multicast v6", lists, "http://[ff02::1]/", RulePrivateAddress},
		{"broadcast", lists, "http://255.255.255.255/", RulePrivateAddress},
		{"unique local v6", lists, "http://[fd12:3456::1]/", RulePrivateAddress},
		{"link-local v6 with zone", lists, "http://[fe80::1%25eth0]/", RulePrivateAddress},
		{"v4-mapped v6", lists, "http://[::ffff:127.0.0.1]/", RulePrivateAddress},
		{"v4-mapped hex v6", lists, "http://[::ffff:a00:1]/", RulePrivateAddress},
		{"nat64 of private", lists, "http://[64:ff9b::10.0.0.1]/", RulePrivateAddress},
		{"6to4 of loopback", lists, "http://[2002:7f00:1::1]/", RulePrivateAddress},
		{"short IPv4", lists, "http://127.1/", RulePrivateAddress},
		{"decimal IPv4", lists, "http://2130706433/", RulePrivateAddress},
		{"hex IPv4", lists, "http://0x7f000001/", RulePrivateAddress},
		{"octal IPv4", lists, "http://0177.0.0.1/", RulePrivateAddress},
		{"trailing dot IPv4", lists, "http://10.0.0.1./", RulePrivateAddress},
		{"invalid IPv4 literal", lists, "http://1.2.3.400/", RulePrivateAddress},
		{"localhost", lists, "http://localhost:8080/", RulePrivateAddress},
		{"localhost subdomain", lists, "http://app.LOCALHOST./", RulePrivateAddress},
		{"resolves private", lists, "https://intranet.example.com/", RulePrivateAddress},
		{"resolves to one private of many", lists, "https://mixed.example.com/", RulePrivateAddress},
		{"resolves v4-mapped private", lists, "https://mapped.example.com/", RulePrivateAddress},
		{"upper-case host resolves private", lists, "https://INTRANET.example.com./", RulePrivateAddress},
		{"private allowed for dev", DestinationPolicy{AllowPrivateDestinations: true}, "http://127.0.0.1:8080/", ""},
		{"javascript", lists, "javascript:alert(1)", RuleScheme},
		{"data", lists, "data:text/html,<script>alert(1)</script>", RuleScheme},
		{"ftp", lists, "ftp://example.com/", RuleScheme},
		{"no host", lists, "http:///x", RuleScheme},
		{"credentials", lists, "http://user:pw@example.com", RuleCredentials},
		{"user only", lists, "https://user@example.com/", RuleCredentials},
		{"deny exact", lists, "https://bad.example.net/x", RuleDenyList},
		{"deny exact any case", lists, "https://BAD.Example.NET./x", RuleDenyList},
		{"deny wildcard", lists, "https://a.b.tracker.example/", RuleDenyList},
		{"deny wildcard not apex", lists, "https://tracker.example/", ""},
		{"blocklist exact", lists, "https://phish.example/login", RuleBlocklist},
		{"blocklist wildcard", lists, "http://x.malware.example/", RuleBlocklist},
		{"blocklist wins over private", lists, "https://phish.example:8443/", RuleBlocklist},
		{"allow exact", allow, "https://shop.example.com/a", ""},
		{"allow wildcard", allow, "https://eu.brand.example/a", ""},
		{"not in allow list", allow, "https://other.example.com/", RuleNotInAllowList},
		{"suffix is not a subdomain", allow, "https://evilbrand.example/", RuleNotInAllowList},
		{"wildcard must end the host", allow, "https://intranet.brand.example.evil/", RuleNotInAllowList},
		{"allowed host resolving private", DestinationPolicy{AllowHosts: []string{"intranet.example.com"}, Resolve: testResolver},
			"https://intranet.example.com/", RulePrivateAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.check(context.Background(), "destination_url", tc.url, nil)
			if tc.rule == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want accepted", tc.url, err)
				}
				return
			}
			de, ok := errors.AsType[*DestinationError](err)
			if !ok || de.Rule != tc.rule || de.Field != "destination_url" || de.Message == "" {
				t.Fatalf("Check(%q) = %v, want rule %s", tc.url, err, tc.rule)
			}
		})
	}
}

func TestDestinationPolicyCheckLink(t *testing.T) {
	p := DestinationPolicy{Resolve: testResolver}
	for _, tc := range []struct {
		name, field string
		mutate      func(*redirect.Link)
	}{
		{"ok", "", func(*redirect.Link) {}},
		{"deep link rule is not resolved", "", func(l *redirect.Link) {
			l.Rules = []redirect.Rule{{ID: "app", OS: []string{"ios"}, DestinationURL: "myapp://10.0.0.1/x"}}
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
			err := p.CheckLink(context.Background(), l)
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
	if err := p.check(context.Background(), "destination_url", "https://slow.example.com/", nil); err != nil {
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

func FuzzDestinationSafety(f *testing.F) {
	for _, s := range []string{
		"https://example.com/a", "http://127.0.0.1", "http://[::1]", "http://169.254.169.254/latest/meta-data",
		"http://10.0.0.1", "http://0x7f.1", "http://2130706433", "http://[::ffff:10.0.0.1]", "http://[fe80::1%25en0]/",
		"http://u:p@example.com", "javascript:alert(1)", "data:text/html,x", "http://1.2.3.4.5/", "http://0x/", "http://00/",
		"http://%31%32%37.0.0.1/", "HTTP://LOCALHOST./",
	} {
		f.Add(s)
	}
	p := DestinationPolicy{Resolve: testResolver, DenyHosts: []string{"*.deny.example"}}
	f.Fuzz(func(t *testing.T, raw string) {
		err := p.check(context.Background(), "destination_url", raw, nil)
		if err != nil {
			if de, ok := errors.AsType[*DestinationError](err); !ok || de.Rule == "" || de.Message == "" {
				t.Fatalf("Check(%q) = %v, not a *DestinationError with a rule", raw, err)
			}
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil {
			t.Fatalf("accepted %q that does not parse: %v", raw, perr)
		}
		if a, aerr := netip.ParseAddr(u.Hostname()); aerr == nil && nonPublic(a) {
			t.Fatalf("accepted %q with the non-public address %s", raw, a)
		}
		if a, literal, ok := parseHostIP(normalizeHost(u.Hostname())); literal && (!ok || nonPublic(a)) {
			t.Fatalf("accepted %q with the IP literal %s (valid %v)", raw, a, ok)
		}
	})
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
	if err := p.CheckLink(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	if lookups["public.example.com"] != 1 || lookups["shop.example.com"] != 1 {
		t.Errorf("lookups %v, want one per host", lookups)
	}
}

func BenchmarkDestinationPolicyCheck(b *testing.B) {
	p := DestinationPolicy{Resolve: testResolver, DenyHosts: []string{"*.deny.example", "x.example"}, Blocklist: []string{"phish.example"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.check(ctx, "destination_url", "https://public.example.com/spring?utm_source=x", nil); err != nil {
			b.Fatal(err)
		}
	}
}

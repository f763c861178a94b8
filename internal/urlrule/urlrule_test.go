package urlrule

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// resolver is a fixed DNS for the tests: names not in it do not resolve.
func resolver(m map[string][]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		var out []netip.Addr
		for _, s := range m[host] {
			out = append(out, netip.MustParseAddr(s))
		}
		if len(out) == 0 {
			return nil, errors.New("no such host")
		}
		return out, nil
	}
}

var dns = resolver(map[string][]string{
	"example.com":       {"93.184.215.14"},
	"xn--bcher-kva.de":  {"93.184.215.15"},
	"rebind.example":    {"93.184.215.16", "10.0.0.7"},
	"internal.example":  {"192.168.1.10"},
	"a_b.example":       {"93.184.215.17"},
	"evil.com":          {"93.184.215.18"},
	"shop.example.com":  {"93.184.215.19"},
	"other.example.net": {"93.184.215.20"},
	"mapped.example":    {"::ffff:192.168.1.1"},
})

// TestCheck is the one table of the URL rule: every case names the input,
// the kind of field, the policy, and the rule that refuses it ("" for
// accepted, with the normalized URL).
func TestCheck(t *testing.T) {
	long := "http://" + strings.Repeat("a.", 127) + "com/"
	label64 := "http://" + strings.Repeat("a", 64) + ".com/"
	tests := []struct {
		name   string
		raw    string
		kind   Kind
		policy Policy
		rule   string
		want   string // normalized URL when accepted
	}{
		{name: "plain https", raw: "https://example.com/a?b=c#d", want: "https://example.com/a?b=c#d"},
		{name: "upper case host", raw: "https://EXAMPLE.com/", want: "https://example.com/"},
		{name: "trailing dot", raw: "https://example.com./x", want: "https://example.com/x"},
		{name: "IDN to punycode", raw: "https://Bücher.de/buch", want: "https://xn--bcher-kva.de/buch"},
		{name: "underscore host as browsers allow", raw: "https://a_b.example/", want: "https://a_b.example/"},
		{name: "port kept", raw: "https://example.com:8443/p", want: "https://example.com:8443/p"},
		{name: "port leading zeros", raw: "https://example.com:0443/p", want: "https://example.com:443/p"},
		{name: "query bytes untouched", raw: "https://example.com/p?q=%41&r=a+b", want: "https://example.com/p?q=%41&r=a+b"},
		{name: "public IPv4", raw: "http://93.184.215.14/", want: "http://93.184.215.14/"},
		{name: "public IPv6", raw: "http://[2606:2800:220:1::1]:8080/", want: "http://[2606:2800:220:1::1]:8080/"},

		{name: "empty", raw: "", rule: RuleSyntax},
		{name: "too long", raw: "https://example.com/" + strings.Repeat("a", DefaultMaxLen), rule: RuleSyntax},
		{name: "space", raw: "https://example.com/a b", rule: RuleSyntax},
		{name: "newline", raw: "https://example.com/\n", rule: RuleSyntax},
		{name: "relative", raw: "/just/a/path", rule: RuleSyntax},
		{name: "ftp", raw: "ftp://example.com/", rule: RuleScheme},
		{name: "javascript", raw: "javascript:alert(1)", rule: RuleScheme},
		{name: "no slashes", raw: "http:example.com", rule: RuleHost},
		{name: "no host", raw: "http:///path", rule: RuleHost},
		{name: "credentials", raw: "https://user:pw@example.com/", rule: RuleCredentials},
		{name: "backslash authority", raw: "http://evil.com\\@example.com/", rule: RuleHost},
		{name: "port 0", raw: "http://example.com:0/", rule: RulePort},
		{name: "port 65536", raw: "http://example.com:65536/", rule: RulePort},
		{name: "port huge", raw: "http://example.com:99999999999999999999/", rule: RulePort},
		{name: "host over 253", raw: long, rule: RuleHost},
		{name: "label over 63", raw: label64, rule: RuleHost},
		{name: "empty label", raw: "http://a..example.com/", rule: RuleHost},
		{name: "invalid IPv4 literal", raw: "http://1.2.3.256/", rule: RuleHost},
		{name: "IPv6 zone", raw: "http://[fe80::1%25eth0]/", rule: RuleHost},
		{name: "percent in host", raw: "http://127.0.0.%31/", rule: RuleSyntax},
		{name: "forbidden code point", raw: "http://exa^mple.com/", rule: RuleSyntax},

		{name: "loopback literal", raw: "http://127.0.0.1/", rule: RulePrivateAddress},
		{name: "ideographic full stops", raw: "http://127。0。0。1/", rule: RulePrivateAddress},
		{name: "full-width full stops", raw: "http://127．0．0．1/", rule: RulePrivateAddress},
		{name: "full-width localhost", raw: "http://ｌｏｃａｌｈｏｓｔ/", rule: RulePrivateAddress},
		{name: "localhost", raw: "http://localhost:8080/", rule: RulePrivateAddress},
		{name: "sub.localhost", raw: "http://a.localhost/", rule: RulePrivateAddress},
		{name: "decimal IPv4", raw: "http://2130706433/", rule: RulePrivateAddress},
		{name: "hex IPv4", raw: "http://0x7f.1/", rule: RulePrivateAddress},
		{name: "octal IPv4", raw: "http://0177.0.0.1/", rule: RulePrivateAddress},
		{name: "metadata", raw: "http://169.254.169.254/latest/", rule: RulePrivateAddress},
		{name: "IPv6 loopback", raw: "http://[::1]/", rule: RulePrivateAddress},
		{name: "IPv4-mapped IPv6", raw: "http://[::ffff:10.0.0.1]/", rule: RulePrivateAddress},
		{name: "private by name", raw: "https://internal.example/", rule: RulePrivateAddress},
		{name: "rebinding name", raw: "https://rebind.example/", rule: RulePrivateAddress},
		{name: "unresolvable accepted by default", raw: "https://nowhere.example/", want: "https://nowhere.example/"},
		{name: "unresolvable refused for callbacks", raw: "https://nowhere.example/", policy: Policy{RequireAddresses: true}, rule: RuleUnresolvable},
		{name: "private allowed in dev", raw: "http://127.0.0.1:9/", policy: Policy{AllowPrivate: true}, want: "http://127.0.0.1:9/"},
		{name: "private allowed, still normalized", raw: "http://127。0。0。1/", policy: Policy{AllowPrivate: true}, want: "http://127.0.0.1/"},

		{name: "deny list", raw: "https://evil.com/", policy: Policy{DenyHosts: []string{"evil.com"}}, rule: RuleDenyList},
		{name: "deny list full-width host", raw: "https://ｅｖｉｌ.com/", policy: Policy{DenyHosts: []string{"evil.com"}}, rule: RuleDenyList},
		{name: "deny list upper and dot", raw: "https://EVIL.com./", policy: Policy{DenyHosts: []string{"evil.com"}}, rule: RuleDenyList},
		{name: "deny list entry full-width", raw: "https://evil.com/", policy: Policy{DenyHosts: []string{"ＥＶＩＬ.com"}}, rule: RuleDenyList},
		{name: "blocklist wildcard", raw: "https://a.b.evil.com/", policy: Policy{Blocklist: []string{"*.evil.com"}}, rule: RuleBlocklist},
		{name: "wildcard spares the suffix", raw: "https://evil.com/", policy: Policy{Blocklist: []string{"*.evil.com"}}, want: "https://evil.com/"},
		{name: "allow list miss", raw: "https://other.example.net/", policy: Policy{AllowHosts: []string{"*.example.com"}}, rule: RuleNotInAllowList},
		{name: "allow list hit", raw: "https://shop.example.com/", policy: Policy{AllowHosts: []string{"*.example.com"}}, want: "https://shop.example.com/"},
		{name: "workspace deny", raw: "https://evil.com/", policy: Policy{WorkspaceDenyHosts: []string{"evil.com"}}, rule: RuleWorkspaceDenyList},
		{name: "workspace allow miss", raw: "https://evil.com/", policy: Policy{WorkspaceAllowHosts: []string{"example.com"}}, rule: RuleWorkspaceNotInAllowList},

		{name: "deep link", raw: "myapp://product/42", kind: WebOrApp, want: "myapp://product/42"},
		{name: "opaque deep link", raw: "spotify:track:4uLU6hMCjMI75M1A2tKUQC", kind: WebOrApp, want: "spotify:track:4uLU6hMCjMI75M1A2tKUQC"},
		{name: "deep link not for web fields", raw: "myapp://product/42", rule: RuleScheme},
		{name: "deep link gopher", raw: "gopher://127.0.0.1:6379/_INFO", kind: WebOrApp, rule: RuleScheme},
		{name: "deep link ftp private", raw: "ftp://10.0.0.1/", kind: WebOrApp, rule: RuleScheme},
		{name: "deep link file", raw: "file:///etc/passwd", kind: WebOrApp, rule: RuleScheme},
		{name: "deep link data", raw: "data:text/html,<script>", kind: WebOrApp, rule: RuleScheme},
		{name: "deep link to private host", raw: "myapp://10.0.0.1/x", kind: WebOrApp, rule: RulePrivateAddress},
		{name: "deep link to denied host", raw: "myapp://evil.com/x", kind: WebOrApp, policy: Policy{DenyHosts: []string{"evil.com"}}, rule: RuleDenyList},
		{name: "deep link empty", raw: "myapp:", kind: WebOrApp, rule: RuleSyntax},
		// Moved from redirect's TestURLProblem (the syntax half).
		{name: "http with port", raw: "http://example.org:8080/", want: "http://example.org:8080/"},
		{name: "documentation IPv6 when private allowed", raw: "https://[2001:db8::1]/", policy: Policy{AllowPrivate: true}, want: "https://[2001:db8::1]/"},
		{name: "upper-case scheme", raw: "HTTPS://example.org/", want: "HTTPS://example.org/"},
		{name: "javascript with slashes", raw: "javascript://example.org/%0Aalert(1)", rule: RuleScheme},
		{name: "data in a web field", raw: "data:text/html;base64,PHNjcmlwdD4=", rule: RuleScheme},
		{name: "scheme-relative", raw: "//example.org/", rule: RuleSyntax},
		{name: "user only", raw: "https://user@example.org/", rule: RuleCredentials},
		{name: "CRLF", raw: "https://example.org/\r\nSet-Cookie: x", rule: RuleSyntax},

		// Moved from linkapi's TestDestinationPolicyCheck. Three of its
		// cases now name a more precise rule: "http:///x" is host (was
		// scheme), "http://1.2.3.400/" and "http://[fe80::1%25eth0]/" are
		// host (were private_address): all three are still refused.
		{name: "loopback other", raw: "http://127.9.9.9:8080/x", rule: RulePrivateAddress},
		{name: "rfc1918 10", raw: "http://10.0.0.1", rule: RulePrivateAddress},
		{name: "rfc1918 172", raw: "https://172.16.5.4/", rule: RulePrivateAddress},
		{name: "rfc1918 192", raw: "https://192.168.0.1/", rule: RulePrivateAddress},
		{name: "cgnat", raw: "http://100.64.0.1/", rule: RulePrivateAddress},
		{name: "unspecified v4", raw: "http://0.0.0.0/", rule: RulePrivateAddress},
		{name: "unspecified v6", raw: "http://[::]/", rule: RulePrivateAddress},
		{name: "multicast v4", raw: "http://224.0.0.1/", rule: RulePrivateAddress},
		{name: "multicast v6", raw: "http://[ff02::1]/", rule: RulePrivateAddress},
		{name: "broadcast", raw: "http://255.255.255.255/", rule: RulePrivateAddress},
		{name: "unique local v6", raw: "http://[fd12:3456::1]/", rule: RulePrivateAddress},
		{name: "v4-mapped hex v6", raw: "http://[::ffff:a00:1]/", rule: RulePrivateAddress},
		{name: "nat64 of private", raw: "http://[64:ff9b::10.0.0.1]/", rule: RulePrivateAddress},
		{name: "6to4 of loopback", raw: "http://[2002:7f00:1::1]/", rule: RulePrivateAddress},
		{name: "short IPv4", raw: "http://127.1/", rule: RulePrivateAddress},
		{name: "hex IPv4 one part", raw: "http://0x7f000001/", rule: RulePrivateAddress},
		{name: "trailing dot IPv4", raw: "http://10.0.0.1./", rule: RulePrivateAddress},
		{name: "invalid IPv4 over 255", raw: "http://1.2.3.400/", rule: RuleHost},
		{name: "link-local v6 with zone", raw: "http://[fe80::1%25eth0]/", rule: RuleHost},
		{name: "no host, two slashes", raw: "http:///x", rule: RuleHost},
		{name: "localhost subdomain any case", raw: "http://app.LOCALHOST./", rule: RulePrivateAddress},
		{name: "resolves v4-mapped private", raw: "https://mapped.example/", rule: RulePrivateAddress},
		{name: "upper-case host resolves private", raw: "https://INTERNAL.example./", rule: RulePrivateAddress},
		{name: "deny wildcard", raw: "https://a.b.tracker.example/", policy: Policy{DenyHosts: []string{"*.tracker.example"}}, rule: RuleDenyList},
		{name: "deny wildcard not apex", raw: "https://tracker.example/", policy: Policy{DenyHosts: []string{"*.tracker.example"}}, want: "https://tracker.example/"},
		{name: "blocklist wins over private", raw: "https://internal.example:8443/", policy: Policy{Blocklist: []string{"internal.example"}}, rule: RuleBlocklist},
		{name: "allow exact", raw: "https://shop.example.com/a", policy: Policy{AllowHosts: []string{"shop.example.com"}}, want: "https://shop.example.com/a"},
		{name: "suffix is not a subdomain", raw: "https://evilbrand.example/", policy: Policy{AllowHosts: []string{"*.brand.example"}}, rule: RuleNotInAllowList},
		{name: "wildcard must end the host", raw: "https://intranet.brand.example.evil/", policy: Policy{AllowHosts: []string{"*.brand.example"}}, rule: RuleNotInAllowList},
		{name: "allowed host resolving private", raw: "https://internal.example/", policy: Policy{AllowHosts: []string{"internal.example"}}, rule: RulePrivateAddress},
		{name: "workspace deny full-width host", raw: "https://ｅｖｉｌ.com/", policy: Policy{WorkspaceDenyHosts: []string{"evil.com"}}, rule: RuleWorkspaceDenyList},
		{name: "rule destination gopher", raw: "gopher://127.0.0.1:6379/_SET", kind: WebOrApp, rule: RuleScheme},
		{name: "rule destination to workspace-denied host", raw: "myapp://evil.com/x", kind: WebOrApp, policy: Policy{WorkspaceDenyHosts: []string{"evil.com"}}, rule: RuleWorkspaceDenyList},
		{name: "deep link host normalized", raw: "myapp://Bücher.de/x", kind: WebOrApp, want: "myapp://xn--bcher-kva.de/x"},
		{name: "unresolvable deep link refused for callbacks", raw: "https://nowhere.example/", kind: WebOrApp, policy: Policy{RequireAddresses: true}, rule: RuleUnresolvable},
		{name: "resolvable accepted when required", raw: "https://example.com/cb", policy: Policy{RequireAddresses: true}, want: "https://example.com/cb"},
		{name: "private literal allowed, name still must resolve", raw: "http://nowhere.example/", policy: Policy{AllowPrivate: true, RequireAddresses: true}, rule: RuleUnresolvable},
		{name: "web via app field denied host", raw: "https://evil.com/", kind: WebOrApp, policy: Policy{DenyHosts: []string{"evil.com"}}, rule: RuleDenyList},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.policy
			p.Resolve = dns
			got, err := p.Check(context.Background(), "destination_url", tt.raw, tt.kind)
			prepared := p.Prepared()
			pgot, perr := prepared.Check(context.Background(), "destination_url", tt.raw, tt.kind)
			if pgot != got || fmt.Sprint(perr) != fmt.Sprint(err) {
				t.Fatalf("Prepared().Check(%q) = %q, %v; Check = %q, %v", tt.raw, pgot, perr, got, err)
			}
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want accepted", tt.raw, err)
				}
				if got != tt.want {
					t.Fatalf("Check(%q) = %q, want %q", tt.raw, got, tt.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Check(%q) = %q, %v; want refusal by %s", tt.raw, got, err, tt.rule)
			}
			if e.Rule != tt.rule || e.Field != "destination_url" {
				t.Fatalf("Check(%q) refused by %s (field %q): %s; want %s", tt.raw, e.Rule, e.Field, e.Message, tt.rule)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	p := Policy{DenyHosts: []string{"ok.example", "http://x"}, AllowHosts: []string{"a*.b"}, ResolveTimeout: -1}
	err := p.Validate("destinations")
	if err == nil {
		t.Fatal("Validate accepted bad patterns")
	}
	for _, want := range []string{"destinations.deny_hosts[1]", "destinations.allow_hosts[0]", "destinations.resolve_timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error %q does not name %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "deny_hosts[0]") {
		t.Errorf("Validate refused a good pattern: %v", err)
	}
}

// FuzzCheck holds the rule's invariants for any input: no panic; an
// accepted URL is stable (checking it again gives itself), parses with a
// host that is ASCII, within the limits and not private; a refusal names
// its field and a known rule.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"https://example.com/", "http://127。0。0。1/", "http://ｌｏｃａｌｈｏｓｔ/", "http://2130706433/",
		"http://[::ffff:127.0.0.1]/", "myapp://x/y", "gopher://127.0.0.1:6379/", "http://a:65536/",
		"https://Bücher.de/", "http://evil.com\\@x/", "https://ｅｖｉｌ.com/", "http://0x7f.1/",
		// from linkapi's FuzzDestinationSafety, merged here
		"http://169.254.169.254/latest/meta-data", "http://[fe80::1%25en0]/", "http://u:p@example.com",
		"javascript:alert(1)", "data:text/html,x", "http://1.2.3.4.5/", "http://0x/", "http://00/",
		"http://%31%32%37.0.0.1/", "HTTP://LOCALHOST./",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	rules := map[string]bool{RuleSyntax: true, RuleScheme: true, RuleCredentials: true, RuleHost: true,
		RulePort: true, RuleBlocklist: true, RuleDenyList: true, RulePrivateAddress: true, RuleUnresolvable: true}
	f.Fuzz(func(t *testing.T, raw string, app bool) {
		kind := Web
		if app {
			kind = WebOrApp
		}
		p := Policy{Resolve: dns, DenyHosts: []string{"evil.com"}, Blocklist: []string{"*.bad.example"}}
		got, err := p.Check(context.Background(), "f", raw, kind)
		prepared := p.Prepared()
		if pgot, perr := prepared.Check(context.Background(), "f", raw, kind); pgot != got || fmt.Sprint(perr) != fmt.Sprint(err) {
			t.Fatalf("Prepared().Check(%q) = %q, %v; Check = %q, %v", raw, pgot, perr, got, err)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Field != "f" || !rules[e.Rule] {
				t.Fatalf("Check(%q) = %v: not an *Error with field and known rule", raw, err)
			}
			return
		}
		again, err := p.Check(context.Background(), "f", got, kind)
		if err != nil || again != got {
			t.Fatalf("Check(%q) = %q, but Check(that) = %q, %v", raw, got, again, err)
		}
		u, e := Parse(got, kind, 0)
		if e != nil {
			t.Fatalf("accepted %q does not parse: %v", got, e)
		}
		if u.Host == "" {
			if u.Web() {
				t.Fatalf("accepted web URL %q without a host", got)
			}
			return
		}
		if len(u.Host) > MaxHostLen || strings.ContainsFunc(u.Host, func(r rune) bool { return r >= 0x7f }) {
			t.Fatalf("accepted %q has host %q", got, u.Host)
		}
		if u.Addr.IsValid() && !publicForTest(u.Addr) {
			t.Fatalf("accepted %q is a private address", got)
		}
		if u.Host == "evil.com" || strings.HasSuffix(u.Host, ".bad.example") || u.Host == "localhost" {
			t.Fatalf("accepted %q: host %q is denied", got, u.Host)
		}
	})
}

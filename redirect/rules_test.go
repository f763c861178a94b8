package redirect

import (
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/enrich/enrichtest"
	"github.com/clicktrail/clicktrail/schemas"
)

// User agents of the routing tests.
const (
	uaIPhone   = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
	uaAndroid  = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
	uaWindows  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
	uaSlackbot = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
)

// openTestGeo writes a GeoIP2-City test database and opens it the way
// internal/app does.
func openTestGeo(t testing.TB) *enrich.CountryReader {
	t.Helper()
	path := filepath.Join(t.TempDir(), "city.mmdb")
	err := enrichtest.WriteCityDB(path, []enrichtest.GeoEntry{
		{Network: "203.0.113.0/24", Country: "US", Region: "CA", City: "San Francisco"},
		{Network: "198.51.100.0/24", Country: "FR"},
		{Network: "2001:db8::/32", Country: "DE"},
	})
	if err != nil {
		t.Fatal(err)
	}
	geo, err := enrich.OpenCountryReader(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { geo.Close() })
	return geo
}

// routedLink has one rule of each kind, in the order they are tried.
func routedLink() *Link {
	l := testLink("routed")
	l.UTM = schemas.UTM{Source: "qr"}
	l.Rules = []Rule{
		{ID: "ios-app", OS: []string{"ios", "ipados"}, DestinationURL: "myapp://product/42"},
		{ID: "android-store", OS: []string{"android"}, Devices: []string{"mobile", "tablet"}, DestinationURL: "https://play.example.com/store/apps/details?id=com.example"},
		{ID: "germany", Countries: []string{"DE", "AT"}, DestinationURL: "https://shop.example.org/de"},
		{ID: "french", Languages: []string{"fr"}, DestinationURL: "https://shop.example.org/fr"},
		{ID: "us-desktop", Countries: []string{"US"}, Devices: []string{"desktop"}, DestinationURL: "https://shop.example.org/us"},
	}
	return l
}

func newRoutingRedirector(t testing.TB, geo CountryLookup, links ...*Link) (*Redirector, *memClickLog) {
	t.Helper()
	s, _ := openTestStore(t, StoreOptions{})
	for _, l := range links {
		mustCreate(t, s, l)
	}
	clicks := &memClickLog{}
	rd, err := NewRedirector(RedirectConfig{Store: s, Clicks: clicks, DefaultDomain: testDomain, AnyHost: true, Geo: geo,
		VisitorSecret: []byte("0123456789abcdef0123456789abcdef"), Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	return rd, clicks
}

func get(rd http.Handler, target, ip, ua, lang string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", target, nil)
	req.Host = testDomain
	req.RemoteAddr = net.JoinHostPort(ip, "40000")
	if ua != "" {
		req.Header.Set("User-Agent", ua)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	rec := httptest.NewRecorder()
	rd.ServeHTTP(rec, req)
	return rec
}

func lastClick(t *testing.T, clicks *memClickLog) *schemas.RawClick {
	t.Helper()
	recs := clicks.all()
	if len(recs) == 0 {
		t.Fatal("no click recorded")
	}
	c, err := schemas.DecodeRawClick(recs[len(recs)-1].value)
	if err != nil {
		t.Fatalf("recorded click does not decode: %v", err)
	}
	return c
}

func TestRouting(t *testing.T) {
	geo := openTestGeo(t)
	const def = "https://shop.example.org/spring?ref=mail&utm_source=qr"
	for _, tc := range []struct {
		name, ip, ua, lang string
		noGeo              bool
		location, ruleID   string
	}{
		{"iOS deep link", "192.0.2.1", uaIPhone, "", false, "myapp://product/42?utm_source=qr", "ios-app"},
		{"iOS wins over country (first match)", "2001:db8::1", uaIPhone, "", false, "myapp://product/42?utm_source=qr", "ios-app"},
		{"android store", "192.0.2.1", uaAndroid, "", false, "https://play.example.com/store/apps/details?id=com.example&utm_source=qr", "android-store"},
		{"country from IPv6", "2001:db8::1", uaWindows, "fr", false, "https://shop.example.org/de?utm_source=qr", "germany"},
		{"language", "192.0.2.1", uaWindows, "fr-CH, en;q=0.8", false, "https://shop.example.org/fr?utm_source=qr", "french"},
		{"language by preference, not order", "192.0.2.1", uaWindows, "en;q=0.5, fr;q=0.9", false, "https://shop.example.org/fr?utm_source=qr", "french"},
		{"country and device both", "203.0.113.9", uaWindows, "en", false, "https://shop.example.org/us?utm_source=qr", "us-desktop"},
		{"country but not device (bots have none)", "203.0.113.9", uaSlackbot, "en", false, def, ""},
		{"no geo reader: country rules never match", "2001:db8::1", uaWindows, "", true, def, ""},
		{"unknown address", "192.0.2.1", uaWindows, "en", false, def, ""},
		{"bot still matches country rules", "2001:db8::1", uaSlackbot, "", false, "https://shop.example.org/de?utm_source=qr", "germany"},
		{"no user agent", "192.0.2.1", "", "", false, def, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var g CountryLookup = geo
			if tc.noGeo {
				g = nil
			}
			rd, clicks := newRoutingRedirector(t, g, routedLink())
			rec := get(rd, "/routed", tc.ip, tc.ua, tc.lang)
			if rec.Code != 302 || rec.Header().Get("Location") != tc.location {
				t.Fatalf("got %d %q, want 302 %q", rec.Code, rec.Header().Get("Location"), tc.location)
			}
			c := lastClick(t, clicks)
			if c.RuleID != tc.ruleID || c.Variant != "" || c.Destination != tc.location {
				t.Errorf("click rule %q variant %q destination %q; want rule %q", c.RuleID, c.Variant, c.Destination, tc.ruleID)
			}
		})
	}
}

func abLink(weights ...int) *Link {
	l := testLink("ab")
	l.UTM = schemas.UTM{}
	for i, w := range weights {
		id := "v" + strconv.Itoa(i)
		l.Variants = append(l.Variants, Variant{ID: id, Weight: w, DestinationURL: "https://shop.example.org/" + id})
	}
	return l
}

// TestVariantWeights sends many distinct visitors and checks each variant's
// share against its weight within 5 standard deviations of a binomial.
func TestVariantWeights(t *testing.T) {
	rd, clicks := newRoutingRedirector(t, nil, abLink(1, 2, 7))
	const visitors = 6000
	for i := range visitors {
		ip := "10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)
		if rec := get(rd, "/ab", ip, uaWindows, ""); rec.Code != 302 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	counts := map[string]int{}
	for _, r := range clicks.all() {
		c, err := schemas.DecodeRawClick(r.value)
		if err != nil {
			t.Fatal(err)
		}
		if c.Destination != "https://shop.example.org/"+c.Variant {
			t.Fatalf("variant %q sent to %q", c.Variant, c.Destination)
		}
		counts[c.Variant]++
	}
	for id, w := range map[string]float64{"v0": 0.1, "v1": 0.2, "v2": 0.7} {
		want := w * visitors
		sd := math.Sqrt(visitors * w * (1 - w))
		if got := float64(counts[id]); math.Abs(got-want) > 5*sd {
			t.Errorf("variant %s: %v visitors, want %v ± %.0f (counts %v)", id, got, want, 5*sd, counts)
		}
	}
}

// TestVariantStable checks that a visitor (IP and agent) always gets the
// same variant, and that the user agent is part of the visitor.
func TestVariantStable(t *testing.T) {
	rdA, clicksA := newRoutingRedirector(t, nil, abLink(1, 1, 1))
	for i := range 50 {
		ip := "10.0.0." + strconv.Itoa(i)
		var first string
		for n := range 5 {
			get(rdA, "/ab", ip, uaAndroid, "")
			v := lastClick(t, clicksA).Variant
			if n == 0 {
				first = v
			} else if v != first {
				t.Fatalf("visitor %s got %s then %s", ip, first, v)
			}
		}
	}
	// Another agent on the same IP is another visitor: over 50 addresses,
	// some must differ.
	differ := 0
	for i := range 50 {
		ip := "10.0.0." + strconv.Itoa(i)
		get(rdA, "/ab", ip, uaAndroid, "")
		a := lastClick(t, clicksA).Variant
		get(rdA, "/ab", ip, uaWindows, "")
		if lastClick(t, clicksA).Variant != a {
			differ++
		}
	}
	if differ == 0 {
		t.Error("the user agent does not change the bucket")
	}
}

// TestVariantAcrossNodes: nodes sharing VisitorSecret give a visitor the
// same variant; another secret reshuffles visitors.
func TestVariantAcrossNodes(t *testing.T) {
	l := abLink(1, 1, 1)
	node := func(secret string) (*Redirector, *memClickLog) {
		s, _ := openTestStore(t, StoreOptions{})
		mustCreate(t, s, l.Clone())
		clicks := &memClickLog{}
		rd, err := NewRedirector(RedirectConfig{Store: s, Clicks: clicks, DefaultDomain: testDomain, VisitorSecret: []byte(secret)})
		if err != nil {
			t.Fatal(err)
		}
		return rd, clicks
	}
	const secret = "0123456789abcdef0123456789abcdef"
	rdA, clicksA := node(secret)
	rdB, clicksB := node(secret)
	rdC, clicksC := node("another secret of at least 32 bytes")
	reshuffled := 0
	for i := range 100 {
		ip := "10.1.0." + strconv.Itoa(i)
		get(rdA, "/ab", ip, uaWindows, "")
		get(rdB, "/ab", ip, uaWindows, "")
		get(rdC, "/ab", ip, uaWindows, "")
		a, b, c := lastClick(t, clicksA).Variant, lastClick(t, clicksB).Variant, lastClick(t, clicksC).Variant
		if a != b {
			t.Fatalf("visitor %s got %s on node A and %s on node B", ip, a, b)
		}
		if a != c {
			reshuffled++
		}
	}
	if reshuffled == 0 {
		t.Error("the secret does not change the buckets")
	}
}

func TestRulesValidate(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		mutate      func(*Link)
	}{
		{"valid", "", func(*Link) {}},
		{"valid deep link", "", func(l *Link) { l.Rules[0].DestinationURL = "fb://profile/33138223345" }},
		{"no rule id", "rules[1].id", func(l *Link) { l.Rules[1].ID = "" }},
		{"bad rule id", "rules[0].id", func(l *Link) { l.Rules[0].ID = "a b" }},
		{"duplicate rule id", "rules[2].id", func(l *Link) { l.Rules[2].ID = l.Rules[0].ID }},
		{"rule without criteria", "rules[3]", func(l *Link) { l.Rules[3].Languages = nil }},
		{"unknown device", "rules[1].devices[1]", func(l *Link) { l.Rules[1].Devices[1] = "phone" }},
		{"unknown os", "rules[0].os[0]", func(l *Link) { l.Rules[0].OS[0] = "symbian" }},
		{"lower-case country", "rules[2].countries[0]", func(l *Link) { l.Rules[2].Countries[0] = "de" }},
		{"bad language", "rules[3].languages[0]", func(l *Link) { l.Rules[3].Languages[0] = "fr-CH" }},
		{"too many countries", "rules[2].countries", func(l *Link) { l.Rules[2].Countries = make([]string, MaxRuleValues+1) }},
		{"no rule destination", "rules[1].destination_url", func(l *Link) { l.Rules[1].DestinationURL = "" }},
		{"javascript destination", "rules[0].destination_url", func(l *Link) { l.Rules[0].DestinationURL = "javascript:alert(1)" }},
		{"data destination", "rules[0].destination_url", func(l *Link) { l.Rules[0].DestinationURL = "DATA:text/html,x" }},
		{"scheme only", "rules[0].destination_url", func(l *Link) { l.Rules[0].DestinationURL = "myapp:" }},
		{"relative destination", "rules[0].destination_url", func(l *Link) { l.Rules[0].DestinationURL = "/x" }},
		{"too many rules", "rules", func(l *Link) { l.Rules = make([]Rule, MaxRules+1) }},
		{"valid variants", "", func(l *Link) { l.Variants = abLink(1, 3).Variants }},
		{"one variant", "variants", func(l *Link) { l.Variants = abLink(1).Variants }},
		{"zero weight", "variants[1].weight", func(l *Link) { l.Variants = abLink(1, 0).Variants }},
		{"huge weight", "variants[0].weight", func(l *Link) { l.Variants = abLink(MaxVariantWeight+1, 1).Variants }},
		{"duplicate variant id", "variants[1].id", func(l *Link) { l.Variants = abLink(1, 1).Variants; l.Variants[1].ID = "v0" }},
		{"deep link variant", "variants[0].destination_url", func(l *Link) {
			l.Variants = abLink(1, 1).Variants
			l.Variants[0].DestinationURL = "myapp://x"
		}},
		{"too many variants", "variants", func(l *Link) { l.Variants = abLink(make([]int, MaxVariants+1)...).Variants }},
		{"expired redirect without URL", "expired_url", func(l *Link) { l.ExpiredRedirect = true }},
		{"readyz is reserved", "path", func(l *Link) { l.Path = "readyz" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := routedLink()
			tc.mutate(l)
			err := l.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			fe, ok := err.(*FieldError)
			if !ok || fe.Field != tc.field {
				t.Fatalf("Validate = %v, want an error naming %s", err, tc.field)
			}
		})
	}
}

func TestLinkCloneRules(t *testing.T) {
	l := routedLink()
	l.Variants = abLink(1, 1).Variants
	c := l.Clone()
	c.Rules[0].OS[0] = "android"
	c.Variants[0].Weight = 9
	if l.Rules[0].OS[0] != "ios" || l.Variants[0].Weight != 1 {
		t.Error("clone shares rules or variants with the original")
	}
}

// BenchmarkRedirectRouted is BenchmarkRedirect for a link that uses every
// feature: five rules (the last one matches, after a UA classification, an
// Accept-Language parse and a GeoIP lookup), conversion tracking and an
// incoming query to merge. BenchmarkRedirectVariant takes the A/B path.
func BenchmarkRedirectRouted(b *testing.B) {
	l := routedLink()
	l.TrackConversions = true
	benchRedirect(b, openTestGeo(b), l, "/routed?gclid=abc123&qr=1")
}

func BenchmarkRedirectVariant(b *testing.B) {
	benchRedirect(b, nil, abLink(1, 2, 7), "/ab")
}

func benchRedirect(b *testing.B, geo CountryLookup, l *Link, target string) {
	s, _ := openTestStore(b, StoreOptions{})
	mustCreate(b, s, l)
	rd, err := NewRedirector(RedirectConfig{Store: s, Clicks: discardClicks{}, DefaultDomain: testDomain, Geo: geo})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", target, nil)
	req.Host = testDomain
	req.RemoteAddr = "203.0.113.9:51234"
	req.Header.Set("User-Agent", uaWindows)
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	w := &benchWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		rd.ServeHTTP(w, req)
	}
}

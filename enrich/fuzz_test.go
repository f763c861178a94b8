package enrich

import (
	"strings"
	"testing"
)

func FuzzEnrich(f *testing.F) {
	f.Add("203.0.113.77", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Safari/604.1", "https://t.co/x")
	f.Add("2001:db8:1:2::5", "curl/8.4.0", "")
	f.Add("::ffff:203.0.113.77", "", "android-app://com.slack")
	f.Add("fe80::1%eth0", "\xff\xfe", "http://[::1")
	f.Add("", "Googlebot", "%%%")
	e := newTestEnricher(f, testGeoDB(f))
	f.Fuzz(func(t *testing.T, ip, ua, referer string) {
		raw := rawClick(ip)
		raw.UserAgent, raw.Referer = ua, referer
		got, err := e.Enrich(raw)
		if err != nil {
			if !strings.HasPrefix(strings.TrimPrefix(err.Error(), "enrich click "+raw.EventID+": "), "field ip") {
				t.Fatalf("error %q does not name field ip", err)
			}
			return
		}
		b, err := got.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		a := mustAddr(t, ip)
		if p, _ := a.Prefix(map[bool]int{true: 24, false: 48}[a.Is4()]); p.Addr() == a {
			return // no host bits: the prefix is all there is to the address
		}
		for _, form := range []string{ip, a.String(), a.StringExpanded()} {
			if strings.Contains(ua, form) || strings.Contains(referer, form) {
				continue // echoed from another header, not leaked from ip
			}
			if strings.Contains(string(b), form) {
				t.Fatalf("enriched JSON contains the address as %q: %s", form, b)
			}
		}
	})
}

package redirect

import (
	"fmt"
	"html"
	"slices"
)

// route is a link's routing compiled when the link enters the cache:
// criteria as bit sets, every destination with the link's UTM fields merged
// and split for query merging, cumulative variant weights, and the body of
// the expired answer. It is immutable once built.
type route struct {
	def      target
	rules    []compiledRule
	variants []compiledVariant
	total    uint64 // sum of variant weights; 0 without variants

	// expiredBody is the HTML of the 410 answer when the link has an
	// ExpiredURL: browsers do not follow Location on a 410, so the body
	// links to it.
	expiredBody []byte
}

type compiledRule struct {
	id        string
	devices   uint8  // devDesktop... bits; 0 means any
	oses      uint16 // osIOS... bits; 0 means any
	countries []string
	languages []string
	to        target
}

type compiledVariant struct {
	id    string
	upper uint64 // cumulative weight: chosen when bucket < upper
	to    target
}

// compileRoute builds the route of l, whose default location (destination
// with UTM merged) is loc. l must be valid.
func compileRoute(l *Link, loc string) (*route, error) {
	rt := &route{def: newTarget(loc)}
	for i := range l.Rules {
		r := &l.Rules[i]
		to, err := location(r.DestinationURL, &l.UTM)
		if err != nil {
			return nil, fmt.Errorf("rules[%d].destination_url: %w", i, err)
		}
		cr := compiledRule{id: r.ID, countries: slices.Clone(r.Countries), languages: slices.Clone(r.Languages), to: newTarget(to)}
		for _, d := range r.Devices {
			cr.devices |= deviceBits[d]
		}
		for _, o := range r.OS {
			cr.oses |= osBits[o]
		}
		rt.rules = append(rt.rules, cr)
	}
	for i := range l.Variants {
		v := &l.Variants[i]
		to, err := location(v.DestinationURL, &l.UTM)
		if err != nil {
			return nil, fmt.Errorf("variants[%d].destination_url: %w", i, err)
		}
		rt.total += uint64(max(v.Weight, 0))
		rt.variants = append(rt.variants, compiledVariant{id: v.ID, upper: rt.total, to: newTarget(to)})
	}
	if l.ExpiredURL != "" {
		u := html.EscapeString(l.ExpiredURL)
		rt.expiredBody = []byte("<!doctype html>\n<meta charset=\"utf-8\">\n<title>Link expired</title>\n" +
			"<p>This link has expired. <a href=\"" + u + "\">Continue to " + u + "</a></p>\n")
	}
	return rt, nil
}

// pick chooses the visitor's target: the first matching rule, else a
// variant when the link has them, else the link's destination. ruleID or
// variantID names the choice ("" for the default).
func (rt *route) pick(v *visitor, linkID string, key *[32]byte) (t *target, ruleID, variantID string) {
	for i := range rt.rules {
		if r := &rt.rules[i]; r.matches(v) {
			return &r.to, r.id, ""
		}
	}
	if rt.total > 0 {
		b := v.bucket(key, linkID, rt.total)
		for i := range rt.variants {
			if vr := &rt.variants[i]; b < vr.upper {
				return &vr.to, "", vr.id
			}
		}
	}
	return &rt.def, "", ""
}

// matches reports whether every criterion of r holds for v; criteria are
// tested cheapest first and each visitor attribute is computed at most once.
func (r *compiledRule) matches(v *visitor) bool {
	if r.devices != 0 && r.devices&v.deviceBits() == 0 {
		return false
	}
	if r.oses != 0 && r.oses&v.osBits() == 0 {
		return false
	}
	if len(r.languages) > 0 && !slices.Contains(r.languages, v.language()) {
		return false
	}
	if len(r.countries) > 0 && !slices.Contains(r.countries, v.countryCode()) {
		return false
	}
	return true
}

package enrich

import (
	"strconv"
	"strings"
)

// maxLanguageEntries bounds the Accept-Language entries examined; browsers
// send fewer than ten.
const maxLanguageEntries = 32

// PrimaryLanguage returns the primary language subtag, lowercased, of the
// most preferred entry of an Accept-Language header: the entry with the
// highest q-value, the first one on ties. "fr-CH, en;q=0.8" gives "fr".
// Wildcards, entries with q=0 and malformed entries are skipped; "" means
// no usable entry.
func PrimaryLanguage(acceptLanguage string) string {
	best, bestQ := "", 0.0
	rest := acceptLanguage
	for n := 0; rest != "" && n < maxLanguageEntries; n++ {
		var entry string
		entry, rest, _ = strings.Cut(rest, ",")
		tag, params, _ := strings.Cut(entry, ";")
		tag = strings.TrimSpace(tag)
		primary, _, _ := strings.Cut(tag, "-")
		if !isAlpha(primary, 1, 8) {
			continue // includes "*"
		}
		q, ok := qValue(params)
		if !ok || q <= bestQ {
			continue
		}
		best, bestQ = primary, q
	}
	return lowerASCII(best)
}

// qValue parses the parameters after a language tag ("q=0.8"); no q
// parameter means 1.
func qValue(params string) (float64, bool) {
	params = strings.TrimSpace(params)
	if params == "" {
		return 1, true
	}
	v, ok := strings.CutPrefix(params, "q=")
	if !ok {
		v, ok = strings.CutPrefix(params, "Q=")
	}
	if !ok {
		return 0, false
	}
	q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || !(q >= 0 && q <= 1) { // also rejects NaN
		return 0, false
	}
	return q, true
}

func isAlpha(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// lowerASCII lowercases the ASCII letters of s and leaves other bytes
// alone, allocating only when s has an upper-case ASCII letter.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

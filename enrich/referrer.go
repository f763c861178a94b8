package enrich

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxHostLen is the longest DNS name; longer "hosts" are not hosts.
const maxHostLen = 253

// ReferrerHost returns the host of a Referer header: lowercase, without
// port, userinfo or IPv6 brackets. It returns "" for an empty, relative or
// unparseable referer, for one without a scheme, and for a host with
// characters no host name has or invalid UTF-8.
func ReferrerHost(referer string) string {
	if referer == "" {
		return ""
	}
	u, err := url.Parse(referer)
	if err != nil || u.Scheme == "" {
		return ""
	}
	h := u.Hostname()
	if h == "" || len(h) > maxHostLen || !utf8.ValidString(h) {
		return ""
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '-', c == '_', c == ':':
		case 'A' <= c && c <= 'Z', c >= 0x80: // upper case is lowered below; >= 0x80: IDN in UTF-8
		default:
			return ""
		}
	}
	// Lower ASCII only: browsers send IDNs as punycode, and Unicode case
	// mapping could change the length and the meaning of a raw UTF-8 host.
	return lowerASCII(strings.TrimSuffix(h, "."))
}

package redirect

import (
	"net/url"
	"slices"
	"strings"

	"github.com/clicktrail/clicktrail/internal/base62"
)

// Query parameters the redirector reads from the short link's URL. They are
// reserved: consumed and never forwarded to the destination.
const (
	// QRParam marks a QR scan: "?qr=1" records the click as
	// schemas.ClickTypeQRScan. Any value other than "1" is still dropped.
	QRParam = "qr"
	// DefaultClickIDParam is the default RedirectConfig.ClickIDParam.
	DefaultClickIDParam = "ct_click"
)

// Bounds on the incoming query forwarded to the destination: parts beyond
// them are dropped, so a hostile query cannot grow the Location header
// without limit.
const (
	MaxForwardedQuery = 2048 // bytes of forwarded parts
	maxForwardedParts = 64   // forwarded parts
)

// target is one destination of a link, split once when the link is cached
// so that an incoming query can be merged without parsing the URL again.
type target struct {
	location []string // Location without an incoming query: destination with UTM merged
	prefix   string   // location before its query and fragment
	parts    []string // location's query, split on '&', empty parts dropped
	keys     []string // decoded key of each part
	fragment string   // "#..." or ""
}

func newTarget(loc string) target {
	t := target{location: []string{loc}}
	rest := loc
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest, t.fragment = rest[:i], rest[i:]
	}
	rest, query, _ := strings.Cut(rest, "?")
	t.prefix = rest
	for part := range strings.SplitSeq(query, "&") {
		if part != "" {
			t.parts = append(t.parts, part)
			t.keys = append(t.keys, queryKey(part))
		}
	}
	return t
}

// incomingQuery is what the redirector learned from the request's query.
type incomingQuery struct {
	raw     string
	qr      bool // QRParam=1 was present
	forward bool // at least one part is forwarded
}

// scanQuery reads the request's raw query without allocating for the usual
// case (no escapes in keys).
func scanQuery(raw, clickParam string) incomingQuery {
	q := incomingQuery{raw: raw}
	if raw == "" {
		return q
	}
	for part := range strings.SplitSeq(raw, "&") {
		switch key := queryKey(part); {
		case part == "":
		case key == QRParam:
			if part == QRParam+"=1" {
				q.qr = true
			}
		case key == clickParam:
		default:
			q.forward = true
		}
	}
	return q
}

// merge returns t's location with the incoming query merged in and, when
// clickID is not empty, clickParam=clickID appended. Precedence, lowest
// first: the destination's own parameters, the link's UTM fields (already
// merged into t), the incoming parameters. A key the incoming query sets
// replaces every part of that key in t; the reserved parameters (QRParam,
// clickParam) are never forwarded. Forwarded parts keep their order and
// bytes, except that bytes not allowed in a query, ';' and a '%' not
// starting an escape are percent-encoded.
func (t *target) merge(q incomingQuery, clickParam, clickID string) string {
	// One scan keeps the forwarded parts and their keys (on the stack: no
	// allocation); both loops below read them.
	var keysBuf, partsBuf [maxForwardedParts]string
	keys, parts := keysBuf[:0], partsBuf[:0]
	for s := (forwardScanner{rest: q.raw, clickParam: clickParam}); ; {
		part, key, ok := s.next()
		if !ok {
			break
		}
		keys, parts = append(keys, key), append(parts, part)
	}
	var b strings.Builder
	b.Grow(len(t.location[0]) + min(len(q.raw), MaxForwardedQuery) + len(clickParam) + len(clickID) + 8)
	b.WriteString(t.prefix)
	sep := byte('?')
	for i, part := range t.parts {
		if t.keys[i] == clickParam && clickID != "" || slices.Contains(keys, t.keys[i]) {
			continue
		}
		b.WriteByte(sep)
		b.WriteString(part)
		sep = '&'
	}
	for _, part := range parts {
		b.WriteByte(sep)
		writeQueryPart(&b, part)
		sep = '&'
	}
	if clickID != "" {
		b.WriteByte(sep)
		b.WriteString(url.QueryEscape(clickParam))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(clickID))
	}
	b.WriteString(t.fragment)
	return b.String()
}

// forwardScanner yields the parts of an incoming query that are forwarded,
// with their decoded keys: not empty, not reserved, within the bounds
// MaxForwardedQuery and maxForwardedParts.
type forwardScanner struct {
	rest, clickParam string
	n, size          int
}

func (s *forwardScanner) next() (part, key string, ok bool) {
	for s.rest != "" {
		part, s.rest, _ = strings.Cut(s.rest, "&")
		if part == "" {
			continue
		}
		key = queryKey(part)
		if key == QRParam || key == s.clickParam {
			continue
		}
		s.n++
		s.size += len(part) + 1
		if s.n > maxForwardedParts || s.size > MaxForwardedQuery {
			s.rest = ""
			return "", "", false
		}
		return part, key, true
	}
	return "", "", false
}

// queryKey is the decoded key of a query part "key=value" ('+' is a space,
// %XX an escape, as url.QueryUnescape decodes); a key with a bad escape is
// compared as it is. It decodes by hand because url.QueryUnescape makes its
// argument escape to the heap, and with it the whole request the query
// belongs to; it only allocates for keys that have escapes.
func queryKey(part string) string {
	key, _, _ := strings.Cut(part, "=")
	if strings.IndexByte(key, '%') < 0 && strings.IndexByte(key, '+') < 0 {
		return key
	}
	b := make([]byte, 0, len(key))
	for i := 0; i < len(key); i++ {
		switch c := key[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(key) {
				return key
			}
			hi, ok1 := unhex(key[i+1])
			lo, ok2 := unhex(key[i+2])
			if !ok1 || !ok2 {
				return key
			}
			b = append(b, hi<<4|lo)
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// writeQueryPart writes part, percent-encoding what must not appear raw in
// a URL query.
func writeQueryPart(b *strings.Builder, part string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(part); i++ {
		c := part[i]
		if queryByteOK(c) || c == '%' && i+2 < len(part) && isHex(part[i+1]) && isHex(part[i+2]) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

// queryByteOK reports whether c may appear unescaped in a query part: RFC
// 3986 unreserved, sub-delims except '&' and ';', ':', '@', '/', '?'.
func queryByteOK(c byte) bool {
	if base62.IsAlnum(c) {
		return true
	}
	switch c {
	case '-', '.', '_', '~', '!', '$', '\'', '(', ')', '*', '+', ',', '=', ':', '@', '/', '?':
		return true
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

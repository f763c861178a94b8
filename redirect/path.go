package redirect

import (
	"strings"

	"github.com/clicktrail/clicktrail/internal/base62"
)

// reservedPaths are served by the redirector itself and cannot be links.
var reservedPaths = map[string]bool{"healthz": true, "readyz": true}

// ValidatePath checks a link path against the rules in the package doc and
// returns a *FieldError for field "path".
func ValidatePath(p string) error {
	if msg := pathProblem(p); msg != "" {
		return FieldErrorf("path", "%s", msg)
	}
	return nil
}

func pathProblem(p string) string {
	switch {
	case p == "":
		return "empty"
	case len(p) > MaxPathLen:
		return "longer than " + itoa(MaxPathLen) + " bytes"
	case p[0] == '/' || p[len(p)-1] == '/':
		return "must not start or end with '/'"
	case reservedPaths[p]:
		return "reserved"
	}
	segStart := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			switch p[segStart:i] {
			case "":
				return "empty segment ('//')"
			case ".", "..":
				return "'.' and '..' segments are not allowed"
			}
			segStart = i + 1
			continue
		}
		if !isPathChar(p[i]) {
			return "character " + quoteByte(p[i]) + " not allowed (want A-Z a-z 0-9 . _ ~ - /)"
		}
	}
	return ""
}

func isPathChar(c byte) bool {
	return base62.IsAlnum(c) || c == '.' || c == '_' || c == '~' || c == '-'
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	const hex = "0123456789ABCDEF"
	return "0x" + string([]byte{hex[c>>4], hex[c&15]})
}

// ParsePath turns a request's escaped path ("/spring", "/a%2Db/") into the
// link path it names, following the matching rules in the package doc: the
// leading '/' is required and stripped, one trailing '/' is stripped,
// %XX escapes are decoded (an escaped '/' is refused), and the result must be
// a valid path. ok is false for anything that can never name a link.
//
// It does not allocate unless the path contains escapes.
func ParsePath(escaped string) (path string, ok bool) {
	if len(escaped) < 2 || escaped[0] != '/' {
		return "", false
	}
	p := escaped[1:]
	if p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	if strings.IndexByte(p, '%') >= 0 {
		if p, ok = unescapePath(p); !ok {
			return "", false
		}
	}
	if pathProblem(p) != "" {
		return "", false
	}
	return p, true
}

// unescapePath decodes %XX escapes. Only escapes of characters allowed in a
// path can lead to a link, so anything else (including %2F) is refused here.
func unescapePath(s string) (string, bool) {
	if len(s) > 3*MaxPathLen {
		return "", false
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		c := hi<<4 | lo
		if !ok1 || !ok2 || !isPathChar(c) {
			return "", false
		}
		b = append(b, c)
		i += 2
	}
	return string(b), true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

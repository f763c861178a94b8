package httpedge

import (
	"bytes"
	"fmt"
	"strings"
)

// diagnose names the first thing in head, a request as read from the
// connection (request line, header fields, perhaps part of a body), that
// HTTP/1.1 (RFC 9112) does not allow, or returns "" when it finds nothing
// or head is incomplete. It explains a 400 that net/http gave without a
// reason; it never decides one, so it may be stricter or laxer than
// net/http on a detail without changing any status.
func diagnose(head []byte) string {
	end := bytes.Index(head, []byte("\n\r\n"))
	if end < 0 {
		if end = bytes.Index(head, []byte("\n\n")); end < 0 {
			return ""
		}
	}
	lines := bytes.Split(head[:end+1], []byte("\n"))
	lines = lines[:len(lines)-1] // the empty piece after the last "\n"
	for len(lines) > 0 && len(bytes.TrimRight(lines[0], "\r")) == 0 {
		lines = lines[1:] // empty lines before a request are allowed
	}
	if len(lines) == 0 {
		return ""
	}
	if d := diagnoseRequestLine(bytes.TrimSuffix(lines[0], []byte("\r"))); d != "" {
		return d
	}
	hosts := 0
	for i, l := range lines[1:] {
		l = bytes.TrimSuffix(l, []byte("\r"))
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') {
			return fmt.Sprintf("header line %d is folded (starts with white space), which HTTP/1.1 forbids", i+1)
		}
		name, value, ok := bytes.Cut(l, []byte(":"))
		if !ok {
			return fmt.Sprintf("header line %d (%s) has no colon", i+1, quote(l))
		}
		if len(name) == 0 {
			return fmt.Sprintf("header line %d has an empty field name", i+1)
		}
		if j := bytes.IndexFunc(name, func(r rune) bool { return !isTokenByte(r) }); j >= 0 {
			return fmt.Sprintf("header field name %s has the byte %s, not allowed in a name", quote(name), byteName(name[j]))
		}
		value = bytes.Trim(value, " \t")
		if j := bytes.IndexFunc(value, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }); j >= 0 {
			return fmt.Sprintf("header field %s has the control byte %s in its value", quote(name), byteName(value[j]))
		}
		if strings.EqualFold(string(name), "Host") {
			if hosts++; hosts > 1 {
				return "the request has more than one Host header field"
			}
			if !validHost(value) {
				return fmt.Sprintf("Host %s is not a valid host[:port]", quote(value))
			}
		}
	}
	return ""
}

func diagnoseRequestLine(l []byte) string {
	parts := bytes.Split(l, []byte(" "))
	if len(parts) != 3 {
		return fmt.Sprintf("the request line %s is not \"METHOD target HTTP/1.1\"", quote(l))
	}
	method, target, version := parts[0], parts[1], parts[2]
	if len(method) == 0 || bytes.IndexFunc(method, func(r rune) bool { return !isTokenByte(r) }) >= 0 {
		return fmt.Sprintf("the method %s is not a token", quote(method))
	}
	if len(target) == 0 || bytes.IndexFunc(target, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return fmt.Sprintf("the request target %s is empty or has a control byte", quote(target))
	}
	if !isVersion(version) {
		return fmt.Sprintf("the protocol version %s is not HTTP/1.x", quote(version))
	}
	return ""
}

func isVersion(v []byte) bool {
	return len(v) == 8 && string(v[:5]) == "HTTP/" && v[5] >= '0' && v[5] <= '9' && v[6] == '.' && v[7] >= '0' && v[7] <= '9'
}

// validHost is RFC 3986's host[:port] as a Host field may hold it: a
// reg-name or IPv4 address of unreserved, sub-delims and %-escapes, or an
// IP literal in brackets, then an optional port of digits.
func validHost(h []byte) bool {
	if len(h) > 0 && h[0] == '[' {
		end := bytes.IndexByte(h, ']')
		if end < 0 || bytes.IndexFunc(h[1:end], func(r rune) bool { return !(isHex(r) || r == ':' || r == '.') }) >= 0 {
			return false
		}
		h = h[end+1:]
		if len(h) == 0 {
			return true
		}
		if h[0] != ':' {
			return false
		}
		return bytes.IndexFunc(h[1:], func(r rune) bool { return r < '0' || r > '9' }) < 0
	}
	name, port, hasPort := bytes.Cut(h, []byte(":"))
	if hasPort && bytes.IndexFunc(port, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return false
	}
	return bytes.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~!$&'()*+,;=%", r))
	}) < 0
}

func isHex(r rune) bool { return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' }

// isTokenByte: RFC 9110's tchar.
func isTokenByte(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r < 0x80 && strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// quote shows outside input in a message: quoted, escaped, at most 64 bytes.
func quote(b []byte) string {
	if len(b) > 64 {
		return fmt.Sprintf("%q...", b[:64])
	}
	return fmt.Sprintf("%q", b)
}

func byteName(b byte) string { return fmt.Sprintf("0x%02X", b) }

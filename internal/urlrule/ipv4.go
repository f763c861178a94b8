package urlrule

import (
	"net/netip"
	"strconv"
	"strings"
)

// parseIPv4 tells whether host (ASCII, lower case) is an IPv4 literal and,
// if it is a valid one, which. A host is an IPv4 literal when its last
// dot-separated label is a number, as browsers parse it (WHATWG URL, "ends
// in a number"): so "127.1", "0x7f.0.0.1", "017700000001" and "2130706433"
// are all 127.0.0.1, and would slip past a check that only knew the
// dotted-quad form. literal && !ok is a host that browsers refuse.
func parseIPv4(host string) (addr netip.Addr, literal, ok bool) {
	parts := strings.Split(host, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" { // one trailing dot is allowed
		parts = parts[:len(parts)-1]
	}
	if _, numeric := ipv4Part(parts[len(parts)-1]); !numeric {
		return netip.Addr{}, false, false
	}
	if len(parts) > 4 {
		return netip.Addr{}, true, false
	}
	var v uint64
	for i, p := range parts {
		n, ok := ipv4Part(p)
		if !ok {
			return netip.Addr{}, true, false
		}
		if i < len(parts)-1 {
			if n > 255 {
				return netip.Addr{}, true, false
			}
			v = v<<8 | n
			continue
		}
		rest := uint(8 * (5 - len(parts))) // bits the last part fills
		if n >= 1<<rest {
			return netip.Addr{}, true, false
		}
		v = v<<rest | n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true, true
}

// ipv4Part parses one label of an IPv4 literal the WHATWG way: "0x" hex
// (possibly empty), a leading 0 for octal, else decimal.
func ipv4Part(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	for i := 0; i < len(s); i++ { // ParseUint would accept '_' and a sign
		c := s[i] | 0x20
		if !(s[i] >= '0' && s[i] <= '9' || base == 16 && c >= 'a' && c <= 'f') {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil { // out of range: still a number, and not a valid address
		return 1 << 40, true
	}
	return n, true
}

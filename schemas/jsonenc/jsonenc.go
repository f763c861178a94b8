// Package jsonenc appends JSON values to byte slices exactly as
// encoding/json writes them (HTML-safe escaping, U+FFFD for invalid UTF-8,
// \u2028 and \u2029 escaped, map keys sorted), without reflection or
// allocation: the primitives of the hand-written encoders of the click
// events (package schemas) and of stored links and bulk-job records
// (package redirect), which compare their output with encoding/json in
// property and fuzz tests (schemas/json_test.go, redirect's
// bulk_encode_test.go).
//
// It lives under schemas, and is public, so that schemas can use it
// while importing nothing else of the project, and every other encoder can
// reach it without a cycle. It imports only the standard library.
package jsonenc

import (
	"slices"
	"time"
	"unicode/utf8"
)

// Metadata writes md with its keys sorted bytewise, as encoding/json
// does. Up to 16 keys are sorted in a stack array.
func Metadata(b []byte, md map[string]string) []byte {
	var arr [16]string
	keys := arr[:0]
	for k := range md {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = String(b, k)
		b = append(b, ':')
		b = String(b, md[k])
	}
	return append(b, '}')
}

// Field writes name (the member's `,"name":` prefix, comma included) and v
// as a string.
func Field(b []byte, name, v string) []byte {
	return String(append(b, name...), v)
}

// OmitEmpty is Field, or nothing when v is empty (",omitempty").
func OmitEmpty(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return Field(b, name, v)
}

// Time writes t as time.Time.MarshalJSON does: quoted RFC 3339 with
// nanoseconds, trailing zeros trimmed.
func Time(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// TimeOK reports whether encoding/json can encode t: the year must have
// four digits and the zone offset be under 24 hours (RFC 3339).
func TimeOK(t time.Time) bool {
	var arr [40]byte
	_, err := t.AppendText(arr[:0])
	return err == nil
}

const hexDigits = "0123456789abcdef"

// jsonSafe[c] is true for the ASCII bytes encoding/json writes unescaped
// (with HTML escaping on, its default): printable ASCII except " \ < > &.
var jsonSafe = func() (s [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ { // DEL (0x7f) included
		s[c] = true
	}
	for _, c := range `"\<>&` {
		s[c] = false
	}
	return s
}()

// String writes s as a JSON string exactly as encoding/json does.
func String(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default: // control characters and < > &
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029': // JSONP-safe, like encoding/json
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

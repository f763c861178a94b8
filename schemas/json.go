package schemas

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// The hand-written encoders below produce exactly the bytes encoding/json
// produces for the same value (HTML-safe escaping, U+FFFD for invalid UTF-8,
// \u2028 and \u2029 escaped, map keys sorted, omitempty honoured), so the
// golden files and every consumer see no difference. They exist because
// encoding/json's reflection was ~9% of the redirect path's CPU. A property
// test (json_test.go) compares them with encoding/json over random values;
// a field added to a type must be added here too, or that test fails.
//
// Rejected: a generator (easyjson and the like) adds a build step and a
// dependency for two types that change rarely.

// AppendJSON appends the JSON encoding of c to dst and returns the extended
// slice. It allocates nothing beyond growing dst (and sorting a Metadata map
// of more than 16 keys).
//
// The bytes equal json.Marshal(c) whenever json.Marshal succeeds, which it
// does unless c.Time cannot be written as RFC 3339 (year outside 0..9999);
// then AppendJSON writes the time anyway and Marshal returns encoding/json's
// error instead.
func (c *RawClick) AppendJSON(dst []byte) []byte {
	b := appendHead(dst, c.V, c.EventID, c.Type, c.Time, c.WorkspaceID, c.LinkID, c.Domain, c.Path, c.Destination)
	b = appendField(b, `,"ip":`, c.IP)
	b = appendOmitEmpty(b, `,"user_agent":`, c.UserAgent)
	b = appendOmitEmpty(b, `,"referer":`, c.Referer)
	b = appendOmitEmpty(b, `,"accept_language":`, c.AcceptLanguage)
	b = appendTail(b, &c.UTM, c.Tags, c.Metadata)
	b = appendOmitEmpty(b, `,"rule_id":`, c.RuleID)
	b = appendOmitEmpty(b, `,"variant":`, c.Variant)
	return append(b, '}')
}

// appendHead appends the members both click types start with, from "{"
// through "destination".
func appendHead(b []byte, v int, eventID, typ string, ts time.Time, workspace, linkID, domain, path, destination string) []byte {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, int64(v), 10)
	b = appendField(b, `,"event_id":`, eventID)
	b = appendField(b, `,"type":`, typ)
	b = appendTime(append(b, `,"ts":`...), ts)
	b = appendOmitEmpty(b, `,"workspace_id":`, workspace)
	b = appendField(b, `,"link_id":`, linkID)
	b = appendField(b, `,"domain":`, domain)
	b = appendField(b, `,"path":`, path)
	return appendField(b, `,"destination":`, destination)
}

// AppendJSON appends the JSON encoding of c to dst; see RawClick.AppendJSON
// for the contract.
func (c *EnrichedClick) AppendJSON(dst []byte) []byte {
	b := appendHead(dst, c.V, c.EventID, c.Type, c.Time, c.WorkspaceID, c.LinkID, c.Domain, c.Path, c.Destination)
	b = appendField(b, `,"ip_prefix":`, c.IPPrefix)
	b = append(b, `,"visitor_hash":"`...) // the ",string" option
	b = strconv.AppendUint(b, c.VisitorHash, 10)
	b = append(b, '"')
	b = appendOmitEmpty(b, `,"country":`, c.Country)
	b = appendOmitEmpty(b, `,"region":`, c.Region)
	b = appendOmitEmpty(b, `,"city":`, c.City)
	b = appendField(b, `,"device_type":`, c.DeviceType)
	b = appendOmitEmpty(b, `,"os":`, c.OS)
	b = appendOmitEmpty(b, `,"browser":`, c.Browser)
	b = strconv.AppendBool(append(b, `,"bot":`...), c.Bot)
	b = appendOmitEmpty(b, `,"bot_name":`, c.BotName)
	b = appendOmitEmpty(b, `,"referrer_host":`, c.ReferrerHost)
	b = appendOmitEmpty(b, `,"language":`, c.Language)
	b = appendTail(b, &c.UTM, c.Tags, c.Metadata)
	b = appendOmitEmpty(b, `,"contact_id":`, c.ContactID)
	b = appendOmitEmpty(b, `,"rule_id":`, c.RuleID)
	b = appendOmitEmpty(b, `,"variant":`, c.Variant)
	if c.Internal {
		b = append(b, `,"internal":true`...)
	}
	return append(b, '}')
}

// appendTail writes the utm, tags and metadata fields both types share.
// "utm,omitempty" has no effect on a struct in encoding/json: utm is always
// written, {} when empty.
func appendTail(b []byte, u *UTM, tags []string, md map[string]string) []byte {
	b = append(b, `,"utm":{`...)
	n := len(b)
	b = appendOmitEmpty(b, `,"source":`, u.Source)
	b = appendOmitEmpty(b, `,"medium":`, u.Medium)
	b = appendOmitEmpty(b, `,"campaign":`, u.Campaign)
	b = appendOmitEmpty(b, `,"term":`, u.Term)
	b = appendOmitEmpty(b, `,"content":`, u.Content)
	if len(b) > n {
		b = append(b[:n], b[n+1:]...) // drop the first field's comma
	}
	b = append(b, '}')
	if len(tags) > 0 {
		b = append(b, `,"tags":[`...)
		for i, t := range tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, t)
		}
		b = append(b, ']')
	}
	if len(md) > 0 {
		b = appendMetadata(append(b, `,"metadata":`...), md)
	}
	return b
}

// appendMetadata writes md with its keys sorted bytewise, as encoding/json
// does. Up to 16 keys are sorted in a stack array.
func appendMetadata(b []byte, md map[string]string) []byte {
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
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, md[k])
	}
	return append(b, '}')
}

func appendField(b []byte, name, v string) []byte {
	return appendString(append(b, name...), v)
}

func appendOmitEmpty(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendField(b, name, v)
}

// appendTime writes t as time.Time.MarshalJSON does: quoted RFC 3339 with
// nanoseconds, trailing zeros trimmed.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// jsonTimeOK reports whether encoding/json can encode t: the year must have
// four digits and the zone offset be under 24 hours (RFC 3339).
func jsonTimeOK(t time.Time) bool {
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

// appendString writes s as a JSON string exactly as encoding/json does.
func appendString(b []byte, s string) []byte {
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

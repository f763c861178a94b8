package schemas

import (
	"strconv"
	"time"

	"github.com/clicktrail/clicktrail/schemas/jsonenc"
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
	b = jsonenc.Field(b, `,"ip":`, c.IP)
	b = jsonenc.OmitEmpty(b, `,"user_agent":`, c.UserAgent)
	b = jsonenc.OmitEmpty(b, `,"referer":`, c.Referer)
	b = jsonenc.OmitEmpty(b, `,"accept_language":`, c.AcceptLanguage)
	b = AppendJSONTail(b, &c.UTM, c.Tags, c.Metadata)
	b = jsonenc.OmitEmpty(b, `,"rule_id":`, c.RuleID)
	b = jsonenc.OmitEmpty(b, `,"variant":`, c.Variant)
	return append(b, '}')
}

// appendHead appends the members both click types start with, from "{"
// through "destination".
func appendHead(b []byte, v int, eventID, typ string, ts time.Time, workspace, linkID, domain, path, destination string) []byte {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, int64(v), 10)
	b = jsonenc.Field(b, `,"event_id":`, eventID)
	b = jsonenc.Field(b, `,"type":`, typ)
	b = jsonenc.Time(append(b, `,"ts":`...), ts)
	b = jsonenc.OmitEmpty(b, `,"workspace_id":`, workspace)
	b = jsonenc.Field(b, `,"link_id":`, linkID)
	b = jsonenc.Field(b, `,"domain":`, domain)
	b = jsonenc.Field(b, `,"path":`, path)
	return jsonenc.Field(b, `,"destination":`, destination)
}

// AppendJSON appends the JSON encoding of c to dst; see RawClick.AppendJSON
// for the contract.
func (c *EnrichedClick) AppendJSON(dst []byte) []byte {
	b := appendHead(dst, c.V, c.EventID, c.Type, c.Time, c.WorkspaceID, c.LinkID, c.Domain, c.Path, c.Destination)
	b = jsonenc.Field(b, `,"ip_prefix":`, c.IPPrefix)
	b = append(b, `,"visitor_hash":"`...) // the ",string" option
	b = strconv.AppendUint(b, c.VisitorHash, 10)
	b = append(b, '"')
	b = jsonenc.OmitEmpty(b, `,"country":`, c.Country)
	b = jsonenc.OmitEmpty(b, `,"region":`, c.Region)
	b = jsonenc.OmitEmpty(b, `,"city":`, c.City)
	b = jsonenc.Field(b, `,"device_type":`, c.DeviceType)
	b = jsonenc.OmitEmpty(b, `,"os":`, c.OS)
	b = jsonenc.OmitEmpty(b, `,"browser":`, c.Browser)
	b = strconv.AppendBool(append(b, `,"bot":`...), c.Bot)
	b = jsonenc.OmitEmpty(b, `,"bot_name":`, c.BotName)
	b = jsonenc.OmitEmpty(b, `,"referrer_host":`, c.ReferrerHost)
	b = jsonenc.OmitEmpty(b, `,"language":`, c.Language)
	b = AppendJSONTail(b, &c.UTM, c.Tags, c.Metadata)
	b = jsonenc.OmitEmpty(b, `,"contact_id":`, c.ContactID)
	b = jsonenc.OmitEmpty(b, `,"rule_id":`, c.RuleID)
	b = jsonenc.OmitEmpty(b, `,"variant":`, c.Variant)
	if c.Internal {
		b = append(b, `,"internal":true`...)
	}
	return append(b, '}')
}

// AppendJSONTail writes the utm, tags and metadata members the click types
// share, and stored links too (package redirect), with their leading
// commas.
// "utm,omitempty" has no effect on a struct in encoding/json: utm is always
// written, {} when empty.
func AppendJSONTail(b []byte, u *UTM, tags []string, md map[string]string) []byte {
	b = append(b, `,"utm":{`...)
	n := len(b)
	b = jsonenc.OmitEmpty(b, `,"source":`, u.Source)
	b = jsonenc.OmitEmpty(b, `,"medium":`, u.Medium)
	b = jsonenc.OmitEmpty(b, `,"campaign":`, u.Campaign)
	b = jsonenc.OmitEmpty(b, `,"term":`, u.Term)
	b = jsonenc.OmitEmpty(b, `,"content":`, u.Content)
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
			b = jsonenc.String(b, t)
		}
		b = append(b, ']')
	}
	if len(md) > 0 {
		b = jsonenc.Metadata(append(b, `,"metadata":`...), md)
	}
	return b
}

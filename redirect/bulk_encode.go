package redirect

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Append encoders for the records a bulk job writes per created link (the
// link, its outcome, its item idempotency key, its audit record). With
// encoding/json (reflection, one allocation per record) they cost a few
// percent of a job's CPU; these write the same bytes as json.Marshal, which
// still decodes them (TestBulkEncodersMatchJSON and FuzzBulkEncoders check
// it byte for byte). A record they do not handle on the fast path (an
// item's error, a time outside RFC 3339, a string to escape) goes through
// json.Marshal instead.

// appendItemRecord appends the JSON of r, as json.Marshal writes it.
func appendItemRecord(b []byte, r *itemRecord) ([]byte, error) {
	if r.Error != nil { // failed items are few: not worth a hand encoder
		v, err := json.Marshal(r)
		return append(b, v...), err
	}
	b = appendJSONString(append(b, `{"s":`...), r.Status)
	b = appendOmitEmpty(b, `,"l":`, r.LinkID)
	b = appendOmitEmpty(b, `,"d":`, r.Domain)
	b = appendOmitEmpty(b, `,"p":`, r.Path)
	return append(b, '}'), nil
}

// appendKeyRecord appends the JSON of r, as json.Marshal writes it.
func appendKeyRecord(b []byte, r *keyRecord) []byte {
	b = appendJSONString(append(b, `{"l":`...), r.LinkID)
	b = appendJSONString(append(b, `,"d":`...), r.Domain)
	b = appendJSONString(append(b, `,"p":`...), r.Path)
	return append(b, '}')
}

// appendAuditRecord appends the JSON of r, as json.Marshal writes it.
func appendAuditRecord(b []byte, r *AuditRecord) ([]byte, error) {
	if len(r.Changes) > 0 || !rfc3339Year(r.At) {
		v, err := json.Marshal(r)
		return append(b, v...), err
	}
	b = appendJSONString(append(b, `{"id":`...), r.ID)
	b = appendJSONTime(append(b, `,"at":`...), r.At)
	b = appendJSONString(append(b, `,"workspace_id":`...), r.WorkspaceID)
	b = appendJSONString(append(b, `,"key_id":`...), r.KeyID)
	b = appendOmitEmpty(b, `,"remote_addr":`, r.RemoteAddr)
	b = appendJSONString(append(b, `,"action":`...), r.Action)
	b = appendJSONString(append(b, `,"target_type":`...), r.TargetType)
	b = appendJSONString(append(b, `,"target_id":`...), r.TargetID)
	return append(b, '}'), nil
}

// rfc3339Year reports whether time.Time.MarshalJSON writes t as
// AppendFormat(RFC3339Nano) does: a four-digit year and a zone offset
// within a day (MarshalJSON refuses the rest).
func rfc3339Year(t time.Time) bool {
	if y := t.Year(); y < 0 || y > 9999 {
		return false
	}
	_, off := t.Zone()
	return off > -24*3600 && off < 24*3600
}

func appendOmitEmpty(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendJSONString(append(b, name...), v)
}

// appendJSONString appends s as a JSON string, as encoding/json writes it:
// printable ASCII other than " \ < > & as it is; anything else through
// json.Marshal (ids, domains and paths never need it).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			v, _ := json.Marshal(s) // a string always encodes
			return append(b, v...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// encodeLinkFast is encodeLink (the format byte and json.Marshal of l)
// without reflection, for every link the store writes (bulk jobs, the API,
// replication): the stored value is the same, byte for byte
// (FuzzEncodeLinkFast). Links with routing rules or
// variants, or times encoding/json refuses, go through encodeLink.
func encodeLinkFast(l *Link) ([]byte, error) {
	if len(l.Rules) > 0 || len(l.Variants) > 0 || !rfc3339Year(l.CreatedAt) || !rfc3339Year(l.UpdatedAt) ||
		(l.DeletedAt != nil && !rfc3339Year(*l.DeletedAt)) || (l.ExpiresAt != nil && !rfc3339Year(*l.ExpiresAt)) {
		return encodeLink(l)
	}
	b := make([]byte, 0, 384+len(l.DestinationURL))
	b = append(b, linkFormatV1)
	b = appendJSONString(append(b, `{"id":`...), l.ID)
	b = appendJSONString(append(b, `,"workspace_id":`...), l.WorkspaceID)
	b = appendJSONString(append(b, `,"domain":`...), l.Domain)
	b = appendJSONString(append(b, `,"path":`...), l.Path)
	b = appendJSONString(append(b, `,"destination_url":`...), l.DestinationURL)
	// "utm" is a struct: always written, {} when empty.
	b = append(b, `,"utm":{`...)
	n := len(b)
	b = appendOmitEmpty(b, `,"source":`, l.UTM.Source)
	b = appendOmitEmpty(b, `,"medium":`, l.UTM.Medium)
	b = appendOmitEmpty(b, `,"campaign":`, l.UTM.Campaign)
	b = appendOmitEmpty(b, `,"term":`, l.UTM.Term)
	b = appendOmitEmpty(b, `,"content":`, l.UTM.Content)
	if len(b) > n {
		b = append(b[:n], b[n+1:]...) // drop the first member's comma
	}
	b = append(b, '}')
	if len(l.Tags) > 0 {
		b = append(b, `,"tags":[`...)
		for i, t := range l.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, t)
		}
		b = append(b, ']')
	}
	if len(l.Metadata) > 0 { // keys sorted, as encoding/json writes a map
		b = append(b, `,"metadata":{`...)
		for i, k := range slices.Sorted(maps.Keys(l.Metadata)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendJSONString(b, k), ':')
			b = appendJSONString(b, l.Metadata[k])
		}
		b = append(b, '}')
	}
	b = appendJSONTime(append(b, `,"created_at":`...), l.CreatedAt)
	b = appendJSONTime(append(b, `,"updated_at":`...), l.UpdatedAt)
	b = strconv.AppendBool(append(b, `,"disabled":`...), l.Disabled)
	if l.DeletedAt != nil {
		b = appendJSONTime(append(b, `,"deleted_at":`...), *l.DeletedAt)
	}
	b = appendOmitEmpty(b, `,"external_id":`, l.ExternalID)
	if l.ExpiresAt != nil {
		b = appendJSONTime(append(b, `,"expires_at":`...), *l.ExpiresAt)
	}
	b = appendOmitEmpty(b, `,"expired_url":`, l.ExpiredURL)
	if l.ExpiredRedirect {
		b = append(b, `,"expired_redirect":true`...)
	}
	b = strconv.AppendInt(append(b, `,"redirect_code":`...), int64(l.RedirectCode), 10)
	if l.TrackConversions {
		b = append(b, `,"track_conversions":true`...)
	}
	return append(b, '}'), nil
}

// appendJSONTime appends t as time.Time.MarshalJSON writes it; the caller
// checked rfc3339Year(t).
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

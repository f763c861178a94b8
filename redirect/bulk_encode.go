package redirect

import (
	"encoding/json"
	"strconv"

	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/schemas/jsonenc"
)

// Append encoders for the records a bulk job writes per created link (the
// link, its outcome, its item idempotency key, its audit record). With
// encoding/json (reflection, one allocation per record) they cost a few
// percent of a job's CPU; these write the same bytes as json.Marshal, which
// still decodes them (TestBulkEncodersMatchJSON and FuzzBulkEncoders check
// it byte for byte), from the primitives of schemas/jsonenc (strings
// escaped as encoding/json does, without allocating). A record they do not
// handle on the fast path (an item's error, a time outside RFC 3339) goes
// through json.Marshal instead.

// appendItemRecord appends the JSON of r, as json.Marshal writes it.
func appendItemRecord(b []byte, r *itemRecord) ([]byte, error) {
	if r.Error != nil { // failed items are few: not worth a hand encoder
		v, err := json.Marshal(r)
		return append(b, v...), err
	}
	b = jsonenc.String(append(b, `{"s":`...), r.Status)
	b = jsonenc.OmitEmpty(b, `,"l":`, r.LinkID)
	b = jsonenc.OmitEmpty(b, `,"d":`, r.Domain)
	b = jsonenc.OmitEmpty(b, `,"p":`, r.Path)
	return append(b, '}'), nil
}

// appendKeyRecord appends the JSON of r, as json.Marshal writes it.
func appendKeyRecord(b []byte, r *keyRecord) []byte {
	b = jsonenc.String(append(b, `{"l":`...), r.LinkID)
	b = jsonenc.String(append(b, `,"d":`...), r.Domain)
	b = jsonenc.String(append(b, `,"p":`...), r.Path)
	return append(b, '}')
}

// appendAuditRecord appends the JSON of r, as json.Marshal writes it.
func appendAuditRecord(b []byte, r *AuditRecord) ([]byte, error) {
	if len(r.Changes) > 0 || !jsonenc.TimeOK(r.At) {
		v, err := json.Marshal(r)
		return append(b, v...), err
	}
	b = jsonenc.String(append(b, `{"id":`...), r.ID)
	b = jsonenc.Time(append(b, `,"at":`...), r.At)
	b = jsonenc.String(append(b, `,"workspace_id":`...), r.WorkspaceID)
	b = jsonenc.String(append(b, `,"key_id":`...), r.KeyID)
	b = jsonenc.OmitEmpty(b, `,"remote_addr":`, r.RemoteAddr)
	b = jsonenc.String(append(b, `,"action":`...), r.Action)
	b = jsonenc.String(append(b, `,"target_type":`...), r.TargetType)
	b = jsonenc.String(append(b, `,"target_id":`...), r.TargetID)
	return append(b, '}'), nil
}

// encodeLinkFast is encodeLink (the format byte and json.Marshal of l)
// without reflection, for every link the store writes (bulk jobs, the API,
// replication): the stored value is the same, byte for byte
// (FuzzEncodeLinkFast). Links with routing rules or
// variants, or times encoding/json refuses, go through encodeLink.
func encodeLinkFast(l *Link) ([]byte, error) {
	if len(l.Rules) > 0 || len(l.Variants) > 0 || !jsonenc.TimeOK(l.CreatedAt) || !jsonenc.TimeOK(l.UpdatedAt) ||
		(l.DeletedAt != nil && !jsonenc.TimeOK(*l.DeletedAt)) || (l.ExpiresAt != nil && !jsonenc.TimeOK(*l.ExpiresAt)) {
		return encodeLink(l)
	}
	b := make([]byte, 0, 384+len(l.DestinationURL))
	b = append(b, linkFormatV1)
	b = jsonenc.String(append(b, `{"id":`...), l.ID)
	b = jsonenc.String(append(b, `,"workspace_id":`...), l.WorkspaceID)
	b = jsonenc.String(append(b, `,"domain":`...), l.Domain)
	b = jsonenc.String(append(b, `,"path":`...), l.Path)
	b = jsonenc.String(append(b, `,"destination_url":`...), l.DestinationURL)
	b = schemas.AppendJSONTail(b, &l.UTM, l.Tags, l.Metadata)
	b = jsonenc.Time(append(b, `,"created_at":`...), l.CreatedAt)
	b = jsonenc.Time(append(b, `,"updated_at":`...), l.UpdatedAt)
	b = strconv.AppendBool(append(b, `,"disabled":`...), l.Disabled)
	if l.DeletedAt != nil {
		b = jsonenc.Time(append(b, `,"deleted_at":`...), *l.DeletedAt)
	}
	b = jsonenc.OmitEmpty(b, `,"external_id":`, l.ExternalID)
	if l.ExpiresAt != nil {
		b = jsonenc.Time(append(b, `,"expires_at":`...), *l.ExpiresAt)
	}
	b = jsonenc.OmitEmpty(b, `,"expired_url":`, l.ExpiredURL)
	if l.ExpiredRedirect {
		b = append(b, `,"expired_redirect":true`...)
	}
	b = strconv.AppendInt(append(b, `,"redirect_code":`...), int64(l.RedirectCode), 10)
	if l.TrackConversions {
		b = append(b, `,"track_conversions":true`...)
	}
	return append(b, '}'), nil
}

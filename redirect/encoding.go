package redirect

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/schemas/jsonenc"
)

// Key layout and value format of the link store (see Store).

// linkFormatV1 is the first byte of a stored link: JSON follows.
const linkFormatV1 = 1

func encodeLink(l *Link) ([]byte, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("encode link %s: %w", l.ID, err)
	}
	return append([]byte{linkFormatV1}, b...), nil
}

func decodeLink(v []byte) (*Link, error) {
	if len(v) == 0 || v[0] != linkFormatV1 {
		return nil, errors.New("decode link: unknown format")
	}
	var l Link
	if err := json.Unmarshal(v[1:], &l); err != nil {
		return nil, fmt.Errorf("decode link: %w", err)
	}
	return &l, nil
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

const (
	recordPrefix = "r/"
	indexPrefix  = "i/"
)

func recordKey(domain, path string) []byte {
	k := make([]byte, 0, len(recordPrefix)+len(domain)+1+len(path))
	k = append(k, recordPrefix...)
	k = append(k, domain...)
	k = append(k, '/')
	return append(k, path...)
}

func indexKey(id string) []byte { return append([]byte(indexPrefix), id...) }

// splitRecordKey is the inverse of recordKey.
func splitRecordKey(rk []byte) (domain, path string, ok bool) {
	rest, ok := strings.CutPrefix(string(rk), recordPrefix)
	if !ok {
		return "", "", false
	}
	return strings.Cut(rest, "/")
}

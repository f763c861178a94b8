package redirect

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

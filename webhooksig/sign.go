package webhooksig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Header names, as the spec spells them (http.Header canonicalizes them).
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// maxIDLen bounds webhook-id; clicktrail sends 36-character UUIDs.
const maxIDLen = 256

// Sign returns the v1 signature of body for message msgID sent at ts:
// "v1,<base64 HMAC-SHA256(key, msgID.unix(ts).body)>", the value of the
// webhook-signature header (join several with a space to sign with more
// than one secret). It fails on a bad secret, an empty msgID or one with a
// full stop or characters a header cannot carry, and a ts before 1970.
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	if err := validateID(msgID); err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	if ts.Unix() < 0 {
		return "", fmt.Errorf("sign: timestamp %s is before 1970", ts.UTC().Format(time.RFC3339))
	}
	mac := computeMAC(key, msgID, ts.Unix(), body)
	return "v1," + base64.StdEncoding.EncodeToString(mac), nil
}

// computeMAC is HMAC-SHA256(key, id "." ts "." body).
func computeMAC(key []byte, id string, unix int64, body []byte) []byte {
	// One write of "id.ts." from a stack buffer (ids are at most maxIDLen
	// bytes), then the body: no per-call copies of either.
	var buf [maxIDLen + 24]byte
	prefix := append(buf[:0], id...)
	prefix = append(prefix, '.')
	prefix = strconv.AppendInt(prefix, unix, 10)
	prefix = append(prefix, '.')
	h := hmac.New(sha256.New, key)
	h.Write(prefix)
	h.Write(body)
	return h.Sum(nil)
}

// validateID enforces the spec's rule that the id contains no full stop
// (which would make id.timestamp.body ambiguous) and keeps it to printable
// ASCII without spaces, which every header can carry.
func validateID(id string) error {
	if id == "" {
		return errors.New("message id: empty")
	}
	if len(id) > maxIDLen {
		return fmt.Errorf("message id: longer than %d bytes", maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '.' {
			return fmt.Errorf("message id: byte %d (%q) not allowed: want printable ASCII without spaces or full stops", i, c)
		}
	}
	return nil
}

package webhooksig

import (
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// DefaultTolerance is how far webhook-timestamp may be from the receiver's
// clock, either way, when Verify is given a zero tolerance.
const DefaultTolerance = 5 * time.Minute

// Errors of Verify, wrapped with the detail; branch with errors.Is. All of
// them mean "reject the request" (answer 4xx, do not process the body).
var (
	ErrMissingHeader       = errors.New("missing webhook header")
	ErrInvalidHeader       = errors.New("invalid webhook header")
	ErrTimestampTooOld     = errors.New("webhook timestamp too old")
	ErrTimestampTooNew     = errors.New("webhook timestamp too new")
	ErrNoMatchingSignature = errors.New("no matching webhook signature")
)

// Verify checks that headers carry a valid Standard Webhooks signature of
// body under one of secrets (pass the current and, during a rotation, the
// previous secret), and that webhook-timestamp is within tolerance of now
// (zero means DefaultTolerance; negative is an error). body must be the raw
// request body, byte for byte: verify before parsing JSON.
//
// A nil error means authentic and fresh. It does not mean new: the sender
// retries, so deduplicate on the webhook-id header.
func Verify(secrets []string, headers http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance < 0 {
		return fmt.Errorf("verify webhook: tolerance %s is negative", tolerance)
	}
	if tolerance == 0 {
		tolerance = DefaultTolerance
	}
	if len(secrets) == 0 {
		return fmt.Errorf("verify webhook: %w: no secrets given", ErrInvalidSecret)
	}
	keys := make([][]byte, len(secrets))
	for i, s := range secrets {
		k, err := decodeSecret(s)
		if err != nil {
			return fmt.Errorf("verify webhook: secret %d: %w", i, err)
		}
		keys[i] = k
	}

	id, err := requireHeader(headers, HeaderID)
	if err != nil {
		return err
	}
	if err := validateID(id); err != nil {
		return fmt.Errorf("verify webhook: %w: %s: %w", ErrInvalidHeader, HeaderID, err)
	}
	rawTS, err := requireHeader(headers, HeaderTimestamp)
	if err != nil {
		return err
	}
	unix, err := parseTimestamp(rawTS)
	if err != nil {
		return fmt.Errorf("verify webhook: %w: %s: %w", ErrInvalidHeader, HeaderTimestamp, err)
	}
	rawSig, err := requireHeader(headers, HeaderSignature)
	if err != nil {
		return err
	}

	ts := time.Unix(unix, 0)
	if d := now.Sub(ts); d > tolerance {
		return fmt.Errorf("verify webhook: %w: %s is %s behind the clock (tolerance %s)", ErrTimestampTooOld, HeaderTimestamp, d.Truncate(time.Second), tolerance)
	}
	if d := ts.Sub(now); d > tolerance {
		return fmt.Errorf("verify webhook: %w: %s is %s ahead of the clock (tolerance %s)", ErrTimestampTooNew, HeaderTimestamp, d.Truncate(time.Second), tolerance)
	}

	sigs := parseSignatures(rawSig)
	macs := make([][]byte, len(keys))
	for i, k := range keys {
		macs[i] = computeMAC(k, id, unix, body)
	}
	var got [64]byte
	matched := false
	for _, s := range sigs {
		if s.version != "v1" || base64.StdEncoding.DecodedLen(len(s.value)) > len(got) {
			continue
		}
		n, err := base64.StdEncoding.Decode(got[:], []byte(s.value))
		if err != nil {
			continue
		}
		for _, m := range macs {
			// Check every pair: the work must not depend on which one matches.
			if hmac.Equal(got[:n], m) {
				matched = true
			}
		}
	}
	if !matched {
		return fmt.Errorf("verify webhook: %w: %d signature(s) in %s, %d secret(s) tried", ErrNoMatchingSignature, len(sigs), HeaderSignature, len(keys))
	}
	return nil
}

func requireHeader(h http.Header, name string) (string, error) {
	v := h.Get(name)
	if v == "" {
		return "", fmt.Errorf("verify webhook: %w: %s", ErrMissingHeader, name)
	}
	return v, nil
}

// parseTimestamp accepts Unix seconds as plain decimal digits: no sign,
// no fraction, no spaces, at most 18 digits.
func parseTimestamp(s string) (int64, error) {
	if len(s) > 18 {
		return 0, fmt.Errorf("%d characters, want Unix seconds", len(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not Unix seconds (decimal digits only)", s)
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

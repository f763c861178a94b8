package webhooksig

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// SecretPrefix starts every serialized signing secret.
const SecretPrefix = "whsec_"

// Bounds of a decoded secret, from the spec: at least 192 bits, at most 512.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
	newSecretBytes = 32
)

// ErrInvalidSecret is returned (wrapped with the reason) for a secret that
// is not "whsec_" + base64 of MinSecretBytes to MaxSecretBytes bytes.
var ErrInvalidSecret = errors.New("invalid webhook secret")

// NewSecret returns a fresh random secret, "whsec_" + base64 of 32 bytes
// from crypto/rand (which never fails: the runtime aborts the program if the
// system's random source breaks).
func NewSecret() string {
	key := make([]byte, newSecretBytes)
	_, _ = rand.Read(key)
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// ValidateSecret reports whether secret can sign and verify messages. The
// error names the problem but never contains the secret.
func ValidateSecret(secret string) error {
	_, err := decodeSecret(secret)
	return err
}

// decodeSecret returns the HMAC key of secret.
func decodeSecret(secret string) ([]byte, error) {
	s := strings.TrimPrefix(secret, SecretPrefix)
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidSecret)
	}
	if base64.StdEncoding.DecodedLen(len(s)) > MaxSecretBytes+2 {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalidSecret, MaxSecretBytes)
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64 (standard alphabet, padded)", ErrInvalidSecret)
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return nil, fmt.Errorf("%w: %d bytes, want %d to %d", ErrInvalidSecret, len(key), MinSecretBytes, MaxSecretBytes)
	}
	return key, nil
}

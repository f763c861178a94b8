package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// KeyLen is the length of a key: AES-256.
const KeyLen = 32

// prefix starts every sealed value.
const prefix = "sealed:v1:"

// ErrOpen is wrapped by Open's errors: a value that is not sealed, was
// sealed under a key the ring lacks, or for another context, or was altered.
var ErrOpen = errors.New("open sealed secret")

// Key is one key of a ring.
type Key struct {
	// ID names the key in sealed values: 1 to 32 characters A-Z a-z 0-9 _ -.
	ID  string
	Key []byte // KeyLen bytes
}

// Ring seals with its first key and opens with any of its keys. It is safe
// for concurrent use.
type Ring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// NewRing returns the ring of keys, the first sealing.
func NewRing(keys ...Key) (*Ring, error) {
	if len(keys) == 0 {
		return nil, errors.New("seal: at least one key is required")
	}
	r := &Ring{current: keys[0].ID, aeads: map[string]cipher.AEAD{}}
	for i, k := range keys {
		if !validID(k.ID) {
			return nil, fmt.Errorf("seal: key %d: id %q: want 1 to 32 characters A-Z a-z 0-9 _ -", i, k.ID)
		}
		if len(k.Key) != KeyLen {
			return nil, fmt.Errorf("seal: key %s: want %d bytes, got %d", k.ID, KeyLen, len(k.Key))
		}
		if _, dup := r.aeads[k.ID]; dup {
			return nil, fmt.Errorf("seal: key id %s given twice", k.ID)
		}
		block, err := aes.NewCipher(k.Key)
		if err != nil {
			return nil, fmt.Errorf("seal: key %s: %w", k.ID, err)
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("seal: key %s: %w", k.ID, err)
		}
		r.aeads[k.ID] = aead
	}
	return r, nil
}

func validID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Seal returns secret sealed under the current key for context.
func (r *Ring) Seal(secret, context string) string {
	ct := r.aeads[r.current].Seal(nil, nil, []byte(secret), []byte(context))
	return prefix + r.current + ":" + base64.RawURLEncoding.EncodeToString(ct)
}

// Open returns the secret sealed in v for context, or an error wrapping
// ErrOpen.
func (r *Ring) Open(v, context string) (string, error) {
	id, ct, ok := parse(v)
	if !ok {
		return "", fmt.Errorf("%w: not a sealed value", ErrOpen)
	}
	aead := r.aeads[id]
	if aead == nil {
		return "", fmt.Errorf("%w: sealed under key %q, which is not configured", ErrOpen, id)
	}
	pt, err := aead.Open(nil, nil, ct, []byte(context))
	if err != nil {
		return "", fmt.Errorf("%w: under key %q: altered, or sealed for another record", ErrOpen, id)
	}
	return string(pt), nil
}

// Current reports whether v is sealed under the ring's current key: false
// means it should be sealed again (a rotation, or a value stored before
// sealing).
func (r *Ring) Current(v string) bool {
	id, _, ok := parse(v)
	return ok && id == r.current
}

// IsSealed reports whether v has the form of a sealed value.
func IsSealed(v string) bool {
	_, _, ok := parse(v)
	return ok
}

func parse(v string) (id string, ct []byte, ok bool) {
	rest, found := strings.CutPrefix(v, prefix)
	if !found {
		return "", nil, false
	}
	id, enc, found := strings.Cut(rest, ":")
	if !found || !validID(id) {
		return "", nil, false
	}
	ct, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", nil, false
	}
	return id, ct, true
}

// ParseKey reads a key as configured: "<id>:<base64 of 32 bytes>"
// (standard or URL alphabet, padded or not).
func ParseKey(s string) (Key, error) {
	id, enc, found := strings.Cut(s, ":")
	if !found || !validID(id) {
		return Key{}, errors.New(`want "<id>:<base64 of 32 random bytes>", id of A-Z a-z 0-9 _ -`)
	}
	enc = strings.TrimRight(enc, "=")
	for _, e := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := e.DecodeString(enc); err == nil {
			if len(b) != KeyLen {
				return Key{}, fmt.Errorf("key %s: want %d bytes, got %d", id, KeyLen, len(b))
			}
			return Key{ID: id, Key: b}, nil
		}
	}
	return Key{}, fmt.Errorf("key %s: not base64", id)
}

// NewKey returns a random key named id.
func NewKey(id string) Key {
	b := make([]byte, KeyLen)
	rand.Read(b)
	return Key{ID: id, Key: b}
}

// String is the configuration form of k, for ParseKey.
func (k Key) String() string { return k.ID + ":" + base64.StdEncoding.EncodeToString(k.Key) }

var (
	processOnce sync.Once
	processRing *Ring
)

// ProcessRing is a ring of one random key that lives as long as the
// process: for components configured without a ring (tests). What it seals
// cannot be opened after the process exits.
func ProcessRing() *Ring {
	processOnce.Do(func() {
		r, err := NewRing(NewKey("process"))
		if err != nil {
			panic(err) // a random key of the right length always makes a ring
		}
		processRing = r
	})
	return processRing
}

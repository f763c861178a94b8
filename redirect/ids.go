package redirect

import (
	"crypto/rand"
	"strconv"
)

const (
	linkIDPrefix   = "lnk_"
	linkIDRandLen  = 22 // 22 base62 characters: about 131 random bits
	randomPathLen  = 7  // 62^7: about 3.5e12 slugs
	base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// NewLinkID returns a new random link id: "lnk_" and 22 base62 characters
// from crypto/rand.
func NewLinkID() string { return linkIDPrefix + randomBase62(linkIDRandLen) }

// randomPath returns a random 7-character base62 slug.
func randomPath() string { return randomBase62(randomPathLen) }

// randomBase62 returns n uniformly random base62 characters. Bytes of 248 and
// above are rejected so that byte % 62 is unbiased (248 = 4*62).
func randomBase62(n int) string {
	out := make([]byte, 0, n)
	var buf [32]byte
	for len(out) < n {
		rand.Read(buf[:]) // never fails (crypto/rand, Go 1.24+)
		for _, b := range buf {
			if b < 248 && len(out) < n {
				out = append(out, base62Alphabet[b%62])
			}
		}
	}
	return string(out)
}

func validLinkID(id string) bool {
	if len(id) != len(linkIDPrefix)+linkIDRandLen || id[:len(linkIDPrefix)] != linkIDPrefix {
		return false
	}
	for i := len(linkIDPrefix); i < len(id); i++ {
		if !isAlnum(id[i]) {
			return false
		}
	}
	return true
}

func itoa(n int) string { return strconv.Itoa(n) }

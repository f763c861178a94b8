package redirect

import (
	"strconv"

	"github.com/clicktrail/clicktrail/internal/base62"
)

const (
	linkIDPrefix  = "lnk_"
	linkIDRandLen = 22 // 22 base62 characters: about 131 random bits
	randomPathLen = 7  // 62^7: about 3.5e12 slugs
)

// NewLinkID returns a new random link id: "lnk_" and 22 base62 characters
// from crypto/rand.
func NewLinkID() string { return linkIDPrefix + base62.Random(linkIDRandLen) }

// RandomPath returns a random 7-character base62 slug, the path of a link
// created without one.
func RandomPath() string { return base62.Random(randomPathLen) }

// ValidLinkID reports whether id has the form NewLinkID gives.
func ValidLinkID(id string) bool {
	if len(id) != len(linkIDPrefix)+linkIDRandLen || id[:len(linkIDPrefix)] != linkIDPrefix {
		return false
	}
	return base62.All(id[len(linkIDPrefix):])
}

func itoa(n int) string { return strconv.Itoa(n) }

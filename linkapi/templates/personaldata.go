package templates

import (
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/clicktrail/clicktrail/redirect"
)

// maxUnfoldRounds bounds the rounds of percent-decoding and normalization
// LooksLikeEmail applies. A value still changing after them is refused:
// nobody encodes a contact id eight times.
const maxUnfoldRounds = 8

// LooksLikeEmail reports whether s could put an e-mail address into a URL:
// whether it holds an '@' once percent-decoded (repeatedly: a receiver may
// decode "%2540" twice) and normalized to Unicode NFKC (which folds the
// full-width '＠' and the small '﹫' into '@', and the full-width '％' into
// '%', which is decoded in turn). It is the one guard of the rule "no
// personal data in URLs": personalization values (whatever their
// placeholder's position: path, query, fragment or UTM template) and a
// link's contact id (metadata.contact_id, which also comes from
// values.contact_id) go through it, for single creates, upserts, patches
// and bulk items alike.
func LooksLikeEmail(s string) bool {
	for range maxUnfoldRounds {
		if strings.IndexByte(s, '@') >= 0 {
			return true
		}
		next := norm.NFKC.String(percentDecode(s))
		if next == s {
			return false
		}
		s = next
	}
	return true // still unfolding: refuse rather than guess
}

// emailError is the answer to a value of field that LooksLikeEmail.
func emailError(field string) *redirect.FieldError {
	return redirect.FieldErrorf(field, "looks like an e-mail address (once decoded and normalized); personalize with a contact id or token, never personal data")
}

// CheckContactID refuses a metadata.contact_id that LooksLikeEmail: a link
// names its contact by an id or a token, which enrichment and webhooks
// carry on.
func CheckContactID(metadata map[string]string) *redirect.FieldError {
	if v, ok := metadata["contact_id"]; ok && LooksLikeEmail(v) {
		return emailError("metadata.contact_id")
	}
	return nil
}

// percentDecode decodes the valid %XX escapes of s and keeps everything
// else as it is (url.PathUnescape would give up on the first bad escape,
// and "alice%40example.com%" must still be caught).
func percentDecode(s string) string {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

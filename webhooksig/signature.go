package webhooksig

import "strings"

// signature is one entry of the webhook-signature header.
type signature struct {
	version string // "v1" for HMAC-SHA256, "v1a" for ed25519, ...
	value   string // base64, not yet decoded
}

// parseSignatures splits a webhook-signature header value: entries are
// separated by spaces (runs of spaces and surrounding spaces are
// tolerated), each "version,value". Entries without a comma or with an
// empty version or value are dropped; the caller ignores versions it does
// not know, so a sender may add schemes without breaking receivers.
func parseSignatures(h string) []signature {
	var out []signature
	for _, f := range strings.Split(h, " ") {
		version, value, ok := strings.Cut(f, ",")
		if !ok || version == "" || value == "" {
			continue
		}
		out = append(out, signature{version: version, value: value})
	}
	return out
}

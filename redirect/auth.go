package redirect

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// keyHashes holds the SHA-256 of each accepted API key, never the keys.
type keyHashes [][sha256.Size]byte

func hashKeys(keys []string) keyHashes {
	h := make(keyHashes, len(keys))
	for i, k := range keys {
		h[i] = sha256.Sum256([]byte(k))
	}
	return h
}

// match reports whether key is one of the accepted keys. It compares hashes
// in constant time and always compares against every key, so the time taken
// says nothing about which key or how much of it matched.
func (h keyHashes) match(key string) bool {
	sum := sha256.Sum256([]byte(key))
	ok := 0
	for i := range h {
		ok |= subtle.ConstantTimeCompare(sum[:], h[i][:])
	}
	return ok == 1
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func (a *api) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key, ok := bearer(r); !ok || !a.keys.match(key) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="clicktrail"`)
			writeError(w, &apiError{status: http.StatusUnauthorized, Code: CodeUnauthorized,
				Message: "missing or unknown API key; send Authorization: Bearer <key>"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

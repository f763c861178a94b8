package redirect

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strconv"
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

// match returns the index of key among the accepted keys, or -1. It
// compares hashes in constant time and always compares against every key,
// so the time taken says nothing about which key or how much of it matched.
func (h keyHashes) match(key string) int {
	sum := sha256.Sum256([]byte(key))
	found := -1
	for i := range h {
		if subtle.ConstantTimeCompare(sum[:], h[i][:]) == 1 {
			found = i
		}
	}
	return found
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header; false when there is none. Handlers beside the link API (the
// webhook sink's endpoint API) read keys with it too.
func BearerToken(r *http.Request) (string, bool) { return bearer(r) }

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// authenticate finds the principal of the request's bearer key: a stored key
// of a workspace (Store.Authenticate), or a bootstrap key of
// APIConfig.APIKeys, which acts in the default workspace with every scope
// and ScopeAdmin. Anything else answers 401.
func (a *api) authenticate(r *http.Request) (*Principal, *apiError) {
	unauthorized := &apiError{status: http.StatusUnauthorized, Code: CodeUnauthorized,
		Message: "missing, unknown or revoked API key; send Authorization: Bearer <key>"}
	token, ok := bearer(r)
	if !ok {
		return nil, unauthorized
	}
	if _, stored := keyIDOfToken(token); stored {
		k, err := a.cfg.Store.Authenticate(r.Context(), token)
		if errors.Is(err, ErrKeyNotFound) {
			return nil, unauthorized
		}
		if err != nil {
			return nil, a.internal("authenticate", err)
		}
		return &Principal{WorkspaceID: k.WorkspaceID, KeyID: k.ID, Scopes: k.Scopes, RemoteAddr: remoteHost(r)}, nil
	}
	i := a.keys.match(token)
	if i < 0 {
		return nil, unauthorized
	}
	return &Principal{WorkspaceID: DefaultWorkspaceID, KeyID: "bootstrap_" + strconv.Itoa(i+1),
		Scopes: bootstrapScopes, RemoteAddr: remoteHost(r)}, nil
}

// bootstrapScopes are the scopes of the keys of APIConfig.APIKeys.
var bootstrapScopes = slices.Sorted(slices.Values(append(slices.Clone(KeyScopes), ScopeAdmin)))

// guard lets through requests with a known API key (401 otherwise) holding
// scope (403 otherwise; "" needs none) that are within the key's rate limit
// (429 otherwise), with the key's Principal in the request context.
func (a *api) guard(next http.Handler, scope func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, aerr := a.authenticate(r)
		if aerr != nil {
			if aerr.status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="clicktrail"`)
			}
			writeError(w, aerr)
			return
		}
		if a.limit != nil {
			token, _ := bearer(r)
			if !a.limit.admit(w, sha256.Sum256([]byte(token))) {
				return
			}
		}
		if s := scope(r); s != "" && !p.Has(s) {
			writeError(w, &apiError{status: http.StatusForbidden, Code: CodeMissingScope,
				Message: "this API key lacks the scope " + s})
			return
		}
		next.ServeHTTP(w, withPrincipal(r, p))
	})
}

// needs returns a scope function for guard that always asks for scope.
func needs(scope string) func(*http.Request) string {
	return func(*http.Request) string { return scope }
}

package linkapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
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

// match returns the index of the key whose SHA-256 is sum among the
// accepted keys, or -1. It compares hashes in constant time, against every
// key and without branching on the result, so the time taken says nothing
// about which key or how much of it matched.
func (h keyHashes) match(sum [sha256.Size]byte) int {
	found := -1
	for i := range h {
		found = subtle.ConstantTimeSelect(subtle.ConstantTimeCompare(sum[:], h[i][:]), i, found)
	}
	return found
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header; false when there is none. Handlers beside the link API (the
// webhook sink's endpoint API) read keys with it too.
func BearerToken(r *http.Request) (string, bool) {
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
// and ScopeAdmin. Anything else answers 401. sum is the key's SHA-256, the
// rate limiter's key.
func (a *api) authenticate(r *http.Request) (p *Principal, sum [sha256.Size]byte, _ *APIError) {
	unauthorized := &APIError{status: http.StatusUnauthorized, Code: CodeUnauthorized,
		Message: "missing, unknown or revoked API key; send Authorization: Bearer <key>"}
	token, ok := BearerToken(r)
	if !ok {
		return nil, sum, unauthorized
	}
	sum = sha256.Sum256([]byte(token))
	if _, stored := tenancy.KeyIDOfToken(token); stored {
		k, err := a.tenants.Authenticate(r.Context(), token)
		if errors.Is(err, tenancy.ErrKeyNotFound) {
			return nil, sum, unauthorized
		}
		if err != nil {
			return nil, sum, a.internal("authenticate", err)
		}
		return &Principal{WorkspaceID: k.WorkspaceID, KeyID: k.ID, Scopes: k.Scopes, RemoteAddr: remoteHost(r)}, sum, nil
	}
	i := a.keys.match(sum)
	if i < 0 {
		return nil, sum, unauthorized
	}
	return &Principal{WorkspaceID: redirect.DefaultWorkspaceID, KeyID: "bootstrap_" + strconv.Itoa(i+1),
		Scopes: bootstrapScopes, RemoteAddr: remoteHost(r)}, sum, nil
}

// bootstrapScopes are the scopes of the keys of APIConfig.APIKeys.
var bootstrapScopes = slices.Sorted(slices.Values(append(slices.Clone(tenancy.KeyScopes), tenancy.ScopeAdmin)))

// guard lets through requests with a known API key (401 otherwise) holding
// scope (403 otherwise; "" needs none) that are within the key's rate limit
// (429 otherwise), with the key's Principal in the request context.
func (a *api) guard(next http.Handler, scope func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, sum, aerr := a.authenticate(r)
		if aerr != nil {
			if aerr.status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="clicktrail"`)
			}
			WriteError(w, aerr)
			return
		}
		if a.limit != nil && !a.limit.admit(w, sum) {
			return
		}
		if s := scope(r); s != "" && !p.Has(s) {
			WriteError(w, &APIError{status: http.StatusForbidden, Code: CodeMissingScope,
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

package app

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
)

// linkAPIKeys authenticates requests of a service that is not the link API
// (the webhook sink's endpoint API) with the link API's own keys: it asks
// GET /v1/keys/self of the link API with the request's bearer key, and
// caches the answer for ttl per key hash, so a revoked key keeps working
// here for at most ttl. Unknown keys are not cached.
type linkAPIKeys struct {
	base   string
	client *http.Client
	ttl    time.Duration
	now    func() time.Time

	mu    sync.Mutex
	cache map[[sha256.Size]byte]cachedPrincipal
}

type cachedPrincipal struct {
	p       linkapi.Principal
	expires time.Time
}

// keyCacheTTL bounds how long a revoked key still works at the sink.
const keyCacheTTL = 30 * time.Second

// errUnknownKey says the link API refused the key.
var errUnknownKey = errors.New("unknown or revoked API key")

func newLinkAPIKeys(base string) (*linkAPIKeys, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("link-api-url: want http(s)://host[:port], got %q", base)
	}
	return &linkAPIKeys{base: strings.TrimSuffix(base, "/"), client: &http.Client{Timeout: 5 * time.Second},
		ttl: keyCacheTTL, now: time.Now, cache: map[[sha256.Size]byte]cachedPrincipal{}}, nil
}

// principal returns who token is, from the cache or the link API.
func (k *linkAPIKeys) principal(ctx context.Context, token string) (linkapi.Principal, error) {
	sum := sha256.Sum256([]byte(token))
	now := k.now()
	k.mu.Lock()
	c, ok := k.cache[sum]
	k.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.p, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.base+"/v1/keys/self", nil)
	if err != nil {
		return linkapi.Principal{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := k.client.Do(req)
	if err != nil {
		return linkapi.Principal{}, fmt.Errorf("ask the link API who the key is: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return linkapi.Principal{}, errUnknownKey
	case resp.StatusCode != http.StatusOK:
		return linkapi.Principal{}, fmt.Errorf("ask the link API who the key is: %s", resp.Status)
	}
	var self struct {
		KeyID       string   `json:"key_id"`
		WorkspaceID string   `json:"workspace_id"`
		Scopes      []string `json:"scopes"`
	}
	if err := json.Unmarshal(body, &self); err != nil || self.WorkspaceID == "" || self.KeyID == "" {
		return linkapi.Principal{}, fmt.Errorf("the link API's /v1/keys/self answered %.200q", body)
	}
	p := linkapi.Principal{WorkspaceID: self.WorkspaceID, KeyID: self.KeyID, Scopes: slices.Sorted(slices.Values(self.Scopes))}
	k.mu.Lock()
	if len(k.cache) > 10_000 { // bounded: drop everything rather than track ages
		clear(k.cache)
	}
	k.cache[sum] = cachedPrincipal{p: p, expires: now.Add(k.ttl)}
	k.mu.Unlock()
	return p, nil
}

// guard serves next to requests whose key the link API knows and that hold
// the webhooks scope of their method, acting in the key's workspace.
func (k *linkAPIKeys) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := linkapi.BearerToken(r)
		if !ok {
			unauthorized(w)
			return
		}
		p, err := k.principal(r.Context(), token)
		if errors.Is(err, errUnknownKey) {
			unauthorized(w)
			return
		}
		if err != nil {
			jsonError(w, http.StatusServiceUnavailable, "auth_unavailable", "cannot check the API key now; retry: "+err.Error())
			return
		}
		scope := tenancy.ScopeWebhooksWrite
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			scope = tenancy.ScopeWebhooksRead
		}
		if !p.Has(scope) {
			jsonError(w, http.StatusForbidden, "missing_scope", "this API key lacks the scope "+scope)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sinkPrincipalKey{}, &p)))
	})
}

type sinkPrincipalKey struct{}

// sinkWorkspace is the workspace of a request linkAPIKeys.guard let in.
func sinkWorkspace(r *http.Request) (string, error) {
	p, ok := r.Context().Value(sinkPrincipalKey{}).(*linkapi.Principal)
	if !ok {
		return "", errors.New("request is not authenticated")
	}
	return p.WorkspaceID, nil
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="clicktrail"`)
	jsonError(w, http.StatusUnauthorized, "unauthorized", "missing, unknown or revoked API key; send Authorization: Bearer <key>")
}

func jsonError(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": msg}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

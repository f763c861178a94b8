package keyclient

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

	"github.com/clicktrail/clicktrail/internal/apijson"
	"github.com/clicktrail/clicktrail/linkapi"
)

// DefaultTTL bounds how long a revoked key still works behind a Client.
const DefaultTTL = 30 * time.Second

// ErrUnknownKey says the link API refused the key.
var ErrUnknownKey = errors.New("unknown or revoked API key")

// Config configures a Client.
type Config struct {
	// LinkAPIURL is the link API's base URL, http(s)://host[:port].
	// Required.
	LinkAPIURL string
	// ReadScope is the scope a GET or HEAD request's key must hold, and
	// WriteScope that of any other method. Required.
	ReadScope, WriteScope string
	// TTL is how long an answer of the link API is cached; default
	// DefaultTTL.
	TTL time.Duration
	// Now is the clock of the cache; nil means time.Now.
	Now func() time.Time
}

// Validate reports every bad field at once, each naming its key.
func (c Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.LinkAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("link-api-url: want http(s)://host[:port], got %q", c.LinkAPIURL))
	}
	if c.ReadScope == "" {
		errs = append(errs, errors.New("read_scope: required"))
	}
	if c.WriteScope == "" {
		errs = append(errs, errors.New("write_scope: required"))
	}
	if c.TTL < 0 {
		errs = append(errs, fmt.Errorf("ttl: must be >= 0, got %s", c.TTL))
	}
	return errors.Join(errs...)
}

// Client authenticates requests with the link API's keys; see the package
// doc. It is safe for concurrent use.
type Client struct {
	cfg    Config
	base   string
	client *http.Client

	mu    sync.Mutex
	cache map[[sha256.Size]byte]cachedPrincipal
}

type cachedPrincipal struct {
	p       linkapi.Principal
	expires time.Time
}

// New returns a Client of the link API at cfg.LinkAPIURL.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("key client config: %w", err)
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg, base: strings.TrimSuffix(cfg.LinkAPIURL, "/"), client: &http.Client{Timeout: 5 * time.Second},
		cache: map[[sha256.Size]byte]cachedPrincipal{}}, nil
}

// Principal returns who token is, from the cache or the link API;
// ErrUnknownKey when the link API does not know it.
func (k *Client) Principal(ctx context.Context, token string) (linkapi.Principal, error) {
	sum := sha256.Sum256([]byte(token))
	now := k.cfg.Now()
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
		return linkapi.Principal{}, ErrUnknownKey
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
	k.cache[sum] = cachedPrincipal{p: p, expires: now.Add(k.cfg.TTL)}
	k.mu.Unlock()
	return p, nil
}

// Guard serves next to requests whose key the link API knows and that hold
// the scope of their method (Config.ReadScope or WriteScope), acting in
// the key's workspace (Workspace reads it). It answers 401 to a missing or
// unknown key, 403 to a missing scope and 503 when the link API cannot be
// asked.
func (k *Client) Guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := linkapi.BearerToken(r)
		if !ok {
			Unauthorized(w)
			return
		}
		p, err := k.Principal(r.Context(), token)
		if errors.Is(err, ErrUnknownKey) {
			Unauthorized(w)
			return
		}
		if err != nil {
			jsonError(w, http.StatusServiceUnavailable, "auth_unavailable", "cannot check the API key now; retry: "+err.Error())
			return
		}
		scope := k.cfg.WriteScope
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			scope = k.cfg.ReadScope
		}
		if !p.Has(scope) {
			jsonError(w, http.StatusForbidden, "missing_scope", "this API key lacks the scope "+scope)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, &p)))
	})
}

type principalKey struct{}

// Workspace is the workspace of a request Guard let in.
func Workspace(r *http.Request) (string, error) {
	p, ok := r.Context().Value(principalKey{}).(*linkapi.Principal)
	if !ok {
		return "", errors.New("request is not authenticated")
	}
	return p.WorkspaceID, nil
}

// Unauthorized answers 401 as Guard does, for a caller that checks other
// keys itself (a deployment's bootstrap keys).
func Unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="clicktrail"`)
	jsonError(w, http.StatusUnauthorized, "unauthorized", "missing, unknown or revoked API key; send Authorization: Bearer <key>")
}

func jsonError(w http.ResponseWriter, status int, code, msg string) {
	apijson.Error(w, status, apijson.ErrorBody{Code: code, Message: msg})
}

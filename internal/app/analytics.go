package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/clicktrail/clicktrail/analytics"
	chstats "github.com/clicktrail/clicktrail/analytics/clickhouse"
	"github.com/clicktrail/clicktrail/analytics/dashboard"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
)

// storeLinks answers analytics.Links and the dashboard's Links and Keys
// from the node, which opens after the mounts are set (store and api are
// filled in then).
type storeLinks struct {
	store *redirect.Store
	api   http.Handler // the link API: checks the dashboard's sign-in keys
}

func (s *storeLinks) Link(ctx context.Context, id string) (dashboard.Link, error) {
	l, err := s.store.Get(ctx, id)
	if errors.Is(err, redirect.ErrNotFound) {
		return dashboard.Link{}, analytics.ErrNotFound
	}
	if err != nil {
		return dashboard.Link{}, err
	}
	return dashboard.Link{ID: l.ID, Domain: l.Domain, Path: l.Path, Destination: l.DestinationURL}, nil
}

// Check asks the link API who key is (GET /v1/keys/self, in process), so
// the dashboard accepts exactly the keys the API does.
func (s *storeLinks) Check(ctx context.Context, key string) (dashboard.Principal, error) {
	return dashboard.CheckWithAPI(ctx, s.api, key)
}

// Active reports whether a stored key is still unrevoked (bootstrap keys
// live as long as the process).
func (s *storeLinks) Active(ctx context.Context, p dashboard.Principal) error {
	if strings.HasPrefix(p.KeyID, "bootstrap_") {
		return nil
	}
	k, err := tenancy.NewStore(s.store).GetAPIKey(ctx, p.WorkspaceID, p.KeyID)
	if errors.Is(err, tenancy.ErrKeyNotFound) || (err == nil && k.RevokedAt != nil) {
		return dashboard.ErrBadKey
	}
	return err
}

func (s *storeLinks) WorkspaceOf(ctx context.Context, id string) (string, error) {
	if s.store == nil {
		return "", errors.New("link store not open")
	}
	l, err := s.store.Get(ctx, id)
	if errors.Is(err, redirect.ErrNotFound) {
		return "", analytics.ErrNotFound
	}
	if err != nil {
		return "", err
	}
	return l.WorkspaceID, nil
}

// mountAnalytics mounts the stats API (GET /v1/links/{id}/stats and GET
// /v1/stats, scope analytics:read) on cfg's link API, and the dashboard at
// /dashboard on its listener, reading the rollups of the ClickHouse at dsn. The caller fills links.store once the node is
// open, and closes the returned reader.
func mountAnalytics(ctx context.Context, cfg *RedirectNode, dsn string, links *storeLinks) (*chstats.Reader, error) {
	reader, err := chstats.Open(ctx, chstats.Config{DSN: dsn})
	if err != nil {
		return nil, fmt.Errorf("stats api: %w", err)
	}
	mounts, err := analytics.Mounts(analytics.Config{Reader: reader, Links: links, Logger: cfg.Logger,
		Workspace: func(r *http.Request) (string, error) {
			p, ok := linkapi.PrincipalFrom(r.Context())
			if !ok {
				return "", errors.New("no principal")
			}
			return p.WorkspaceID, nil
		}})
	if err != nil {
		return nil, errors.Join(err, reader.Close())
	}
	// Dev serves the API over plain HTTP: its session cookie cannot be
	// Secure there.
	dash, err := dashboard.Mounts(dashboard.Config{Reader: reader, Links: links, Keys: links, InsecureCookie: true, Logger: cfg.Logger})
	if err != nil {
		return nil, errors.Join(err, reader.Close())
	}
	if cfg.Public == nil {
		cfg.Public = map[string]http.Handler{}
	}
	maps.Copy(cfg.Public, dash)
	if cfg.Mount == nil {
		cfg.Mount = map[string]http.Handler{}
	}
	if cfg.MountScopes == nil {
		cfg.MountScopes = map[string]linkapi.MountScope{}
	}
	for p, h := range mounts {
		cfg.Mount[p] = h
		cfg.MountScopes[p] = linkapi.MountScope{Read: tenancy.ScopeAnalyticsRead}
	}
	for _, r := range analytics.Routes() {
		m := linkapi.MountedRoute{Method: r.Method, Pattern: r.Pattern, Summary: r.Summary, Scope: tenancy.ScopeAnalyticsRead,
			Response: r.Response, Status: http.StatusOK, Errors: r.Errors}
		for _, q := range r.Query {
			m.Query = append(m.Query, linkapi.MountedQueryParam{Name: q.Name, Type: q.Type, Description: q.Description})
		}
		cfg.MountDocs = append(cfg.MountDocs, m)
	}
	return reader, nil
}

package linkapi

import (
	"context"
	"errors"
	"sync"

	"github.com/clicktrail/clicktrail/linkapi/templates"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
)

// jobLookups remembers, for the life of one bulk job, the workspace
// records every item of the job looks up again: its UTM templates and its
// domains. A job of 100,000 items reads each once instead of 100,000 times
// (each read of an absent template is a pebble point read that no cache
// answers). The job thus sees a template or domain as it was at its first
// use in the job; one changed while the job runs applies to the next job,
// as if the job had been created at once. Only answers are remembered
// (found, or not found): a storage error is returned and asked again.
//
// It travels in the job's context (withJobLookups), which decodeCreate
// passes to the lookups of POST /v1/links (getTemplate, getDomain); a
// single create has none and reads the store. Safe for concurrent use: the
// items of a chunk are prepared in parallel.
type jobLookups struct {
	mu        sync.Mutex
	templates map[[2]string]lookupAnswer[*templates.Template]
	domains   map[string]lookupAnswer[*tenancy.Domain]
}

type lookupAnswer[T any] struct {
	v   T
	err error // nil or the not-found sentinel
}

type jobLookupsKey struct{}

// withJobLookups returns ctx carrying a new jobLookups.
func withJobLookups(ctx context.Context) context.Context {
	return context.WithValue(ctx, jobLookupsKey{}, &jobLookups{
		templates: map[[2]string]lookupAnswer[*templates.Template]{},
		domains:   map[string]lookupAnswer[*tenancy.Domain]{},
	})
}

// getTemplate is s.Get, remembered for the job of ctx if any. The
// template returned may be shared: do not modify it.
func getTemplate(ctx context.Context, s *templates.Store, workspace, name string) (*templates.Template, error) {
	m, ok := ctx.Value(jobLookupsKey{}).(*jobLookups)
	if !ok {
		return s.Get(ctx, workspace, name)
	}
	return remember(m, m.templates, [2]string{workspace, name}, templates.ErrNotFound,
		func() (*templates.Template, error) { return s.Get(ctx, workspace, name) })
}

// getDomain is s.GetDomain, remembered for the job of ctx if any. The
// domain returned may be shared: do not modify it.
func getDomain(ctx context.Context, s *tenancy.Store, domain string) (*tenancy.Domain, error) {
	m, ok := ctx.Value(jobLookupsKey{}).(*jobLookups)
	if !ok {
		return s.GetDomain(ctx, domain)
	}
	return remember(m, m.domains, domain, tenancy.ErrDomainNotFound,
		func() (*tenancy.Domain, error) { return s.GetDomain(ctx, domain) })
}

func remember[K comparable, T any](m *jobLookups, answers map[K]lookupAnswer[T], k K, notFound error, get func() (T, error)) (T, error) {
	m.mu.Lock()
	a, ok := answers[k]
	m.mu.Unlock()
	if ok {
		return a.v, a.err
	}
	v, err := get()
	if err == nil || errors.Is(err, notFound) {
		m.mu.Lock()
		answers[k] = lookupAnswer[T]{v, err}
		m.mu.Unlock()
	}
	return v, err
}

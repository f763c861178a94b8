package bulk

import (
	"context"
	"errors"
	"sync"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/templates"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
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
// It is the linkapi.Lookups of the job's context (linkapi.WithLookups),
// through which linkapi.Creator.Decode reads what POST /v1/links reads; a
// single create has none and reads the stores. Safe for concurrent use: the
// items of a chunk are prepared in parallel.
type jobLookups struct {
	tpl *templates.Store
	ten *tenancy.Store

	mu        sync.Mutex
	templates map[[2]string]lookupAnswer[*templates.Template]
	domains   map[string]lookupAnswer[*tenancy.Domain]
}

type lookupAnswer[T any] struct {
	v   T
	err error // nil or the not-found sentinel
}

var _ linkapi.Lookups = (*jobLookups)(nil)

// newJobLookups returns an empty memo over the records of links.
func newJobLookups(links *redirect.Store) *jobLookups {
	return &jobLookups{
		tpl: templates.NewStore(links), ten: tenancy.NewStore(links),
		templates: map[[2]string]lookupAnswer[*templates.Template]{},
		domains:   map[string]lookupAnswer[*tenancy.Domain]{},
	}
}

// Template is templates.Store.Get, remembered. The template returned may
// be shared: do not modify it.
func (m *jobLookups) Template(ctx context.Context, workspace, name string) (*templates.Template, error) {
	return remember(m, m.templates, [2]string{workspace, name}, templates.ErrNotFound,
		func() (*templates.Template, error) { return m.tpl.Get(ctx, workspace, name) })
}

// Domain is tenancy.Store.GetDomain, remembered. The domain returned may
// be shared: do not modify it.
func (m *jobLookups) Domain(ctx context.Context, domain string) (*tenancy.Domain, error) {
	return remember(m, m.domains, domain, tenancy.ErrDomainNotFound,
		func() (*tenancy.Domain, error) { return m.ten.GetDomain(ctx, domain) })
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

package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/internal/base62"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/internal/pebblelog"
	"github.com/clicktrail/clicktrail/internal/seal"
)

// ErrNotFound: no such integration.
var ErrNotFound = errors.New("integration not found")

// Integration is one workspace's connection to a CRM.
type Integration struct {
	ID          string            `json:"id"`
	WorkspaceID string            `json:"workspace_id"`
	CRM         string            `json:"crm"`
	Events      []string          `json:"events"`
	Settings    map[string]string `json:"settings,omitempty"`
	// Credentials are opened in memory; at rest each value is sealed
	// (internal/seal) for "crm integration <id> <key>".
	Credentials map[string]string `json:"credentials,omitempty"`
	Mapping     Mapping           `json:"mapping"`
	Enabled     bool              `json:"enabled"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// Spec is what the integration's adapter is made of.
func (i Integration) Spec() Spec {
	return Spec{ID: i.ID, Settings: i.Settings, Credentials: i.Credentials, Mapping: i.Mapping}
}

// RegistryConfig configures a Registry.
type RegistryConfig struct {
	Dir     string     // required: the pebble directory (<data-dir>/crm)
	Secrets *seal.Ring // required: seals the credentials
	Kinds   []Kind     // the CRMs integrations may name
	Logger  *slog.Logger
}

// Registry holds the integrations (pebble, cached in memory) and the
// ledger of events written. Keys:
//
//	i/<id>                    -> Integration (JSON), credentials sealed
//	l/<integration>\x00<event> -> the unix milliseconds it was written
type Registry struct {
	db    *pebble.DB
	ring  *seal.Ring
	kinds map[string]Kind
	log   *slog.Logger

	mu    sync.RWMutex
	cache map[string]Integration

	closeOnce sync.Once
	closeErr  error
}

const (
	prefixIntegration = "i/"
	prefixLedger      = "l/"
)

// OpenRegistry opens the registry, resealing credentials sealed under a
// key that is no longer the ring's first (rotation, ADR 007).
func OpenRegistry(cfg RegistryConfig) (*Registry, error) {
	var errs []error
	if cfg.Dir == "" {
		errs = append(errs, errors.New("dir: required"))
	}
	if cfg.Secrets == nil {
		errs = append(errs, errors.New("secrets: required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("crm registry config: %w", err)
	}
	log := logs.OrDiscard(cfg.Logger)
	db, err := pebble.Open(cfg.Dir, &pebble.Options{Logger: pebblelog.New(log), FormatMajorVersion: pebble.FormatNewest})
	if err != nil {
		return nil, fmt.Errorf("open crm registry: %w", err)
	}
	r := &Registry{db: db, ring: cfg.Secrets, kinds: map[string]Kind{}, log: log, cache: map[string]Integration{}}
	for _, k := range cfg.Kinds {
		r.kinds[k.Name()] = k
	}
	if err := r.load(); err != nil {
		db.Close()
		return nil, err
	}
	return r, nil
}

// Close closes the store; later calls do nothing.
func (r *Registry) Close() error {
	r.closeOnce.Do(func() { r.closeErr = r.db.Close() })
	return r.closeErr
}

// Kind returns the CRM named crm.
func (r *Registry) Kind(crm string) (Kind, bool) {
	k, ok := r.kinds[crm]
	return k, ok
}

// Kinds returns the names of the CRMs, sorted.
func (r *Registry) Kinds() []string {
	var ns []string
	for n := range r.kinds {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

func secretContext(id, key string) string { return "crm integration " + id + " " + key }

func (r *Registry) load() error {
	stored, err := pebblekv.ListJSON[Integration](context.Background(), r.db, prefixIntegration, nil)
	if err != nil {
		return fmt.Errorf("load crm integrations: %w", err)
	}
	for _, s := range stored {
		i := *s
		stale := false
		open := map[string]string{}
		for k, v := range i.Credentials {
			p, err := r.ring.Open(v, secretContext(i.ID, k))
			if err != nil {
				return fmt.Errorf("crm integration %s credentials.%s: %w", i.ID, k, err)
			}
			open[k] = p
			stale = stale || !r.ring.Current(v)
		}
		i.Credentials = open
		if stale {
			if err := r.put(i); err != nil {
				return err
			}
		}
		r.cache[i.ID] = i
	}
	return nil
}

// put seals i's credentials and stores it, synced, then caches it.
func (r *Registry) put(i Integration) error {
	rec := i
	rec.Credentials = make(map[string]string, len(i.Credentials))
	for k, v := range i.Credentials {
		rec.Credentials[k] = r.ring.Seal(v, secretContext(i.ID, k))
	}
	if err := pebblekv.PutJSON(context.Background(), r.db, []byte(prefixIntegration+i.ID), rec); err != nil {
		return fmt.Errorf("store crm integration %s: %w", i.ID, err)
	}
	r.mu.Lock()
	r.cache[i.ID] = i
	r.mu.Unlock()
	return nil
}

// Validate checks i as a whole, naming every bad key.
func (r *Registry) Validate(i Integration) error {
	k, ok := r.kinds[i.CRM]
	if !ok {
		return fmt.Errorf("crm: want one of %s, got %q", strings.Join(r.Kinds(), ", "), i.CRM)
	}
	var errs []error
	if len(i.Events) == 0 {
		errs = append(errs, fmt.Errorf("events: at least one of %s", strings.Join(EventTypes, ", ")))
	}
	for n, e := range i.Events {
		if !validType(e) {
			errs = append(errs, fmt.Errorf("events[%d]: want one of %s, got %q", n, strings.Join(EventTypes, ", "), e))
		}
	}
	errs = append(errs, k.Validate(i.Spec()))
	return errors.Join(errs...)
}

// Create validates and stores a new integration, enabled.
func (r *Registry) Create(i Integration, now time.Time) (Integration, error) {
	if err := r.Validate(i); err != nil {
		return Integration{}, err
	}
	i.ID, i.Enabled, i.CreatedAt, i.UpdatedAt = "int_"+base62.Random(16), true, now.UTC(), now.UTC()
	return i, r.put(i)
}

// Update changes an integration with change, validates and stores it.
func (r *Registry) Update(id string, now time.Time, change func(*Integration)) (Integration, error) {
	i, err := r.Get(id)
	if err != nil {
		return Integration{}, err
	}
	i.Settings, i.Credentials = clone(i.Settings), clone(i.Credentials)
	change(&i)
	if err := r.Validate(i); err != nil {
		return Integration{}, err
	}
	i.UpdatedAt = now.UTC()
	return i, r.put(i)
}

func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Delete removes an integration and its ledger.
func (r *Registry) Delete(id string) error {
	if _, err := r.Get(id); err != nil {
		return err
	}
	b := r.db.NewBatch()
	b.Delete([]byte(prefixIntegration+id), nil)
	lo := []byte(prefixLedger + id + "\x00")
	b.DeleteRange(lo, pebblekv.PrefixEnd(lo), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("delete crm integration %s: %w", id, err)
	}
	r.mu.Lock()
	delete(r.cache, id)
	r.mu.Unlock()
	return nil
}

// Get returns an integration, its credentials opened.
func (r *Registry) Get(id string) (Integration, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	i, ok := r.cache[id]
	if !ok {
		return Integration{}, fmt.Errorf("integration %q: %w", id, ErrNotFound)
	}
	return i, nil
}

// List returns a workspace's integrations, by id.
func (r *Registry) List(workspace string) []Integration {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Integration
	for _, i := range r.cache {
		if i.WorkspaceID == workspace {
			out = append(out, i)
		}
	}
	slices.SortFunc(out, func(a, b Integration) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Subscribed returns the enabled integrations of a workspace subscribed to
// an event type.
func (r *Registry) Subscribed(workspace, typ string) []Integration {
	var out []Integration
	for _, i := range r.List(workspace) {
		if i.Enabled && slices.Contains(i.Events, typ) {
			out = append(out, i)
		}
	}
	return out
}

func ledgerKey(integration, event string) []byte {
	return []byte(prefixLedger + integration + "\x00" + event)
}

// Written reports which of events the integration already wrote.
func (r *Registry) Written(integration string, events []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, e := range events {
		_, closer, err := r.db.Get(ledgerKey(integration, e))
		switch {
		case errors.Is(err, pebble.ErrNotFound):
		case err != nil:
			return nil, fmt.Errorf("read crm ledger: %w", err)
		default:
			closer.Close()
			out[e] = true
		}
	}
	return out, nil
}

// MarkWritten records, synced, that the integration wrote events.
func (r *Registry) MarkWritten(integration string, events []string, now time.Time) error {
	if len(events) == 0 {
		return nil
	}
	b := r.db.NewBatch()
	v, _ := json.Marshal(now.UnixMilli())
	for _, e := range events {
		b.Set(ledgerKey(integration, e), v, nil)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("write crm ledger: %w", err)
	}
	return nil
}

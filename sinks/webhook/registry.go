package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/internal/pebblelog"
	"github.com/clicktrail/clicktrail/internal/seal"
	"github.com/clicktrail/clicktrail/webhooksig"
)

// DefaultWorkspace is the workspace of every endpoint until workspaces exist.
const DefaultWorkspace = "default"

// DefaultDisableAfter is how long an endpoint may fail every attempt before
// it is disabled automatically (Svix uses five days).
const DefaultDisableAfter = 5 * 24 * time.Hour

// DefaultRotationGrace is how long the previous secret keeps signing after a
// rotation, so receivers can switch over without losing messages.
const DefaultRotationGrace = 24 * time.Hour

// DefaultRetention is how long the delivery log keeps an attempt, and the
// message body replay needs, by default.
const DefaultRetention = 30 * 24 * time.Hour

// DefaultSweepEvery is how often RunSweeper deletes expired log entries.
const DefaultSweepEvery = time.Hour

// ErrNotFound is returned (wrapped) for an endpoint id the registry lacks.
var ErrNotFound = errors.New("webhook endpoint not found")

// RegistryConfig configures a Registry. Zero fields take the defaults.
// Tagged fields are CLI flags (internal/cliflag).
type RegistryConfig struct {
	// Dir is the pebble directory, owned by this Registry alone. Required.
	Dir string
	// DisableAfter: an endpoint whose attempts all failed for this long is
	// disabled; default DefaultDisableAfter.
	DisableAfter time.Duration
	// RotationGrace is how long a rotated-out secret still signs; default
	// DefaultRotationGrace.
	RotationGrace time.Duration
	// Retention is how long delivery log entries are kept (see Sweep);
	// default DefaultRetention.
	Retention time.Duration `flag:"webhook-log-retention" env:"CLICKTRAIL_WEBHOOK_LOG_RETENTION" usage:"how long the webhook delivery log keeps attempts and message bodies (replay needs them)"`
	// Now is the clock of timestamps and expiries; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger // nil discards
	// Secrets seals the endpoints' signing secrets on disk (ADR 007).
	// Nil means seal.ProcessRing(), whose key dies with the process: tests
	// only, as a registry reopened by another process could not sign.
	Secrets *seal.Ring
}

// WithDefaults returns c with its unset fields set to the defaults.
func (c RegistryConfig) WithDefaults() RegistryConfig {
	if c.DisableAfter == 0 {
		c.DisableAfter = DefaultDisableAfter
	}
	if c.RotationGrace == 0 {
		c.RotationGrace = DefaultRotationGrace
	}
	if c.Retention == 0 {
		c.Retention = DefaultRetention
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Secrets == nil {
		c.Secrets = seal.ProcessRing()
	}
	return c
}

// Validate reports every bad field at once, each error naming its key.
func (c RegistryConfig) Validate() error {
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("dir: required"))
	}
	if c.DisableAfter < 0 {
		errs = append(errs, fmt.Errorf("disable_after: must be >= 0, got %s", c.DisableAfter))
	}
	if c.RotationGrace < 0 {
		errs = append(errs, fmt.Errorf("rotation_grace: must be >= 0, got %s", c.RotationGrace))
	}
	if c.Retention < 0 {
		errs = append(errs, fmt.Errorf("retention: must be >= 0, got %s", c.Retention))
	}
	return errors.Join(errs...)
}

// Registry is the durable store of webhook endpoints and of the delivery
// log, in its own pebble directory. Every endpoint is also held in memory,
// so Match, on the delivery path, does not touch the disk. Writes go to
// pebble (synced) first and then to memory, under one mutex: a Registry
// must be the only writer of its directory.
//
// Secrets must be kept to sign, so they are stored sealed (AEAD under
// RegistryConfig.Secrets, bound to their endpoint's id) and held in the
// clear only in memory; they never appear in logs (Secret redacts itself)
// and the API shows them only at creation and rotation.
type Registry struct {
	cfg RegistryConfig
	db  *pebble.DB
	log *slog.Logger

	mu  sync.RWMutex
	eps map[string]*RegisteredEndpoint
	seq uint64 // tie-breaker of delivery log keys within one nanosecond

	sweepBatch int
}

// OpenRegistry opens (creating if needed) the registry in cfg.Dir and loads
// its endpoints.
func OpenRegistry(cfg RegistryConfig) (*Registry, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webhook registry config: %w", err)
	}
	db, err := pebble.Open(cfg.Dir, &pebble.Options{Logger: pebblelog.New(cfg.Logger), FormatMajorVersion: pebble.FormatNewest})
	if err != nil {
		return nil, fmt.Errorf("open webhook registry %s: %w", cfg.Dir, err)
	}
	r := &Registry{cfg: cfg, db: db, log: cfg.Logger, eps: map[string]*RegisteredEndpoint{}, sweepBatch: defaultSweepBatch}
	if err := r.load(); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return r, nil
}

// Close closes the pebble store. The Registry must not be used after.
func (r *Registry) Close() error {
	if err := r.db.Close(); err != nil {
		return fmt.Errorf("close webhook registry: %w", err)
	}
	return nil
}

func (r *Registry) load() error {
	it, err := r.db.NewIter(&pebble.IterOptions{LowerBound: []byte(keyEndpoint), UpperBound: prefixEnd(keyEndpoint)})
	if err != nil {
		return fmt.Errorf("load webhook endpoints: %w", err)
	}
	defer it.Close()
	var reseal []*RegisteredEndpoint
	for it.First(); it.Valid(); it.Next() {
		var e RegisteredEndpoint
		if err := json.Unmarshal(it.Value(), &e); err != nil {
			return fmt.Errorf("load webhook endpoint %s: %w", it.Key(), err)
		}
		stale, err := r.openSecrets(&e)
		if err != nil {
			return fmt.Errorf("load webhook endpoint %s: %w", e.ID, err)
		}
		r.eps[e.ID] = &e
		if stale {
			reseal = append(reseal, &e)
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("load webhook endpoints: %w", err)
	}
	return r.reseal(reseal)
}

// sealContext binds a sealed secret to its endpoint.
func sealContext(id string) string { return "webhook endpoint " + id }

// openSecrets replaces e's stored secrets with the secrets themselves.
// stale reports one stored in the clear (before sealing existed) or under
// a key other than the current one.
func (r *Registry) openSecrets(e *RegisteredEndpoint) (stale bool, _ error) {
	for i, s := range e.Secrets {
		if !seal.IsSealed(s.Value) {
			stale = true // stored before secrets were sealed
			continue
		}
		v, err := r.cfg.Secrets.Open(s.Value, sealContext(e.ID))
		if err != nil {
			return false, fmt.Errorf("secret %d (configure the key it was sealed under): %w", i, err)
		}
		stale = stale || !r.cfg.Secrets.Current(s.Value)
		e.Secrets[i].Value = v
	}
	return stale, nil
}

// reseal stores eps again, sealed under the current key, and compacts the
// endpoints' key range so that the old values (in the clear, or under a
// retired key) leave the WAL and the tables.
func (r *Registry) reseal(eps []*RegisteredEndpoint) error {
	if len(eps) == 0 {
		return nil
	}
	for _, e := range eps {
		if err := r.put(e, pebble.Sync); err != nil {
			return fmt.Errorf("seal secrets again: %w", err)
		}
	}
	if err := r.db.Compact(context.Background(), []byte(keyEndpoint), prefixEnd(keyEndpoint), false); err != nil {
		return fmt.Errorf("seal secrets again: compact: %w", err)
	}
	r.log.Info("webhook endpoint secrets sealed again under the current key", "endpoints", len(eps))
	return nil
}

// Create validates spec, generates the endpoint's id and first secret, and
// stores it. The returned endpoint carries the secret: show it once.
func (r *Registry) Create(spec EndpointSpec) (RegisteredEndpoint, error) {
	spec = spec.normalized()
	if err := spec.Validate(); err != nil {
		return RegisteredEndpoint{}, err
	}
	now := r.cfg.Now().UTC()
	e := &RegisteredEndpoint{
		ID:          "ep_" + strings.ReplaceAll(uuid.Must(uuid.NewV7()).String(), "-", ""),
		WorkspaceID: spec.WorkspaceID,
		URL:         spec.URL,
		Events:      spec.Events,
		Filters:     spec.Filters,
		Alerts:      spec.Alerts,
		AlertsSince: now,
		Enabled:     true,
		Secrets:     []Secret{{Value: webhooksig.NewSecret()}},
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.put(e, pebble.Sync); err != nil {
		return RegisteredEndpoint{}, err
	}
	r.log.Info("webhook endpoint created", "endpoint", e.ID, "url", e.URL)
	return e.clone(), nil
}

// Get returns endpoint id, or an error wrapping ErrNotFound.
func (r *Registry) Get(id string) (RegisteredEndpoint, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e := r.eps[id]
	if e == nil {
		return RegisteredEndpoint{}, fmt.Errorf("endpoint %q: %w", id, ErrNotFound)
	}
	return e.clone(), nil
}

// List returns the endpoints of workspace ("" for all), oldest first.
func (r *Registry) List(workspace string) []RegisteredEndpoint {
	r.mu.RLock()
	out := make([]RegisteredEndpoint, 0, len(r.eps))
	for _, e := range r.eps {
		if workspace == "" || e.WorkspaceID == workspace {
			out = append(out, e.clone())
		}
	}
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b RegisteredEndpoint) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Update applies change to a copy of endpoint id, validates the result and
// stores it. change may return an error to abort.
func (r *Registry) Update(id string, change func(*RegisteredEndpoint) error) (RegisteredEndpoint, error) {
	return r.update(id, change, pebble.Sync)
}

func (r *Registry) update(id string, change func(*RegisteredEndpoint) error, wo *pebble.WriteOptions) (RegisteredEndpoint, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.eps[id]
	if old == nil {
		return RegisteredEndpoint{}, fmt.Errorf("update endpoint %q: %w", id, ErrNotFound)
	}
	e := old.clone()
	if err := change(&e); err != nil {
		return RegisteredEndpoint{}, err
	}
	e.ID, e.CreatedAt, e.WorkspaceID = old.ID, old.CreatedAt, old.WorkspaceID
	spec := e.spec().normalized()
	if err := spec.Validate(); err != nil {
		return RegisteredEndpoint{}, err
	}
	e.Events, e.Filters, e.Alerts = spec.Events, spec.Filters, spec.Alerts
	e.UpdatedAt = r.cfg.Now().UTC()
	if !reflect.DeepEqual(e.Alerts, old.Alerts) {
		e.AlertsSince = e.UpdatedAt
	}
	if err := r.put(&e, wo); err != nil {
		return RegisteredEndpoint{}, err
	}
	return e.clone(), nil
}

// Delete removes endpoint id (its delivery log stays until it ages out).
func (r *Registry) Delete(id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.eps[id] == nil {
		return fmt.Errorf("delete endpoint %q: %w", id, ErrNotFound)
	}
	if err := r.db.Delete(endpointKey(id), pebble.Sync); err != nil {
		return fmt.Errorf("delete endpoint %q: %w", id, err)
	}
	delete(r.eps, id)
	r.log.Info("webhook endpoint deleted", "endpoint", id)
	return nil
}

// RotateSecret gives endpoint id a new current secret and keeps the
// previous one signing for RotationGrace; older ones are dropped. It
// returns the endpoint with its secrets, to show the new one once.
func (r *Registry) RotateSecret(id string) (RegisteredEndpoint, error) {
	now := r.cfg.Now().UTC()
	e, err := r.Update(id, func(e *RegisteredEndpoint) error {
		prev := e.Secrets[0]
		prev.ExpiresAt = now.Add(r.cfg.RotationGrace)
		e.Secrets = []Secret{{Value: webhooksig.NewSecret()}, prev}
		return nil
	})
	if err != nil {
		return RegisteredEndpoint{}, fmt.Errorf("rotate secret: %w", err)
	}
	r.log.Info("webhook endpoint secret rotated", "endpoint", id)
	return e, nil
}

// Disable turns endpoint id off with reason. Disabling a disabled
// endpoint keeps its first reason and reports changed false.
func (r *Registry) Disable(id, reason string) (e RegisteredEndpoint, changed bool, err error) {
	e, err = r.Update(id, func(e *RegisteredEndpoint) error {
		if changed = e.Enabled; changed {
			e.Enabled, e.DisabledReason = false, reason
		}
		return nil
	})
	if err == nil && changed {
		r.log.Warn("webhook endpoint disabled", "endpoint", id, "reason", reason)
	}
	return e, changed, err
}

func (r *Registry) put(e *RegisteredEndpoint, wo *pebble.WriteOptions) error {
	stored := *e
	stored.Secrets = make([]Secret, len(e.Secrets))
	for i, s := range e.Secrets {
		stored.Secrets[i] = Secret{Value: r.cfg.Secrets.Seal(s.Value, sealContext(e.ID)), ExpiresAt: s.ExpiresAt}
	}
	b, err := json.Marshal(&stored)
	if err != nil {
		return fmt.Errorf("encode endpoint %s: %w", e.ID, err)
	}
	if err := r.db.Set(endpointKey(e.ID), b, wo); err != nil {
		return fmt.Errorf("store endpoint %s: %w", e.ID, err)
	}
	c := e.clone()
	r.eps[e.ID] = &c
	return nil
}

const (
	keyEndpoint = "ep/"
	keyDelivery = "dl/" // dl/<endpoint>/<unix nanos, 16 hex>/<seq, 16 hex>
	keyMessage  = "msg/"
	keySent     = "sent/" // sent/<endpoint>/<message>: attempted at least once
)

func endpointKey(id string) []byte { return []byte(keyEndpoint + id) }

// prefixEnd returns the smallest key greater than every key with prefix p.
func prefixEnd(p string) []byte { return pebblekv.PrefixEnd([]byte(p)) }

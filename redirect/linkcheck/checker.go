package linkcheck

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/internal/pebblelog"
)

// Checker checks link destinations; see the package doc. Its methods are
// safe for concurrent use; rounds never overlap.
type Checker struct {
	cfg    Config
	log    *slog.Logger
	state  stateStore
	client *http.Client
	tr     *http.Transport
	hosts  *hostLocks

	roundMu   sync.Mutex // held for a whole round
	closeOnce sync.Once
}

// Report counts what one round did.
type Report struct {
	Links        int // links read
	Active       int // links checked (not disabled, deleted or expired)
	Destinations int // distinct destinations per page, summed over pages
	Probed       int // destinations requested this round
	Blocked      int // of Probed, refused by the address guard
	Broken       int // link.destination_broken events emitted
	Recovered    int // link.destination_recovered events emitted
	EmitErrors   int // events Emit refused (retried next round)
}

// New opens the state in cfg.StateDir and returns a Checker. Close it.
func New(cfg Config) (*Checker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("link checker config: %w", err)
	}
	cfg = cfg.withDefaults()
	opts := &pebble.Options{
		FS:                 cfg.FS,
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             pebblelog.New(cfg.Logger),
	}
	pebblekv.BloomAllLevels(opts) // most links have no alert record
	db, err := pebble.Open(cfg.StateDir, opts)
	if err != nil {
		return nil, fmt.Errorf("open link checker state %s: %w", cfg.StateDir, err)
	}
	client, tr := newHTTPClient(cfg, newPacer(cfg.RatePerSecond))
	return &Checker{cfg: cfg, log: cfg.Logger, state: stateStore{db}, client: client, tr: tr, hosts: newHostLocks()}, nil
}

// Close releases the state store. Stop Run and wait for CheckOnce calls to
// return first. Calls after the first return nil.
func (c *Checker) Close() error {
	var err error
	c.closeOnce.Do(func() {
		c.tr.CloseIdleConnections()
		if err = c.state.db.Close(); err != nil {
			err = fmt.Errorf("close link checker state: %w", err)
		}
	})
	return err
}

// Destination returns the stored state of a destination URL, and false
// when it was never checked.
func (c *Checker) Destination(rawURL string) (DestinationState, bool, error) {
	st, ok, err := c.state.destination(rawURL)
	if err != nil {
		return DestinationState{}, false, fmt.Errorf("destination state: %w", err)
	}
	return st, ok, nil
}

// Run starts a round every Config.RoundInterval (at once, then measured
// from the start of the previous round) until ctx ends, and then returns
// nil. A failed round is logged and the next one runs on schedule.
func (c *Checker) Run(ctx context.Context) error {
	for {
		start := time.Now()
		rep, err := c.CheckOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			c.log.Error("link checker: round failed", "err", err)
		} else {
			c.log.Debug("link checker: round done", "links", rep.Links, "active", rep.Active, "probed", rep.Probed,
				"broken", rep.Broken, "recovered", rep.Recovered, "blocked", rep.Blocked, "emit_errors", rep.EmitErrors,
				"took", time.Since(start))
		}
		t := time.NewTimer(c.cfg.RoundInterval - time.Since(start))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// CheckOnce runs one round over every link of every workspace: it checks
// the destinations that are due and emits the changes. Emit failures are
// counted in the Report and retried next round; an error means the round
// stopped early (listing links, the state store, or ctx).
func (c *Checker) CheckOnce(ctx context.Context) (Report, error) {
	c.roundMu.Lock()
	defer c.roundMu.Unlock()
	r := &round{c: c, start: c.cfg.Now()}
	workspaces, err := c.cfg.Workspaces(ctx)
	if err != nil {
		return r.rep, fmt.Errorf("link check round: list workspaces: %w", err)
	}
	for _, ws := range workspaces {
		if err := r.workspace(ctx, ws); err != nil {
			return r.rep, fmt.Errorf("link check round: workspace %s: %w", ws, err)
		}
	}
	return r.rep, nil
}

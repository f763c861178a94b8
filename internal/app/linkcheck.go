package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/redirect/linkcheck"
	"github.com/clicktrail/clicktrail/schemas"
)

// LinkCheck configures the broken-destination checker (redirect/linkcheck).
// It runs in the process that serves the link API (dev, or the redirect
// node that takes the API's calls), with its state in DataDir/linkcheck,
// and hands its events to the webhook stage through the link events topic.
type LinkCheck struct {
	// Enabled starts the checker; it requests every active link's
	// destinations from this machine, so it is off unless asked for.
	Enabled bool
	// Interval is how often each link is checked; zero means
	// linkcheck.DefaultInterval.
	Interval time.Duration
	// RatePerSecond bounds the checker's requests; zero means
	// linkcheck.DefaultRatePerSecond.
	RatePerSecond float64
	// RoundInterval is how often a round looks for due links, and
	// BackoffBase the first wait after a failed check; zero means the
	// linkcheck defaults (10 min, 5 min).
	RoundInterval, BackoffBase time.Duration
	// AllowPrivate lets it request private and loopback addresses: tests
	// and local development only (the destination policy's
	// AllowPrivateDestinations).
	AllowPrivate bool
}

// openLinkChecker opens the checker over store, emitting to topic on out.
func openLinkChecker(cfg LinkCheck, dataDir string, store *redirect.Store, out ingest.Producer, topic string, log *slog.Logger) (*linkcheck.Checker, error) {
	chk, err := linkcheck.New(linkcheck.Config{
		Links: store,
		Workspaces: func(ctx context.Context) ([]string, error) {
			list, err := tenancy.NewStore(store).ListWorkspaces(ctx)
			if err != nil {
				return nil, err
			}
			ids := []string{redirect.DefaultWorkspaceID}
			for _, w := range list {
				ids = append(ids, w.ID)
			}
			return ids, nil
		},
		Emit:          emitLinkCheckEvent(out, topic),
		StateDir:      filepath.Join(dataDir, "linkcheck"),
		Interval:      cfg.Interval,
		RatePerSecond: cfg.RatePerSecond,
		RoundInterval: cfg.RoundInterval,
		BackoffBase:   cfg.BackoffBase,
		AllowPrivate:  cfg.AllowPrivate,
		Logger:        log,
	})
	if err != nil {
		return nil, fmt.Errorf("destination checker: %w", err)
	}
	return chk, nil
}

// emitLinkCheckEvent writes a checker event as a link event record, so
// endpoints subscribed to link.destination_broken receive it with the
// checker's event id as webhook-id. nil means the record is durable.
func emitLinkCheckEvent(out ingest.Producer, topic string) linkcheck.EmitFunc {
	return func(ctx context.Context, ev linkcheck.Event) error {
		data, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("encode %s event: %w", ev.Type, err)
		}
		return out.Produce(ctx, []ingest.Record{handler.LinkEventRecord(topic, ev.LinkID, schemas.LinkEvent{ID: ev.ID, Type: ev.Type,
			Time: ev.Timestamp, WorkspaceID: ev.WorkspaceID, Data: data})})
	}
}

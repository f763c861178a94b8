package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/internal/pipeline"
	"github.com/clicktrail/clicktrail/sinks/jsonfile"
)

// RunDev runs the embedded default: the redirect node, and the enrich and
// sink stages reading the node's spool through the same consumer interface
// they use for Kafka. Enriched clicks go to ClickHouse when a DSN is given
// (its schema is migrated at start), else to <data-dir>/clicks.jsonl.
func RunDev(ctx context.Context, cfg Dev) (err error) {
	if err := cfg.Enrich.validate(); err != nil {
		return fmt.Errorf("dev config: %w", err)
	}
	if cfg.Kafka.Enabled() {
		return errors.New("dev config: dev runs without Kafka; use redirect, enrich and sink for Kafka")
	}
	if cfg.GeoIPPath == "" {
		cfg.GeoIPPath = cfg.Enrich.GeoIPPath
	}
	if len(cfg.VisitorSecret) == 0 {
		cfg.VisitorSecret = cfg.Enrich.HashSecret
	}
	n, err := openNode(cfg.RedirectNode)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, n.close()) }()

	enricher, err := newEnricher(cfg.Enrich)
	if err != nil {
		return err
	}
	defer enricher.Close()

	var writer pipeline.ClickWriter
	if cfg.ClickHouseDSN != "" {
		w, err := openClickHouse(ctx, cfg.ClickHouseDSN, n.log, true)
		if err != nil {
			return err
		}
		defer w.Close()
		writer = w
	} else {
		w, err := jsonfile.Open(filepath.Join(cfg.DataDir, "clicks.jsonl"))
		if err != nil {
			return err
		}
		defer w.Close()
		writer = w
	}

	batch := cfg.Batch.options()
	raw, enriched := cfg.Kafka.Topic(rawTopic), cfg.Kafka.Topic(enrichedTopic)
	enrichIn := n.spool.Consumer("enrich", raw, batch)
	sinkIn := n.spool.Consumer("sink", enriched, batch)

	g := newGroup(ctx)
	g.Go("enrich", func(ctx context.Context) error {
		return enrichIn.Run(ctx, pipeline.Enrich(enricher, n.spool, enriched, n.log))
	})
	g.Go("sink", func(ctx context.Context) error {
		return sinkIn.Run(ctx, pipeline.Sink(writer, n.spool, n.log))
	})
	n.serve(g)
	return g.Wait()
}

func newEnricher(cfg Enrich) (*enrich.Enricher, error) {
	e, err := enrich.New(enrich.Config{Secret: cfg.HashSecret, GeoIPPath: cfg.GeoIPPath})
	if err != nil {
		return nil, fmt.Errorf("enrich: %w", err)
	}
	return e, nil
}

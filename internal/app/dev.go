package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"

	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/internal/pipeline"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/jsonfile"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// RunDev runs the embedded default: the redirect node, and the enrich and
// sink stages reading the node's spool through the same consumer interface
// they use for Kafka. Enriched clicks go to ClickHouse when a DSN is given
// (its schema is migrated at start), else to <data-dir>/clicks.jsonl.
// Unless cfg.Webhooks.Disabled, a third consumer group ("webhooks") delivers
// them to webhook endpoints, with retries parked on the spool's retry topic,
// and the endpoint API is mounted on the link API at /v1/webhooks/.
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
	var hooks *webhookRuntime
	if !cfg.Webhooks.Disabled {
		if hooks, err = openDevWebhooks(&cfg); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, hooks.close()) }()
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
	var convWriter pipeline.ConversionWriter // only ClickHouse keeps conversions
	if cfg.ClickHouseDSN != "" {
		w, err := openClickHouse(ctx, cfg.ClickHouseDSN, n.log, true)
		if err != nil {
			return err
		}
		defer w.Close()
		writer, convWriter = w, w
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
	// ---- webhooks (owned with sinks/webhook; see webhooks.go): link
	// changes to the link events topic, and the stage's consumers of
	// clicks, link events and retries, the alert clock and the log sweeper.
	if hooks != nil {
		if err := hooks.withStage(cfg.Webhooks, n.spool, cfg.Kafka, n.shortURL, n.log); err != nil {
			return err
		}
		n.linkHooks = append(n.linkHooks, publishLinkChanges(n.spool, "", cfg.Kafka.Topic(schemas.TopicLinkEvents), n.log))
		n.jobHooks = append(n.jobHooks, publishJobEvents(n.spool, cfg.Kafka.Topic(schemas.TopicLinkEvents), n.log))
		hooks.runDev(g, n.spool, cfg.Kafka, batch)
		// Conversions are attributed to clicks here and delivered as
		// conversion.attributed by the webhook stage.
		attr, err := openAttribution(cfg.DataDir, cfg.Webhooks, n.spool, cfg.Kafka.Topic(schemas.TopicLinkEvents), n.shortURL, n.log)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, attr.close()) }()
		attr.run(g, n.spool.Consumer("attribution", enriched, batch),
			n.spool.Consumer("attribution", cfg.Kafka.Topic(conversionsTopic), batch))
		if convWriter != nil {
			convIn := n.spool.Consumer("sink-conversions", cfg.Kafka.Topic(schemas.TopicLinkEvents), batch)
			g.Go("sink conversions", func(ctx context.Context) error {
				return convIn.Run(ctx, pipeline.ConversionsSink(convWriter, n.spool, n.log))
			})
		}
	}
	// ---- end webhooks
	if cfg.LinkCheck.Enabled {
		if hooks == nil {
			return errors.New("dev config: the destination checker reports through webhooks; do not disable them")
		}
		chk, err := openLinkChecker(cfg.LinkCheck, cfg.DataDir, n.store, n.spool, cfg.Kafka.Topic(schemas.TopicLinkEvents), n.log)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, chk.Close()) }()
		g.Go("destination checker", chk.Run)
	}
	n.serve(g)
	return g.Wait()
}

// openDevWebhooks opens the webhook registry in <data-dir>/webhooks and
// mounts its API on the link API at /v1/webhooks/.
func openDevWebhooks(cfg *Dev) (*webhookRuntime, error) {
	log := logs.OrDiscard(cfg.Logger)
	rt, err := openWebhookRegistry(cfg.DataDir, cfg.SecretKeys, cfg.Webhooks, log)
	if err != nil {
		return nil, err
	}
	h, err := rt.api(cfg.Webhooks, log)
	if err != nil {
		return nil, errors.Join(err, rt.close())
	}
	mount := map[string]http.Handler{"/v1/webhooks/": h}
	for p, h := range cfg.Mount {
		mount[p] = h
	}
	cfg.Mount = mount
	scopes := map[string]linkapi.MountScope{"/v1/webhooks/": {Read: tenancy.ScopeWebhooksRead, Write: tenancy.ScopeWebhooksWrite}}
	for p, s := range cfg.MountScopes {
		scopes[p] = s
	}
	cfg.MountScopes = scopes
	for _, r := range webhook.Routes() {
		scope := tenancy.ScopeWebhooksRead
		if r.Write {
			scope = tenancy.ScopeWebhooksWrite
		}
		m := linkapi.MountedRoute{Method: r.Method, Pattern: r.Pattern, Summary: r.Summary, Scope: scope,
			Request: r.Request, Response: r.Response, Required: r.Required, Status: r.Status, Errors: r.Errors}
		for _, q := range r.Query {
			m.Query = append(m.Query, linkapi.MountedQueryParam{Name: q.Name, Type: q.Type, Description: q.Description})
		}
		cfg.MountDocs = append(cfg.MountDocs, m)
	}
	return rt, nil
}

func newEnricher(cfg Enrich) (*enrich.Enricher, error) {
	e, err := enrich.New(enrich.Config{Secret: cfg.HashSecret, GeoIPPath: cfg.GeoIPPath, InternalNetworks: cfg.InternalNetworks})
	if err != nil {
		return nil, fmt.Errorf("enrich: %w", err)
	}
	return e, nil
}

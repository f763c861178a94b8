package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// RunDev runs the embedded default: the redirect node, and the stages of
// the list (stages) reading the node's spool through the same consumer
// interface they use for Kafka, each input under its SpoolGroup. Enriched
// clicks go to ClickHouse when cfg.ClickHouse.DSN is given (its schema is
// migrated at start), else to <data-dir>/clicks.jsonl.
// Unless cfg.Webhooks.Disabled, a third consumer group ("webhooks") delivers
// them to webhook endpoints, with retries parked on the spool's retry topic,
// and the endpoint API is mounted on the link API at /v1/webhooks/.
func RunDev(ctx context.Context, cfg Dev) (err error) {
	defer func() { err = explainLocked(cfg.DataDir, err) }()
	if err := cfg.Enrich.Validate(); err != nil {
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
	// One process, one key ring: dev's --secrets-key (a webhook stage
	// flag) seals the link API's bulk callback secrets too.
	if len(cfg.RedirectNode.SecretKeys) == 0 {
		cfg.RedirectNode.SecretKeys = cfg.Webhooks.SecretKeys
	} else if len(cfg.Webhooks.SecretKeys) == 0 {
		cfg.Webhooks.SecretKeys = cfg.RedirectNode.SecretKeys
	}
	var hooks *webhookRuntime
	if !cfg.Webhooks.Disabled {
		if hooks, err = openDevWebhooks(&cfg); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, hooks.close()) }()
	}
	crmReg, err := openDevCRM(&cfg)
	if err != nil {
		return err
	}
	if crmReg != nil {
		defer func() { err = errors.Join(err, crmReg.Close()) }()
	}
	links := &storeLinks{}
	if cfg.ClickHouse.DSN != "" {
		stats, err := mountAnalytics(ctx, &cfg.RedirectNode, cfg.ClickHouse.DSN, links)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, stats.Close()) }()
	}
	n, err := openNode(cfg.RedirectNode)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, n.close()) }()
	links.store, links.api = n.store, n.apiH

	env := StageEnv{Out: n.metrics.DeadLetters(n.spool), Topic: cfg.Kafka.Topic, DataDir: cfg.DataDir, ShortURL: n.shortURL, Logger: n.log,
		StageConfigs: cfg.StageConfigs, Embedded: true, Hooks: hooks, CRMRegistry: crmReg, Metrics: n.metrics}
	list := Stages()
	if hooks != nil {
		// Link changes and bulk jobs' ends go to the link events topic for
		// the webhook stage; conversions attributed there reach ClickHouse.
		n.linkHooks = append(n.linkHooks, publishLinkChanges(n.spool, "", cfg.Kafka.Topic(schemas.TopicLinkEvents), n.log))
		n.jobHooks = append(n.jobHooks, publishJobEvents(n.spool, cfg.Kafka.Topic(schemas.TopicLinkEvents), n.log))
	} else {
		list = slices.DeleteFunc(list, func(s Stage) bool { return s.Webhooks })
	}
	opened, closeStages, err := openStages(ctx, list, env)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeStages()) }()
	g := newGroup(ctx)
	batch := cfg.Batch.options()
	err = runStages(g, opened, cfg.Kafka.Topic, n.metrics, func(in BoundInput) (record.Consumer, error) {
		return n.spool.Consumer(in.SpoolGroup, in.Topic, batch), nil
	})
	if err != nil {
		g.cancel()
		return errors.Join(err, g.Wait())
	}
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
	rt, err := openWebhookRegistry(cfg.DataDir, cfg.Webhooks, log)
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

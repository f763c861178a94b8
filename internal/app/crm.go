package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/crm"
	"github.com/clicktrail/clicktrail/sinks/crm/hubspot"
	"github.com/clicktrail/clicktrail/sinks/crm/pipedrive"
	"github.com/clicktrail/clicktrail/sinks/crm/salesforce"
	crmstage "github.com/clicktrail/clicktrail/sinks/crm/stage"
)

// defaultCRMGroup is the consumer group of the CRM sink.
const defaultCRMGroup = "clicktrail-sink-crm"

// crmKinds are the CRMs integrations may name.
func crmKinds() []crm.Kind { return []crm.Kind{hubspot.Kind{}, salesforce.Kind{}, pipedrive.Kind{}} }

// openCRMRegistry opens <data-dir>/crm, its credentials sealed with the
// CRM keys, else the webhook sink's, else <data-dir>/secrets-key.
func openCRMRegistry(dataDir string, opts crmstage.Options, fallbackKeys []string, log *slog.Logger) (*crm.Registry, error) {
	keys := opts.SecretKeys
	if len(keys) == 0 {
		keys = fallbackKeys
	}
	ring, err := secretRing(dataDir, keys)
	if err != nil {
		return nil, fmt.Errorf("crm: %w", err)
	}
	reg, err := crm.OpenRegistry(crm.RegistryConfig{Dir: filepath.Join(dataDir, "crm"), Secrets: ring, Kinds: crmKinds(), Logger: log})
	if err != nil {
		return nil, fmt.Errorf("crm: %w", err)
	}
	return reg, nil
}

// openDevCRM opens the CRM registry of dev and mounts its API on the link
// API at /v1/integrations (scopes integrations:read and :write, in the
// OpenAPI document); nil when the CRM sink is disabled.
func openDevCRM(cfg *Dev) (*crm.Registry, error) {
	if cfg.CRM.Disabled {
		return nil, nil
	}
	log := logs.OrDiscard(cfg.Logger)
	reg, err := openCRMRegistry(cfg.DataDir, cfg.CRM, cfg.Webhooks.SecretKeys, log)
	if err != nil {
		return nil, err
	}
	h, err := crm.NewAPI(crm.APIConfig{Registry: reg, Workspace: requestWorkspace, AllowPrivate: cfg.CRM.AllowPrivate, Logger: log})
	if err != nil {
		return nil, errors.Join(err, reg.Close())
	}
	mountAPI(cfg, crm.PathIntegrations, h, tenancy.ScopeIntegrationsRead, tenancy.ScopeIntegrationsWrite)
	for _, r := range crm.Routes() {
		scope := tenancy.ScopeIntegrationsRead
		if r.Write {
			scope = tenancy.ScopeIntegrationsWrite
		}
		cfg.MountDocs = append(cfg.MountDocs, linkapi.MountedRoute{Method: r.Method, Pattern: r.Pattern, Summary: r.Summary, Scope: scope,
			Request: r.Request, Response: r.Response, Required: r.Required, Status: r.Status, Errors: r.Errors})
	}
	return reg, nil
}

// mountAPI serves h on the link API at pattern and its subpaths, with
// the read and write scopes.
func mountAPI(cfg *Dev, pattern string, h http.Handler, read, write string) {
	mount := map[string]http.Handler{pattern: h, pattern + "/": h}
	for p, x := range cfg.Mount {
		mount[p] = x
	}
	cfg.Mount = mount
	scopes := map[string]linkapi.MountScope{pattern: {Read: read, Write: write}, pattern + "/": {Read: read, Write: write}}
	for p, s := range cfg.MountScopes {
		scopes[p] = s
	}
	cfg.MountScopes = scopes
}

// openCRMStage builds the CRM stage over env.CRM (dev), or in a worker
// over a registry of its own in <data-dir>/crm. Its per-step retry topics
// are inputs of their own (Kafka: the group plus "-retry-<i>").
func openCRMStage(ctx context.Context, env StageEnv) (_ *Opened, err error) {
	if err := env.CRM.Validate(); err != nil {
		return nil, fmt.Errorf("crm config: %w", err)
	}
	reg := env.CRMRegistry
	o := &Opened{}
	if reg == nil {
		if env.Embedded { // dev with the CRM sink disabled
			return &Opened{Handlers: []record.Handler{nil, nil}}, nil
		}
		if env.DataDir == "" {
			return nil, errors.New("data-dir: required")
		}
		if reg, err = openCRMRegistry(env.DataDir, env.CRM, env.Webhooks.SecretKeys, env.Logger); err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				err = errors.Join(err, reg.Close())
			}
		}()
	}
	st, err := crmstage.New(crmstage.Config{Registry: reg, Client: env.CRM.Client(), Out: env.Out,
		RetryTopic: env.Topic(crmstage.RetryTopic), DLQTopic: env.Topic(crmstage.DLQTopic),
		AttemptBudget: env.CRM.AttemptBudget, ShortURL: env.ShortURL, Logger: env.Logger})
	if err != nil {
		return nil, err
	}
	o.Close = func() error {
		c, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		err := st.Close(c)
		if env.CRMRegistry == nil {
			err = errors.Join(err, reg.Close())
		}
		return err
	}
	if env.EnsureTopics != nil {
		specs := []ingest.TopicSpec{{Name: env.Topic(crmstage.DLQTopic), RetentionMs: ingest.DeadLetterRetention.Milliseconds()},
			{Name: env.Topic(schemas.TopicLinkEvents), RetentionMs: webhookRetention.Milliseconds()}}
		for _, t := range st.RetryTopics() {
			specs = append(specs, ingest.TopicSpec{Name: t, RetentionMs: webhookRetention.Milliseconds()})
		}
		if err := env.EnsureTopics(ctx, specs...); err != nil {
			return nil, errors.Join(fmt.Errorf("ensure crm topics: %w", err), o.Close())
		}
	}
	o.Handlers = []record.Handler{st.Clicks(), st.LinkEvents()}
	for i, topic := range st.RetryTopics() {
		o.More = append(o.More, BoundInput{Input{Topic: topic, GroupSuffix: fmt.Sprintf("-retry-%d", i), SpoolGroup: "crm-retry"}, st.Retries()})
	}
	return o, nil
}

package app

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/internal/keyclient"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/internal/metrics"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/bulk"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
	whstage "github.com/clicktrail/clicktrail/sinks/webhook/stage"
)

// defaultWebhookGroup is the consumer group of the webhook sink; its retry
// consumer uses the group name plus "-retry".
const defaultWebhookGroup = "clicktrail-sink-webhook"

// webhookRetention keeps parked retries past the schedule's 28 hours.
const webhookRetention = 7 * 24 * time.Hour

// Webhooks configures webhook delivery, in dev and in the webhook sink:
// the configs of the webhook sink's packages, embedded whole. Their tagged
// fields are the CLI's flags.
type Webhooks struct {
	// Disabled turns the stage off (dev only).
	Disabled bool
	// Delivery configures the deliverer: AllowPrivate (tests and local
	// development only), the Timeout of each attempt.
	Delivery webhook.Config
	// Registry configures the endpoint registry and its delivery log
	// (Retention); its Dir is <data-dir>/webhooks and its Logger the
	// process's.
	Registry webhook.RegistryConfig
	// Stage configures the delivery stage: AttemptBudget (ADR 005), the
	// per-endpoint Dispatcher, the retry Schedule. Its registry, sender,
	// output, topics, short URLs and logger are the process's.
	Stage whstage.Config
	// SecretKeys seal the endpoints' signing secrets at rest (package
	// seal, ADR 007): "<id>:<base64 of 32 bytes>", the first seals, the
	// others still open; empty: a key kept in <data-dir>/secrets-key. In
	// dev the link API's bulk callback secrets are sealed with them too
	// (RedirectNode.SecretKeys).
	SecretKeys []string `flag:"secrets-key" env:"CLICKTRAIL_SECRETS_KEYS" usage:"key sealing the secrets kept to be used (webhook signing and bulk callback secrets), \"<id>:<base64 of 32 random bytes>\"; repeat to rotate: the first seals, the others still open (default: a key kept in <data-dir>/secrets-key; keep production keys out of the data dir)"`
}

// WebhookAPI is the endpoint API (/v1/webhooks/...) a webhook sink
// worker serves of its own registry, on its own listener.
type WebhookAPI struct {
	// Addr, when set, is where the API listens.
	Addr string `flag:"api-addr" env:"CLICKTRAIL_WEBHOOK_API_ADDR" usage:"serve the endpoint API (/v1/webhooks/...) of this sink's registry on this address, behind --api-key"`
	// Keys are the bearer keys of the API (the deployment's bootstrap
	// keys, as given to the link API): each acts in the default
	// workspace. Required with Addr unless LinkAPIURL is set.
	Keys []string `flag:"api-key" env:"CLICKTRAIL_API_KEYS,CLICKTRAIL_API_KEY" usage:"bearer key accepted by the link API (repeat or comma-separate); kept only as a hash in memory"`
	// LinkAPIURL, when set, is the link API (a redirect node's API
	// address) that vouches for the keys of the endpoint API: any key of
	// any workspace with the webhooks scopes works there, acting in its
	// workspace (package keyclient). Without it only Keys work, in the
	// default workspace.
	LinkAPIURL string `flag:"link-api-url" env:"CLICKTRAIL_LINK_API_URL" usage:"the link API (a redirect node's API address) that vouches for API keys: with it, every workspace's keys with the webhooks scopes manage their own endpoints at --api-addr; without it only --api-key works"`
	// Production refuses http:// endpoint URLs (dev allows them).
	Production bool `flag:"webhook-production" env:"CLICKTRAIL_WEBHOOK_PRODUCTION" usage:"refuse http:// webhook endpoint URLs"`
	// OnReady, when set, is called with the API's base URL once it
	// listens (tests listen on port 0).
	OnReady func(apiURL string)
}

// webhookRuntime is the registry, deliverer and stage of one process.
type webhookRuntime struct {
	reg   *webhook.Registry
	send  *webhook.Deliverer
	stage *whstage.Stage
}

// openWebhookRegistry opens DataDir/webhooks and the deliverer; the stage
// comes later (withStage), once the producer it parks retries on exists.
func openWebhookRegistry(dataDir string, cfg Webhooks, log *slog.Logger) (*webhookRuntime, error) {
	ring, err := secretRing(dataDir, cfg.SecretKeys)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	rc := cfg.Registry
	rc.Dir, rc.Secrets, rc.Logger = filepath.Join(dataDir, "webhooks"), ring, log
	reg, err := webhook.OpenRegistry(rc)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	send, err := webhook.NewDeliverer(cfg.Delivery, log)
	if err != nil {
		reg.Close()
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return &webhookRuntime{reg: reg, send: send}, nil
}

func (rt *webhookRuntime) withStage(cfg Webhooks, out ingest.Producer, topic func(string) string, shortURL func(*schemas.EnrichedClick) string,
	deliveries *metrics.Deliveries, log *slog.Logger) error {
	sc := cfg.Stage
	sc.Registry, sc.Sender, sc.Out, sc.ShortURL, sc.Logger = rt.reg, meteredSender{rt.send, deliveries}, out, shortURL, log
	sc.RetryTopic, sc.DLQTopic = topic(whstage.RetryTopic), topic(whstage.DLQTopic)
	stage, err := whstage.New(sc)
	if err != nil {
		return fmt.Errorf("webhooks: %w", err)
	}
	rt.stage = stage
	return nil
}

// api returns the endpoint API for mounting at "/v1/webhooks/" behind the
// link API's authentication: each request acts in its principal's
// workspace. Replays go through the stage, which must be set before the
// API serves.
func (rt *webhookRuntime) api(cfg Webhooks, log *slog.Logger) (http.Handler, error) {
	return rt.apiIn(cfg, false, requestWorkspace, log)
}

// apiIn is api with the workspace of each request given by workspace;
// production refuses http:// endpoint URLs.
func (rt *webhookRuntime) apiIn(cfg Webhooks, production bool, workspace func(*http.Request) (string, error), log *slog.Logger) (http.Handler, error) {
	h, err := webhook.NewAPI(webhook.APIConfig{
		Registry: rt.reg, Production: production, AllowPrivate: cfg.Delivery.AllowPrivate, Logger: log,
		Workspace: workspace,
		Replay: func(ctx context.Context, ep webhook.Endpoint, msgs []webhook.Message) error {
			return rt.stage.Replay(ctx, ep, msgs)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return h, nil
}

// requestWorkspace is the workspace of an authenticated link API request.
func requestWorkspace(r *http.Request) (string, error) {
	p, ok := linkapi.PrincipalFrom(r.Context())
	if !ok {
		return "", errors.New("request is not authenticated")
	}
	return p.WorkspaceID, nil
}

// linkEventTimeout bounds writing one link event.
const linkEventTimeout = 5 * time.Second

// publishJobEvents returns the bulk job runner's OnJobEvent callback: the
// job's end (job.succeeded or job.failed, its data the job) goes to topic
// on out as a schemas.LinkEvent keyed by job id, for the workspace's
// endpoints.
func publishJobEvents(out ingest.Producer, topic string, log *slog.Logger) func(string, *bulk.Job) {
	log = logs.OrDiscard(log)
	return func(typ string, j *bulk.Job) {
		data, err := json.Marshal(j)
		if err == nil {
			rec := handler.LinkEventRecord(topic, j.ID, schemas.LinkEvent{ID: uuid.Must(uuid.NewV7()).String(), Type: typ,
				Time: time.Now(), WorkspaceID: j.WorkspaceID, Data: data})
			ctx, cancel := context.WithTimeout(context.Background(), linkEventTimeout)
			err = out.Produce(ctx, []ingest.Record{rec})
			cancel()
		}
		if err != nil {
			log.Error("job event lost", "type", typ, "job", j.ID, "err", err)
		}
	}
}

// close waits (bounded) for running attempts, then releases everything.
func (rt *webhookRuntime) close() error {
	var errs []error
	if rt.stage != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		errs = append(errs, rt.stage.Close(ctx))
		cancel()
	}
	rt.send.Close()
	errs = append(errs, rt.reg.Close())
	return errors.Join(errs...)
}

// ensureWebhookTopics creates the webhook stage's own topics: its
// dead letters, the link events it reads and its per-step retry topics.
func ensureWebhookTopics(ctx context.Context, env StageEnv, rt *webhookRuntime) error {
	specs := []ingest.TopicSpec{
		{Name: env.Topic(whstage.DLQTopic), RetentionMs: ingest.DeadLetterRetention.Milliseconds()},
		{Name: env.Topic(schemas.TopicLinkEvents), RetentionMs: webhookRetention.Milliseconds()},
	}
	for _, t := range rt.stage.RetryTopics() {
		specs = append(specs, ingest.TopicSpec{Name: t, RetentionMs: webhookRetention.Milliseconds()})
	}
	if err := env.EnsureTopics(ctx, specs...); err != nil {
		return fmt.Errorf("ensure webhook topics: %w", err)
	}
	return nil
}

// sinkAPI returns the endpoint API of a webhook sink: the webhook API
// behind a bearer-key guard, every request acting in the default
// workspace.
//
// With LinkAPIURL the customers' own keys work here (the link API vouches
// for them, see package keyclient). Without it the sink accepts only the
// deployment's bootstrap keys, in the default workspace: an operator's
// tool.
func (rt *webhookRuntime) sinkAPI(cfg WebhookAPI, hooks Webhooks, log *slog.Logger) (http.Handler, error) {
	if cfg.LinkAPIURL != "" {
		keys, err := keyclient.New(keyclient.Config{LinkAPIURL: cfg.LinkAPIURL,
			ReadScope: tenancy.ScopeWebhooksRead, WriteScope: tenancy.ScopeWebhooksWrite})
		if err != nil {
			return nil, err
		}
		h, err := rt.apiIn(hooks, cfg.Production, keyclient.Workspace, log)
		if err != nil {
			return nil, err
		}
		return keys.Guard(h), nil
	}
	if len(cfg.Keys) == 0 {
		return nil, errors.New("api-key: at least one is required with api-addr")
	}
	sums := make([][sha256.Size]byte, len(cfg.Keys))
	for i, k := range cfg.Keys {
		if len(k) < linkapi.MinAPIKeyLen {
			return nil, fmt.Errorf("api-key[%d]: want at least %d characters", i, linkapi.MinAPIKeyLen)
		}
		sums[i] = sha256.Sum256([]byte(k))
	}
	h, err := rt.apiIn(hooks, cfg.Production, func(*http.Request) (string, error) { return webhook.DefaultWorkspace, nil }, log)
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, found := linkapi.BearerToken(r)
		sum := sha256.Sum256([]byte(token))
		ok := 0
		for i := range sums { // every key, so the time says nothing of which matched
			ok |= subtle.ConstantTimeCompare(sum[:], sums[i][:])
		}
		if !found || ok == 0 {
			keyclient.Unauthorized(w)
			return
		}
		h.ServeHTTP(w, r)
	}), nil
}

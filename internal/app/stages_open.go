package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"

	"github.com/clicktrail/clicktrail/enrich"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/internal/metrics"
	"github.com/clicktrail/clicktrail/schemas"
	chstage "github.com/clicktrail/clicktrail/sinks/clickhouse/stage"
	"github.com/clicktrail/clicktrail/sinks/jsonfile"
)

// The constructors of the stage list: each opens its package with its
// config from env and returns the handlers of its Reads.

func openEnrich(_ context.Context, env StageEnv) (*Opened, error) {
	cfg := env.Enrich
	cfg.Logger = env.Logger
	e, err := enrich.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("enrich: %w", err)
	}
	return &Opened{Handlers: []record.Handler{handler.Enrich(e, env.Out, env.Topic(enrichedTopic), env.Logger)},
		Close: e.Close}, nil
}

// openClickSink opens ClickHouse (dev migrates its schema first) or, in
// dev without a DSN, <data-dir>/clicks.jsonl. It reads link events for
// the conversions table only with ClickHouse, and in dev only with
// webhooks on, as only they produce conversion.attributed events there.
func openClickSink(ctx context.Context, env StageEnv) (*Opened, error) {
	if env.ClickHouse.DSN == "" {
		if !env.Embedded {
			return nil, errors.New("clickhouse-dsn: required")
		}
		w, err := jsonfile.Open(filepath.Join(env.DataDir, "clicks.jsonl"))
		if err != nil {
			return nil, err
		}
		return &Opened{Handlers: []record.Handler{handler.Sink(clickWriter(env, "jsonfile", w), env.Out, env.Logger), nil}, Close: w.Close}, nil
	}
	w, err := openClickHouse(ctx, env.ClickHouse, env.Logger, env.Embedded)
	if err != nil {
		return nil, err
	}
	o := &Opened{Handlers: []record.Handler{handler.Sink(clickWriter(env, "clickhouse", w), env.Out, env.Logger), nil}, Close: w.Close,
		Tasks: []Task{{Name: "clickhouse rollup compaction", Run: chstage.Compaction(w, env.ClickHouse.WithDefaults().CompactInterval, env.Logger)}}}
	if !env.Embedded || !env.Webhooks.Disabled {
		o.Handlers[1] = chstage.Conversions(w, env.Out, env.Logger)
	}
	return o, nil
}

// openWebhookStage builds the stage over env.Hooks, or in a worker over
// a registry of its own in <data-dir>/webhooks, with its endpoint API
// when env.WebhookAPI.Addr is set. Its per-step retry topics are inputs
// of their own, one consumer group each (Kafka: the group plus
// "-retry-<i>").
func openWebhookStage(ctx context.Context, env StageEnv) (_ *Opened, err error) {
	o := &Opened{}
	rt := env.Hooks
	if rt == nil {
		if env.DataDir == "" {
			return nil, errors.New("data-dir: required")
		}
		if rt, err = openWebhookRegistry(env.DataDir, env.Webhooks, env.Logger); err != nil {
			return nil, err
		}
		o.Close = rt.close // the process's own registry is closed by the process
		defer func() {
			if err != nil {
				err = errors.Join(err, rt.close())
			}
		}()
	}
	if err := rt.withStage(env.Webhooks, env.Out, env.Topic, env.ShortURL, webhookDeliveries(env.Metrics), env.Logger); err != nil {
		return nil, err
	}
	if env.EnsureTopics != nil {
		if err := ensureWebhookTopics(ctx, env, rt); err != nil {
			return nil, err
		}
	}
	o.Handlers = []record.Handler{rt.stage.Clicks(), rt.stage.LinkEvents()}
	o.Tasks = []Task{{"webhook alert clock", rt.stage.RunAlertClock},
		{"webhook log sweeper", func(ctx context.Context) error { return rt.reg.RunSweeper(ctx, 0) }}}
	for i, topic := range rt.stage.RetryTopics() {
		o.More = append(o.More, BoundInput{Input{Topic: topic, GroupSuffix: fmt.Sprintf("-retry-%d", i), SpoolGroup: "webhooks-retry"},
			rt.stage.Retries()})
	}
	if api := env.WebhookAPI; api.Addr != "" {
		task, ln, err := serveWebhookAPI(rt, api, env)
		if err != nil {
			return nil, err
		}
		o.Tasks = append(o.Tasks, task)
		// a listener never served (a later stage failed to open) is closed
		// here; one served was closed by serve, so the error is moot
		closeRt := o.Close
		o.Close = func() error {
			ln.Close()
			if closeRt == nil {
				return nil
			}
			return closeRt()
		}
	}
	return o, nil
}

// serveWebhookAPI listens on api.Addr and returns the task that serves
// the sink's endpoint API there (see sinkAPI).
func serveWebhookAPI(rt *webhookRuntime, api WebhookAPI, env StageEnv) (Task, net.Listener, error) {
	h, err := rt.sinkAPI(api, env.Webhooks, env.Logger)
	if err != nil {
		return Task{}, nil, fmt.Errorf("webhook sink config: %w", err)
	}
	h = logs.RequestIDs(env.Metrics.HTTP("webhook_api", webhookRoute(), h), env.Logger)
	ln, err := listen("webhook api", api.Addr)
	if err != nil {
		return Task{}, nil, err
	}
	if api.OnReady != nil {
		api.OnReady("http://" + hostForURL(ln.Addr().String()))
	}
	return Task{"webhook api server", func(ctx context.Context) error { return serveAPI(ctx, ln, h, nil, env.Logger) }}, ln, nil
}

// clickWriter is w measured as sink (clicktrail_sink_insert_*).
func clickWriter(env StageEnv, sink string, w handler.ClickWriter) handler.ClickWriter {
	return metrics.SinkWriter[*schemas.EnrichedClick](env.Metrics, sink, w)
}

func openAttributionStage(_ context.Context, env StageEnv) (*Opened, error) {
	if env.DataDir == "" {
		return nil, errors.New("data-dir: required")
	}
	rt, err := openAttribution(env.DataDir, env.Attribution, env.Out, env.Topic(schemas.TopicLinkEvents), env.ShortURL, env.Logger)
	if err != nil {
		return nil, err
	}
	return &Opened{Handlers: []record.Handler{rt.stage.Clicks(), rt.stage.Conversions()},
		Tasks: []Task{{"attribution sweeper", func(ctx context.Context) error { return rt.attr.RunSweeper(ctx, 0) }}},
		Close: rt.close}, nil
}

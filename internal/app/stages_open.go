package app

import (
	"context"
	"fmt"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/schemas"
	chstage "github.com/clicktrail/clicktrail/sinks/clickhouse/stage"
)

// The constructors of the stage list: each opens its package with its
// config from env and returns the handlers of its Reads.

func openEnrich(_ context.Context, env StageEnv) (*Opened, error) {
	e, err := newEnricher(env.Enrich)
	if err != nil {
		return nil, err
	}
	return &Opened{Handlers: []record.Handler{handler.Enrich(e, env.Out, env.Topic(enrichedTopic), env.Logger)},
		Close: e.Close}, nil
}

// openClickSink reads link events for the conversions table only when
// env has a writer of conversions (ClickHouse, and in dev only with
// webhooks on, as only they produce conversion.attributed events there).
func openClickSink(_ context.Context, env StageEnv) (*Opened, error) {
	o := &Opened{Handlers: []record.Handler{handler.Sink(env.Clicks, env.Out, env.Logger), nil}}
	if env.Conversions != nil {
		o.Handlers[1] = chstage.Conversions(env.Conversions, env.Out, env.Logger)
	}
	return o, nil
}

// openWebhookStage builds the stage over env.Hooks (the process owns the
// registry and closes it): its per-step retry topics are inputs of their
// own, one consumer group each (Kafka: the group plus "-retry-<i>").
func openWebhookStage(_ context.Context, env StageEnv) (*Opened, error) {
	rt := env.Hooks
	if err := rt.withStage(env.Webhooks, env.Out, env.Topic, env.ShortURL, env.Logger); err != nil {
		return nil, err
	}
	o := &Opened{Handlers: []record.Handler{rt.stage.Clicks(), rt.stage.LinkEvents()},
		Tasks: []Task{{"webhook alert clock", rt.stage.RunAlertClock},
			{"webhook log sweeper", func(ctx context.Context) error { return rt.reg.RunSweeper(ctx, 0) }}}}
	for i, topic := range rt.stage.RetryTopics() {
		o.More = append(o.More, BoundInput{Input{Topic: topic, GroupSuffix: fmt.Sprintf("-retry-%d", i), SpoolGroup: "webhooks-retry"},
			rt.stage.Retries()})
	}
	return o, nil
}

func openAttributionStage(_ context.Context, env StageEnv) (*Opened, error) {
	rt, err := openAttribution(env.DataDir, env.Webhooks, env.Out, env.Topic(schemas.TopicLinkEvents), env.ShortURL, env.Logger)
	if err != nil {
		return nil, err
	}
	return &Opened{Handlers: []record.Handler{rt.stage.Clicks(), rt.stage.Conversions()},
		Tasks: []Task{{"attribution sweeper", func(ctx context.Context) error { return rt.attr.RunSweeper(ctx, 0) }}},
		Close: rt.close}, nil
}

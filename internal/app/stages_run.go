package app

import (
	"context"
	"errors"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/metrics"
)

// openedStage is a stage of the list with what its Open returned.
type openedStage struct {
	Stage
	*Opened
}

// inputs returns the stage's inputs with their handlers, topics by their
// full names; those this process does not read are left out.
func (s openedStage) inputs(topic func(string) string) []BoundInput {
	var in []BoundInput
	for i, r := range s.Reads {
		if h := s.Handlers[i]; h != nil {
			r.Topic = topic(r.Topic)
			in = append(in, BoundInput{r, h})
		}
	}
	return append(in, s.More...)
}

// openStages opens list in order; on error it closes what it opened.
// The returned close closes them all, last opened first.
func openStages(ctx context.Context, list []Stage, env StageEnv) ([]openedStage, func() error, error) {
	var opened []openedStage
	closeAll := func() error {
		var errs []error
		for i := len(opened) - 1; i >= 0; i-- {
			if c := opened[i].Close; c != nil {
				errs = append(errs, c())
			}
		}
		return errors.Join(errs...)
	}
	for _, s := range list {
		o, err := s.Open(ctx, env)
		if err != nil {
			return nil, nil, errors.Join(err, closeAll())
		}
		opened = append(opened, openedStage{s, o})
	}
	return opened, closeAll, nil
}

// runStages starts, in g, a consumer of every input of the opened stages
// (consumer gives it: the spool's or Kafka's) and their tasks, each
// handler measured in reg (clicktrail_stage_batch_*). Consumers are all
// made before any runs, so an error leaves nothing running.
func runStages(g *group, opened []openedStage, topic func(string) string, reg *metrics.Registry, consumer func(BoundInput) (record.Consumer, error)) error {
	type run struct {
		name string
		c    record.Consumer
		h    record.Handler
	}
	var runs []run
	for _, s := range opened {
		for _, in := range s.inputs(topic) {
			c, err := consumer(in)
			if err != nil {
				return err
			}
			runs = append(runs, run{s.Name + " " + in.Topic, c, reg.StageHandler(s.Name, in.Topic, in.Handler)})
		}
	}
	for _, r := range runs {
		g.Go(r.name, func(ctx context.Context) error { return r.c.Run(ctx, r.h) })
	}
	for _, s := range opened {
		for _, t := range s.Tasks {
			g.Go(t.Name, t.Run)
		}
	}
	return nil
}

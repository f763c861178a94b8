package stage

import (
	"context"
	"fmt"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// LinkEvents returns the handler of schemas.TopicLinkEvents: each event goes to
// every enabled endpoint of its workspace subscribed to its type whose
// filters pass its link, with the same guarantees as clicks (see
// Stage): the event id is the webhook-id on every attempt, failed
// attempts are parked on the retry topics, the last ones dead-lettered,
// and the batch may be committed once every attempt has its final Result.
// Undecodable records are dead-lettered.
func (w *Stage) LinkEvents() record.Handler {
	return func(ctx context.Context, batch []record.Record) error {
		var jobs []webhook.Job
		var dead []record.Record
		now := w.cfg.Now()
		for _, r := range batch {
			if typ, ws, ok := handler.EventHeaders(r); ok && !w.reg.HasSubscribers(ws, typ) {
				continue // nothing would be sent: not even worth decoding
			}
			e, err := schemas.DecodeLinkEvent(r.Value)
			if err == nil {
				eps := w.reg.MatchLinkEvent(e, now)
				if len(eps) == 0 {
					continue
				}
				var msg webhook.Message
				if msg, err = webhook.LinkEventMessage(e); err == nil {
					for _, ep := range eps {
						jobs = append(jobs, webhook.Job{Endpoint: ep, Message: msg, Attempt: 1})
					}
					continue
				}
			}
			dr := handler.DeadLetter(w.log, "webhook-link-events", r, err)
			dr.Topic = w.cfg.DLQTopic
			dead = append(dead, dr)
		}
		if len(dead) > 0 {
			if err := w.cfg.Out.Produce(ctx, dead); err != nil {
				return fmt.Errorf("dead-letter %d undecodable link events: %w", len(dead), err)
			}
		}
		return w.run(ctx, jobs)
	}
}

package pipeline

import (
	"context"
	"fmt"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// LinkEvents returns the handler of schemas.TopicLinkEvents: each event goes to
// every enabled endpoint of its workspace subscribed to its type whose
// filters pass its link, with the same guarantees as clicks (see
// Webhooks): the event id is the webhook-id on every attempt, failed
// attempts are parked on the retry topics, the last ones dead-lettered,
// and the batch may be committed once every attempt has its final Result.
// Undecodable records are dead-lettered.
func (w *Webhooks) LinkEvents() ingest.Handler {
	return func(ctx context.Context, batch []ingest.Record) error {
		var jobs []webhook.Job
		var dead []ingest.Record
		now := w.cfg.Now()
		for _, r := range batch {
			if typ, ws, ok := eventHeaders(r); ok && !w.reg.HasSubscribers(ws, typ) {
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
			dr := deadLetter(w.log, "webhook-link-events", r, err)
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

// LinkEventRecord is the record of ev (a link, checker, job or
// conversion event) on topic, keyed by key: its encoding with the version
// set, and the type and workspace headers eventHeaders reads.
func LinkEventRecord(topic, key string, ev schemas.LinkEvent) ingest.Record {
	return ingest.Record{Topic: topic, Key: []byte(key), Value: schemas.EncodeLinkEvent(ev), Timestamp: ev.Time.UTC(),
		Headers: []ingest.Header{{Key: schemas.HeaderEventType, Value: []byte(ev.Type)}, {Key: schemas.HeaderEventWorkspace, Value: []byte(ev.WorkspaceID)}}}
}

// eventHeaders reads the type and workspace headers of a link event
// record (webhook.HeaderEventType, HeaderEventWorkspace); ok is false when
// either is missing, and the record is then decoded to find out.
//
// A record whose headers name a type no endpoint of the workspace
// subscribes to is passed over undecoded: were its body malformed, it is
// not dead-lettered, as nothing would have been delivered from it anyway.
func eventHeaders(r ingest.Record) (typ, ws string, ok bool) {
	for _, h := range r.Headers {
		switch h.Key {
		case schemas.HeaderEventType:
			typ = string(h.Value)
		case schemas.HeaderEventWorkspace:
			ws = string(h.Value)
		}
	}
	return typ, ws, typ != "" && ws != ""
}

package stage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/clicktrail/clicktrail/attribution"
	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/schemas"
)

// Config configures the attribution stage.
type Config struct {
	Attributor *attribution.Attributor // required
	// Out receives the conversion.attributed events and the dead letters
	// of undecodable conversions; its Produce must return nil only once
	// they are durable. Required.
	Out record.Producer
	// EventsTopic is where conversion.attributed events go, as
	// schemas.LinkEvent records keyed by link id; default
	// schemas.TopicLinkEvents, which the webhook stage delivers.
	EventsTopic string
	// ShortURL gives a click's short URL for payloads; nil means
	// https://domain/path.
	ShortURL func(*schemas.EnrichedClick) string
	Logger   *slog.Logger // nil discards
}

// Stage is the attribution stage: Clicks indexes enriched clicks
// and Conversions attributes conversions (TopicConversions) to them,
// through an attribution.Attributor; each credited conversion becomes a
// conversion.attributed event on EventsTopic, whose id is the
// conversion's event id. A conversion that overtook its click waits in
// the Attributor and is sent when the click is indexed.
//
// Both handlers return nil only once their index writes and their events
// are durable, so committing after them loses nothing; a crash repeats
// events with the same id, which the webhook stage sends with the same
// webhook-id.
type Stage struct {
	cfg Config
	log *slog.Logger
}

// New returns the stage.
func New(cfg Config) (*Stage, error) {
	var errs []error
	if cfg.Attributor == nil {
		errs = append(errs, errors.New("attributor: required"))
	}
	if cfg.Out == nil {
		errs = append(errs, errors.New("out: required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("attribution stage config: %w", err)
	}
	if cfg.EventsTopic == "" {
		cfg.EventsTopic = schemas.TopicLinkEvents
	}
	if cfg.ShortURL == nil {
		cfg.ShortURL = handler.DefaultShortURL
	}
	return &Stage{cfg: cfg, log: logs.OrDiscard(cfg.Logger)}, nil
}

// Clicks returns the handler of enriched clicks: it indexes them and
// sends the parked conversions they resolve. An undecodable click is
// logged with its offset and skipped: the webhook and ClickHouse stages,
// which read the same topic, dead-letter it.
func (s *Stage) Clicks() record.Handler {
	return func(ctx context.Context, batch []record.Record) error {
		clicks := make([]*schemas.EnrichedClick, 0, len(batch))
		for _, r := range batch {
			c, err := schemas.DecodeEnrichedClick(r.Value)
			if err != nil {
				s.log.Warn("attribution: skipping an undecodable click", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "err", err)
				continue
			}
			clicks = append(clicks, c)
		}
		atts, err := s.cfg.Attributor.IndexClicks(clicks)
		if err != nil {
			return fmt.Errorf("attribution: %w", err)
		}
		if len(atts) == 0 {
			return nil
		}
		if err := s.cfg.Out.Produce(ctx, s.events(atts)); err != nil {
			return fmt.Errorf("attribution: send %d conversions that waited for their click: %w", len(atts), err)
		}
		if err := s.cfg.Attributor.Resolved(atts); err != nil {
			return fmt.Errorf("attribution: %w", err)
		}
		return nil
	}
}

// Conversions returns the handler of TopicConversions: each conversion is
// credited to its click (sent at once), parked until its click comes, or
// logged as unattributed. Undecodable records are dead-lettered.
func (s *Stage) Conversions() record.Handler {
	return func(ctx context.Context, batch []record.Record) error {
		var out []record.Record
		var credited []attribution.Attributed
		for _, r := range batch {
			c, err := schemas.DecodeConversion(r.Value)
			if err != nil {
				out = append(out, handler.DeadLetter(s.log, "attribution", r, err))
				continue
			}
			at, outcome, err := s.cfg.Attributor.Attribute(c)
			if err != nil {
				return fmt.Errorf("attribution: conversion %s at offset %d: %w", c.EventID, r.Offset, err)
			}
			switch outcome {
			case attribution.Credited:
				credited = append(credited, *at)
			case attribution.Parked:
				s.log.Debug("conversion waits for its click", "conversion", c.EventID, "click_id", c.ClickID, "contact_id", c.ContactID)
			case attribution.Unattributed:
				s.log.Info("conversion unattributed: its click is of another workspace or outside the window",
					"conversion", c.EventID, "workspace", c.WorkspaceID, "click_id", c.ClickID, "contact_id", c.ContactID)
			}
		}
		out = append(out, s.events(credited)...)
		if len(out) == 0 {
			return nil
		}
		if err := s.cfg.Out.Produce(ctx, out); err != nil {
			return fmt.Errorf("attribution: send %d records: %w", len(out), err)
		}
		return nil
	}
}

// events returns the conversion.attributed records of atts.
func (s *Stage) events(atts []attribution.Attributed) []record.Record {
	recs := make([]record.Record, 0, len(atts))
	for _, at := range atts {
		data, _ := json.Marshal(s.data(at)) // plain strings, numbers and times: cannot fail
		c := at.Conversion
		recs = append(recs, handler.LinkEventRecord(s.cfg.EventsTopic, at.Click.LinkID, schemas.LinkEvent{ID: c.EventID,
			Type: schemas.EventConversionAttributed, Time: c.OccurredAt, WorkspaceID: c.WorkspaceID, Data: data}))
	}
	return recs
}

// data is the webhook data of an attribution.
func (s *Stage) data(at attribution.Attributed) schemas.AttributedConversion {
	c, k := at.Conversion, at.Click
	ec := k.Enriched()
	contact := c.ContactID
	if contact == "" {
		contact = k.ContactID
	}
	return schemas.AttributedConversion{
		ConversionID: c.EventID, Name: c.Name, ExternalID: c.ExternalID, OccurredAt: c.OccurredAt.UTC(),
		Amount: c.Amount, Currency: c.Currency, Metadata: c.Metadata, ContactID: contact,
		LinkID: k.LinkID, Domain: k.Domain, Tags: k.Tags,
		Attribution: schemas.Attribution{Model: schemas.AttributionLastClick, MatchedBy: at.MatchedBy},
		Click:       schemas.AttributedClick{WebhookClick: schemas.WebhookClickOf(ec, s.cfg.ShortURL(ec)), ClickedAt: k.Time.UTC(), Type: k.Type},
	}
}

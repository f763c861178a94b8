package stage

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/clickhouse"
)

// ConversionWriter stores attributed conversions; *clickhouse.Writer is
// one. WriteConversions follows handler.ClickWriter.Write's contract: nil once
// durable, a PartialWriteError naming the rows that can never be stored.
type ConversionWriter interface {
	WriteConversions(ctx context.Context, convs []clickhouse.Conversion) error
}

// Conversions returns the handler that stores the conversion.attributed
// events of schemas.TopicLinkEvents (the attribution stage's output) through w, for
// analysts' funnels; every other event is passed over (by its headers when
// it has them, without decoding). Like handler.Sink, it returns nil only once the
// conversions are stored and what can never be stored is dead-lettered.
func Conversions(w ConversionWriter, dlq record.Producer, log *slog.Logger) record.Handler {
	log = logs.OrDiscard(log)
	return func(ctx context.Context, batch []record.Record) error {
		var rows []clickhouse.Conversion
		var from []int // rows[i] decoded from batch[from[i]]
		var dead []record.Record
		for i, r := range batch {
			if typ, _, ok := handler.EventHeaders(r); ok && typ != schemas.EventConversionAttributed {
				continue
			}
			e, err := schemas.DecodeLinkEvent(r.Value)
			if err == nil && e.Type != schemas.EventConversionAttributed {
				continue
			}
			var c clickhouse.Conversion
			if err == nil {
				c, err = conversionRow(e)
			}
			if err != nil {
				dead = append(dead, handler.DeadLetter(log, "conversions-sink", r, err))
				continue
			}
			rows = append(rows, c)
			from = append(from, i)
		}
		return handler.WriteRows(ctx, handler.Batch[clickhouse.Conversion]{Stage: "conversions-sink", What: "conversions", Records: batch,
			Rows: rows, From: from, Dead: dead}, w.WriteConversions, dlq, log)
	}
}

// conversionRow maps a conversion.attributed event to its table row.
func conversionRow(e *schemas.LinkEvent) (clickhouse.Conversion, error) {
	var d schemas.AttributedConversion
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return clickhouse.Conversion{}, fmt.Errorf("conversion.attributed %s: field data: %w", e.ID, err)
	}
	var hash uint64
	if d.Click.VisitorHash != "" {
		h, err := strconv.ParseUint(d.Click.VisitorHash, 10, 64)
		if err != nil {
			return clickhouse.Conversion{}, fmt.Errorf("conversion.attributed %s: field data.click.visitor_hash: %w", e.ID, err)
		}
		hash = h
	}
	return clickhouse.Conversion{
		EventID: d.ConversionID, Name: d.Name, OccurredAt: d.OccurredAt, WorkspaceID: e.WorkspaceID,
		LinkID: d.LinkID, Domain: d.Domain, Tags: d.Tags, ContactID: d.ContactID, ExternalID: d.ExternalID,
		Amount: d.Amount, Currency: d.Currency, Metadata: d.Metadata, MatchedBy: d.Attribution.MatchedBy,
		ClickID: d.Click.ClickID, ClickType: d.Click.Type, ClickedAt: d.Click.ClickedAt, UTM: d.Click.UTM,
		Country: d.Click.Country, DeviceType: d.Click.DeviceClass, ReferrerHost: d.Click.ReferrerHost,
		Bot: d.Click.Bot, RuleID: d.Click.RuleID, Variant: d.Click.Variant, VisitorHash: hash,
	}, nil
}

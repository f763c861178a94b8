package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/schemas"
)

// Conversion is one attributed conversion as the conversions table keeps
// it: the conversion the customer reported and the facts of the click it
// was credited to (see package attribution). Like clicks, it holds no
// address.
type Conversion struct {
	EventID     string // the conversion's id
	Name        string
	OccurredAt  time.Time
	WorkspaceID string
	LinkID      string
	Domain      string
	Tags        []string
	ContactID   string
	ExternalID  string
	Amount      int64 // minor units of Currency
	Currency    string
	Metadata    map[string]string
	MatchedBy   string // click_id or contact_id

	ClickID      string
	ClickType    string // click or qr_scan
	ClickedAt    time.Time
	UTM          schemas.UTM
	Country      string
	DeviceType   string
	ReferrerHost string
	Bot          bool
	RuleID       string
	Variant      string
	VisitorHash  uint64
}

// ConversionsTable returns the name of the conversions table the writer
// inserts into.
func (w *Writer) ConversionsTable() string { return w.conversions }

// WriteConversions inserts convs with one INSERT into the conversions
// table, with Write's contract: nil once acknowledged, retried inside,
// idempotent on the event id (ReplacingMergeTree), and a *RejectedError
// listing the conversions that can never be inserted while the others
// were.
func (w *Writer) WriteConversions(ctx context.Context, convs []Conversion) error {
	return w.writeValues(ctx, w.convSQL, w.conversions, len(convs), func(i int) ([]any, error) { return conversionValues(&convs[i]) })
}

// conversionValues maps c to one row, in the order of
// schemas/clickhouse.ConversionColumns, rejecting what the server would
// reject or mangle, naming the field.
func conversionValues(c *Conversion) ([]any, error) {
	id, err := uuid.Parse(c.EventID)
	if err != nil {
		return nil, fmt.Errorf("field event_id %q: %w", c.EventID, err)
	}
	click, err := uuid.Parse(c.ClickID)
	if err != nil {
		return nil, fmt.Errorf("conversion %s: field click_id %q: %w", c.EventID, c.ClickID, err)
	}
	if c.ClickType != schemas.ClickTypeClick && c.ClickType != schemas.ClickTypeQRScan {
		return nil, fmt.Errorf("conversion %s: field click_type: want %q or %q, got %q", c.EventID, schemas.ClickTypeClick, schemas.ClickTypeQRScan, c.ClickType)
	}
	if c.LinkID == "" {
		return nil, errors.New("conversion " + c.EventID + ": field link_id: required")
	}
	for _, f := range [...]struct {
		name string
		t    time.Time
	}{{"occurred_at", c.OccurredAt}, {"clicked_at", c.ClickedAt}} {
		if !inDateTime(f.t) {
			return nil, fmt.Errorf("conversion %s: field %s: %s is outside ClickHouse DateTime's range", c.EventID, f.name, f.t.Format(time.RFC3339))
		}
	}
	keys, values := sortedPairs(c.Metadata)
	return []any{
		id, c.Name, c.OccurredAt.UTC(), c.WorkspaceID, c.LinkID, c.Domain, orEmpty(c.Tags),
		c.ContactID, c.ExternalID, c.Amount, c.Currency, keys, values,
		c.MatchedBy, click, c.ClickType, c.ClickedAt.UTC(),
		c.UTM.Source, c.UTM.Medium, c.UTM.Campaign, c.UTM.Term, c.UTM.Content,
		c.Country, c.DeviceType, c.ReferrerHost, uint8Of(c.Bot), c.RuleID, c.Variant, c.VisitorHash,
	}, nil
}

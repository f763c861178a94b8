package clickhouse

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/schemas"
)

// rowValues maps c to the values of one row, in the order of
// schemas/clickhouse.Columns. It rejects what the server would reject or
// silently mangle, naming the field: a malformed event_id, an unknown type,
// a missing link_id, a time outside DateTime's range (1970 to 2105).
// Metadata keys are sorted so equal clicks give equal rows.
func rowValues(c *schemas.EnrichedClick) ([]any, error) {
	if c == nil {
		return nil, errors.New("nil click")
	}
	id, err := uuid.Parse(c.EventID)
	if err != nil {
		return nil, fmt.Errorf("field event_id %q: %w", c.EventID, err)
	}
	if c.Type != schemas.ClickTypeClick && c.Type != schemas.ClickTypeQRScan {
		return nil, fmt.Errorf("event %s: field type: want %q or %q, got %q", c.EventID, schemas.ClickTypeClick, schemas.ClickTypeQRScan, c.Type)
	}
	if c.LinkID == "" {
		return nil, fmt.Errorf("event %s: field link_id: required", c.EventID)
	}
	if !inDateTime(c.Time) {
		return nil, fmt.Errorf("event %s: field ts: %s is outside ClickHouse DateTime's range [%s, %s)", c.EventID, c.Time.Format(time.RFC3339), minTime.Format(time.RFC3339), maxTime.Format(time.RFC3339))
	}
	keys, values := sortedPairs(c.Metadata)
	return []any{
		id, c.Type, c.Time.UTC(), c.WorkspaceID, c.LinkID, c.Domain, c.Path, c.Destination,
		c.IPPrefix, c.VisitorHash,
		c.Country, c.Region, c.City,
		c.DeviceType, c.OS, c.Browser, uint8Of(c.Bot), c.BotName,
		c.ReferrerHost, c.Language,
		c.UTM.Source, c.UTM.Medium, c.UTM.Campaign, c.UTM.Term, c.UTM.Content,
		orEmpty(c.Tags), keys, values,
		c.ContactID, c.RuleID, c.Variant,
		uint8Of(c.Internal),
	}, nil
}

// DateTime is seconds since the epoch in a UInt32.
var (
	minTime = time.Unix(0, 0).UTC()
	maxTime = time.Unix(1<<32, 0).UTC()
)

// inDateTime reports whether a DateTime column can hold t.
func inDateTime(t time.Time) bool { return !t.Before(minTime) && t.Before(maxTime) }

// orEmpty is s, or an empty slice for nil: an Array column takes no nil.
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// uint8Of is a UInt8 flag column's value of b.
func uint8Of(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// sortedPairs returns m's keys in order and their values, for a Nested
// column: equal maps give equal rows.
func sortedPairs(m map[string]string) (keys, values []string) {
	keys = make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	values = make([]string, len(keys))
	for i, k := range keys {
		values[i] = m[k]
	}
	return keys, values
}

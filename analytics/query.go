package analytics

import (
	"context"
	"errors"
	"slices"
	"time"

	chschema "github.com/clicktrail/clicktrail/schemas/clickhouse"
)

// Interval is the width of one bucket of a series.
type Interval string

// The intervals of a series.
const (
	Hour  Interval = "hour"
	Day   Interval = "day"
	Week  Interval = "week" // ISO weeks, from Monday
	Month Interval = "month"
)

// BotFilter says which clicks count: people, bots or both. Internal clicks
// (the deployment's own networks) never count.
type BotFilter string

// The bot filters.
const (
	BotsExclude BotFilter = "exclude"
	BotsInclude BotFilter = "include"
	BotsOnly    BotFilter = "only"
)

// Key is what the Counts of a Query are keyed by.
type Key int

// The keys of a query.
const (
	KeyNone   Key = iota // one Count over the whole range, key ""
	KeyBucket            // the bucket: unix seconds for Hour, else the zone's date of its first day (2006-01-02)
	KeyValue             // the dimension's value
	KeyLink              // the link id
)

// Query asks a Reader for counts of one workspace.
type Query struct {
	Workspace string
	LinkID    string // "" means every link of the workspace
	Dim       string // "" reads the links' totals; else one of Dimensions
	Key       Key
	Interval  Interval       // the bucket width of KeyBucket
	Zone      *time.Location // whose days, weeks and months
	// From and To bound the range [From, To), aligned to Interval in Zone
	// by the caller.
	From, To time.Time
	Bots     BotFilter
	// Limit > 0 keeps the Limit keys with the most events (then by key).
	Limit int
}

// Count is the number of events of one key: clicks (with their unique
// visitors) or conversions (with their revenue per currency).
type Count struct {
	Key      string
	N        uint64
	Visitors uint64  // clicks only
	Revenue  []Money // conversions only, by currency
}

// Money is an amount in minor units of a currency (cents for EUR).
type Money struct {
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
}

// Reader reads counts from the rollups. Counts are exact: an event counts
// once however often it was delivered.
type Reader interface {
	Clicks(ctx context.Context, q Query) ([]Count, error)
	Conversions(ctx context.Context, q Query) ([]Count, error)
}

// Links tells which workspace a link belongs to; ErrNotFound when there is
// no such link.
type Links interface {
	WorkspaceOf(ctx context.Context, linkID string) (string, error)
}

// ErrNotFound is what Links answers for an unknown link.
var ErrNotFound = errors.New("not found")

// Dimensions are the group_by values of a link's stats: the rollups'
// dimensions (schemas/clickhouse.ClickDimensions).
func Dimensions() []string {
	out := make([]string, len(chschema.ClickDimensions))
	for i, d := range chschema.ClickDimensions {
		out[i] = d.Name
	}
	return out
}

// hasConversions reports whether conversions are rolled up by dim (not by
// os and browser, which a conversion record does not carry).
func hasConversions(dim string) bool {
	return slices.ContainsFunc(chschema.ConversionDimensions, func(d chschema.Dimension) bool { return d.Name == dim })
}

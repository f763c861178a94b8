package clickhouse

import (
	"fmt"
	"time"
)

// Dimension is one grouping of the rollups: Name is what the rollup's dim
// column holds (and the stats API's group_by value), Column the raw column
// it takes its value from.
type Dimension struct {
	Name, Column string
}

// ClickDimensions are the groupings of the click rollups, in the order the
// compaction emits them. The rollup rows with dim = ” are the per-link
// totals.
var ClickDimensions = []Dimension{
	{"country", "country"}, {"device", "device_type"}, {"os", "os"}, {"browser", "browser"},
	{"referrer", "referrer_host"},
	{"utm_source", "utm_source"}, {"utm_medium", "utm_medium"}, {"utm_campaign", "utm_campaign"},
	{"variant", "variant"}, {"rule", "rule_id"},
}

// ConversionDimensions are the groupings of the conversion rollups: the
// credited click's facts that the conversions table carries.
var ConversionDimensions = []Dimension{
	{"country", "country"}, {"device", "device_type"},
	{"referrer", "referrer_host"},
	{"utm_source", "utm_source"}, {"utm_medium", "utm_medium"}, {"utm_campaign", "utm_campaign"},
	{"variant", "variant"}, {"rule", "rule_id"},
}

// Rollups are the names of the rollup tables of one schema and of the raw
// tables they are computed from. The rollups are hourly (UTC)
// ReplacingMergeTree(version) tables of plain counts that the compaction
// job recomputes from the raw tables (see docs/adr/008-exact-rollups.md);
// Watermark records up to which insert time they are complete.
type Rollups struct {
	Clicks, Conversions             string // the raw tables
	ClicksHourly, ConversionsHourly string
	Watermark                       string
}

// Rollups returns the rollup table names beside the click table.
func (o Options) Rollups() Rollups {
	return Rollups{
		Clicks:            o.table(),
		Conversions:       o.ConversionsTable(),
		ClicksHourly:      o.table() + "_hourly",
		ConversionsHourly: o.ConversionsTable() + "_hourly",
		Watermark:         o.table() + "_rollup_watermark",
	}
}

// names lists every table name the schema derives from Table.
func (r Rollups) names() []string {
	return []string{r.ClicksHourly, r.ConversionsHourly, r.Watermark}
}

// rollup is what the rollup templates render one statement from.
type rollup struct {
	templateData
	Name     string // the rollup table
	Source   string // the raw table it is computed from
	Dims     []Dimension
	From, To string // the recomputed range of hours, UTC, [From, To)
	Version  uint64
}

func rollupsOf(data templateData, r Rollups) (clicks, conversions rollup) {
	return rollup{templateData: data, Name: r.ClicksHourly, Source: r.Clicks, Dims: ClickDimensions},
		rollup{templateData: data, Name: r.ConversionsHourly, Source: r.Conversions, Dims: ConversionDimensions}
}

// Recompute is one pass of the compaction over a range of whole hours.
type Recompute struct {
	// From and To bound the hours [From, To) recomputed; both are
	// truncated to the hour (UTC).
	From, To time.Time
	// Version is the pass's version: the server's clock when the pass
	// began (unix seconds, in the high bits). A later pass reads a later
	// state of the raw table, so its rows replace the earlier ones.
	Version uint64
}

// RecomputeStatements renders, for database db of a server with features
// f, the statements that recompute rc's hours of the click rollup (kind
// "clicks") or the conversion rollup ("conversions") from the raw table
// with FINAL, then write zero rows for the keys of those hours that the
// recomputation no longer has (a re-enriched click whose country changed),
// so the rollup holds exactly what the raw table holds. Running them twice,
// or from two processes, leaves the same numbers: every row is a whole
// hour's count, and the highest version wins.
func RecomputeStatements(db string, f Features, opts Options, kind string, rc Recompute) ([]string, error) {
	if err := ValidateIdentifier(db); err != nil {
		return nil, fmt.Errorf("render recompute: database: %w", err)
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("render recompute: %w", err)
	}
	clicks, conversions := rollupsOf(newTemplateData(db, f, opts), opts.Rollups())
	r := clicks
	switch kind {
	case "clicks":
	case "conversions":
		r = conversions
	default:
		return nil, fmt.Errorf("render recompute: unknown rollup kind %q", kind)
	}
	r.From = rc.From.UTC().Truncate(time.Hour).Format(time.DateTime)
	r.To = rc.To.UTC().Truncate(time.Hour).Format(time.DateTime)
	r.Version = rc.Version
	var out []string
	for _, part := range []string{"recompute", "clear"} {
		s, err := render(kind+"_rollup_"+part, r)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

package clickhouse

import "fmt"

// Dimension is one grouping of the rollups: Name is what the rollup's dim
// column holds (and the stats API's group_by value), Column the raw column
// it takes its value from.
type Dimension struct {
	Name, Column string
}

// ClickDimensions are the groupings of the click rollups, in the order the
// materialized views emit them. The rollup rows with dim = ” are the
// per-link totals.
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

// Rollups are the names of the rollup tables of one schema. Each is an
// AggregatingMergeTree kept by a materialized view named like it with
// "_mv" (see docs/adr/008-exact-rollups.md).
type Rollups struct {
	ClicksHourly, ClicksDaily           string
	ConversionsHourly, ConversionsDaily string
}

// Rollups returns the rollup table names beside the click table.
func (o Options) Rollups() Rollups {
	return Rollups{
		ClicksHourly:      o.table() + "_hourly",
		ClicksDaily:       o.table() + "_daily",
		ConversionsHourly: o.ConversionsTable() + "_hourly",
		ConversionsDaily:  o.ConversionsTable() + "_daily",
	}
}

// names lists every table and view name the schema derives from Table.
func (r Rollups) names() []string {
	var out []string
	for _, n := range []string{r.ClicksHourly, r.ClicksDaily, r.ConversionsHourly, r.ConversionsDaily} {
		out = append(out, n, n+"_mv")
	}
	return out
}

// rollup is what the rollup templates render one table from.
type rollup struct {
	templateData
	Name       string // the rollup table
	Source     string // the raw table the view reads
	Bucket     string // the bucket column: hour or day
	BucketType string
	BucketExpr string
	Dims       []Dimension
}

func rollupsOf(data templateData, r Rollups) (clicks, conversions []rollup) {
	grains := []struct{ bucket, typ, expr string }{
		{"hour", "DateTime('UTC')", "toStartOfHour(%s)"},
		{"day", "Date", "toDate(%s)"},
	}
	for i, g := range grains {
		clicks = append(clicks, rollup{data, []string{r.ClicksHourly, r.ClicksDaily}[i], data.Table, g.bucket, g.typ, fmt.Sprintf(g.expr, "ts"), ClickDimensions})
		conversions = append(conversions, rollup{data, []string{r.ConversionsHourly, r.ConversionsDaily}[i], data.Conversions, g.bucket, g.typ, fmt.Sprintf(g.expr, "occurred_at"), ConversionDimensions})
	}
	return clicks, conversions
}

// rollupStatements renders, for each rollup, its table, its materialized
// view and the backfill of the rows already in the raw table. The backfill
// may overlap with rows the view already saw: the rollups count distinct
// event ids, so an overlap never counts twice.
func rollupStatements(kind string, rs []rollup) ([]string, error) {
	var out []string
	for _, r := range rs {
		for _, part := range []string{"table", "view", "backfill"} {
			s, err := render(kind+"_rollup_"+part, r)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	return out, nil
}

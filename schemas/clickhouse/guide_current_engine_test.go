package clickhouse

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/schemas/clickhouse/guidetest"
)

// TestAnalystGuideOnCurrentEngine runs every query of the analyst guide
// (README.md) on chdb, a current ClickHouse in-process, over the DDL
// rendered for its version and the guide's dataset inserted twice (a
// replay), and checks each answer against the one computed in Go, as
// sinks/clickhouse's TestAnalystGuideQueries does on the test server.
func TestAnalystGuideOnCurrentEngine(t *testing.T) {
	python := chdb(t)
	version, _ := runChdb(t, python, chdbJob{})
	var major, minor int
	if _, err := fmt.Sscanf(version, "%d.%d", &major, &minor); err != nil {
		t.Fatalf("chdb version %q: %v", version, err)
	}
	stmts, err := Statements("ct", FeaturesFor(major, minor), Options{RawRetentionDays: 90})
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	clicks, convs := guidetest.Dataset(now)
	inserts := []string{jsonRows("ct.clicks", Columns, clicks, guideClickRow), jsonRows("ct.conversions", ConversionColumns, convs, guideConversionRow)}
	job := chdbJob{Statements: slices.Concat([]string{"CREATE DATABASE ct"}, stmts, inserts, inserts, []string{"USE ct"}),
		Queries: guidetest.Queries(string(readme))}
	_, res := runChdb(t, python, job)
	got := make([][][]string, len(res))
	for i, tsv := range res {
		for line := range strings.Lines(tsv) {
			got[i] = append(got[i], strings.Split(strings.TrimSuffix(line, "\n"), "\t"))
		}
	}
	for _, err := range guidetest.Check(job.Queries, got, guidetest.Truth(clicks, convs, now)) {
		t.Errorf("on ClickHouse %s: %v", version, err)
	}
}

// jsonRows is an INSERT of rows in JSONEachRow, checking that row gives
// exactly the table's columns.
func jsonRows[T any](table string, columns []string, rows []T, row func(T) map[string]any) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " FORMAT JSONEachRow\n")
	for _, r := range rows {
		m := row(r)
		if len(m) != len(columns) {
			panic(fmt.Sprintf("%s: row has %d columns, the table %d", table, len(m), len(columns)))
		}
		for _, c := range columns {
			if _, ok := m[c]; !ok {
				panic(fmt.Sprintf("%s: row has no column %s", table, c))
			}
		}
		line, err := json.Marshal(m)
		if err != nil {
			panic(err)
		}
		b.Write(append(line, '\n'))
	}
	return b.String()
}

func dateTime(t time.Time) string { return t.UTC().Format(time.DateTime) }

func u8(b bool) int {
	if b {
		return 1
	}
	return 0
}

// guideClickRow is a click as sinks/clickhouse writes it (its rowValues).
func guideClickRow(c *schemas.EnrichedClick) map[string]any {
	keys := make([]string, 0, len(c.Metadata))
	for k := range c.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	values := make([]string, len(keys))
	for i, k := range keys {
		values[i] = c.Metadata[k]
	}
	return map[string]any{
		"event_id": c.EventID, "type": c.Type, "ts": dateTime(c.Time), "workspace_id": c.WorkspaceID, "link_id": c.LinkID,
		"domain": c.Domain, "path": c.Path, "destination": c.Destination, "ip_prefix": c.IPPrefix, "visitor_hash": c.VisitorHash,
		"country": c.Country, "region": c.Region, "city": c.City, "device_type": c.DeviceType, "os": c.OS, "browser": c.Browser,
		"bot": u8(c.Bot), "bot_name": c.BotName, "referrer_host": c.ReferrerHost, "language": c.Language,
		"utm_source": c.UTM.Source, "utm_medium": c.UTM.Medium, "utm_campaign": c.UTM.Campaign, "utm_term": c.UTM.Term, "utm_content": c.UTM.Content,
		"tags": append([]string{}, c.Tags...), "metadata.key": keys, "metadata.value": values,
		"contact_id": c.ContactID, "rule_id": c.RuleID, "variant": c.Variant, "internal": u8(c.Internal),
	}
}

// guideConversionRow is a conversion of the guide's dataset as
// sinks/clickhouse's guide test writes it.
func guideConversionRow(c guidetest.Conversion) map[string]any {
	return map[string]any{
		"event_id": c.EventID, "name": c.Name, "occurred_at": dateTime(c.OccurredAt), "workspace_id": guidetest.Workspace,
		"link_id": c.LinkID, "domain": "go.example", "tags": []string{}, "contact_id": c.ContactID, "external_id": "",
		"amount": c.Amount, "currency": c.Currency, "metadata.key": []string{}, "metadata.value": []string{},
		"matched_by": "contact_id", "click_id": "0193a6f2-7c1e-7b3a-af00-" + c.EventID[len(c.EventID)-12:], "click_type": schemas.ClickTypeClick,
		"clicked_at": dateTime(c.ClickedAt), "utm_source": c.Source, "utm_medium": "", "utm_campaign": c.Campaign, "utm_term": "", "utm_content": "",
		"country": "", "device_type": "mobile", "referrer_host": "", "bot": 0, "rule_id": "", "variant": "", "visitor_hash": 0,
	}
}

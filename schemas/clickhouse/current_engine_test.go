package clickhouse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// chdbVersion is the chdb release (an in-process current ClickHouse from
// PyPI) the current-server DDL is checked against; chdb 3.6.0 embeds
// ClickHouse 25.5.
const chdbVersion = "3.6.0"

// chdb returns the python of a venv under the repository's .local/ with
// chdb installed, installing it on first use. It skips the test, saying
// why, when Python or PyPI cannot be reached.
func chdb(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the current-engine check installs chdb from PyPI")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	venv := filepath.Join(root, ".local", "chdb-"+chdbVersion)
	python := filepath.Join(venv, "bin", "python")
	if exec.Command(python, "-c", "import chdb").Run() == nil {
		return python
	}
	if out, err := exec.Command("python3", "-m", "venv", venv).CombinedOutput(); err != nil {
		t.Skipf("cannot check the DDL on a current engine: python3 -m venv %s: %v\n%s", venv, err, out)
	}
	if out, err := exec.Command(filepath.Join(venv, "bin", "pip"), "install", "-q", "chdb=="+chdbVersion).CombinedOutput(); err != nil {
		t.Skipf("cannot check the DDL on a current engine: pip cannot install chdb==%s: %v\n%s", chdbVersion, err, out)
	}
	return python
}

type chdbJob struct {
	Statements []string `json:"statements"`
	Queries    []string `json:"queries"`
}

func runChdb(t *testing.T, python string, job chdbJob) (version string, results []string) {
	t.Helper()
	in, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, filepath.Join("testdata", "chdb_run.py"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chdb: %v\n%s", err, stderr.String())
	}
	var res struct {
		Version string   `json:"version"`
		Results []string `json:"results"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("chdb output %q: %v", out, err)
	}
	return res.Version, res.Results
}

// TestDDLOnCurrentEngine applies the DDL rendered for the embedded engine's
// version (LowCardinality, TTL, codecs on), inserts clicks and conversions,
// replays them whole and half, runs the compaction's statements, replays
// again and runs them again with a later version, and checks the rollups
// count each event once, as TestRollupsStayExactUnderReplay does on the
// test server.
func TestDDLOnCurrentEngine(t *testing.T) {
	python := chdb(t)
	version, _ := runChdb(t, python, chdbJob{})
	var major, minor int
	if _, err := fmt.Sscanf(version, "%d.%d", &major, &minor); err != nil || major < 24 {
		t.Fatalf("chdb reports ClickHouse %q, want a current (24+) server", version)
	}
	f := FeaturesFor(major, minor)
	stmts, err := Statements("ct", f, Options{RawRetentionDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	clicks := currentEngineClicks(40)
	conv := "INSERT INTO ct.conversions (" + strings.Join(ConversionColumns, ", ") + `) SELECT
		toUUID(concat('0193a6f2-7c1e-7b3a-9f00-', leftPad(toString(number), 12, '0'))), 'purchase', toDateTime('2026-03-01 10:00:00', 'UTC') + number * 1800, 'ws_a', 'lnk_1', 'go.example', [],
		'', '', 100 + number, if(modulo(number, 2) = 0, 'EUR', 'USD'), [], [], 'click_id', generateUUIDv4(), 'click', now(), 's', 'm', if(modulo(number, 3) = 0, 'spring', 'bf'), '', '', 'DE', 'mobile', '', 0, '', '', 1
		FROM numbers(%d)`
	pass := func(version uint64) []string {
		var out []string
		for _, kind := range []string{"clicks", "conversions"} {
			s, err := RecomputeStatements("ct", f, Options{RawRetentionDays: 30}, kind,
				Recompute{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Version: version})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s...)
		}
		return out
	}
	job := chdbJob{Statements: slices.Concat([]string{"CREATE DATABASE ct"}, stmts,
		[]string{clicks, clicks, strings.Replace(clicks, "numbers(40)", "numbers(20, 30)", 1), // whole replay, then half
			fmt.Sprintf(conv, 10), fmt.Sprintf(conv, 10), fmt.Sprintf(conv, 6)},
		pass(1), []string{clicks, fmt.Sprintf(conv, 10)}, pass(2)),
		Queries: []string{
			"SELECT count() FROM ct.clicks",
			"SELECT dim, value, toString(bot), sum(clicks) AS n FROM ct.clicks_hourly FINAL GROUP BY toDate(hour), dim, value, bot HAVING n > 0 ORDER BY dim, value, bot",
			"SELECT dim, value, toString(bot), sum(clicks) AS n FROM ct.clicks_hourly FINAL GROUP BY dim, value, bot HAVING n > 0 ORDER BY dim, value, bot",
			"SELECT dim, value, currency, sum(conversions) AS n, sum(revenue) FROM ct.conversions_hourly FINAL WHERE dim IN ('', 'utm_campaign') GROUP BY dim, value, currency HAVING n > 0 ORDER BY dim, value, currency",
			"SELECT type FROM system.columns WHERE database = 'ct' AND table = 'clicks_hourly' AND name = 'dim'",
		}}
	_, res := runChdb(t, python, job)
	if res[0] == "40\n" || res[0] == "50\n" {
		t.Fatalf("raw table has %q rows: the replays did not insert twice", res[0])
	}
	want := currentEngineTruth(50)
	for i, name := range []string{"clicks_hourly by day", "clicks_hourly"} {
		if got := res[1+i]; got != want {
			t.Errorf("%s on ClickHouse %s:\n got %s\nwant %s", name, version, got, want)
		}
	}
	// 10 conversions: even numbers EUR (amounts 100, 102, ..., 108), odd USD;
	// campaign spring for multiples of 3.
	wantConv := "\t\tEUR\t5\t520\n\t\tUSD\t5\t525\n" +
		"utm_campaign\tbf\tEUR\t3\t314\nutm_campaign\tbf\tUSD\t3\t313\n" +
		"utm_campaign\tspring\tEUR\t2\t206\nutm_campaign\tspring\tUSD\t2\t212\n"
	if res[3] != wantConv {
		t.Errorf("conversions_hourly on ClickHouse %s:\n got %s\nwant %s", version, res[3], wantConv)
	}
	if f.LowCardinality && res[4] != "LowCardinality(String)\n" {
		t.Errorf("clicks_hourly.dim is %q, want LowCardinality(String) on %s", res[4], version)
	}
}

// currentEngineClicks inserts clicks numbered 0..n-1: country by number
// mod 3, bot for multiples of 4.
func currentEngineClicks(n int) string {
	return "INSERT INTO ct.clicks (" + strings.Join(Columns, ", ") + fmt.Sprintf(`) SELECT
		toUUID(concat('0193a6f2-7c1e-7b3a-8f00-', leftPad(toString(number), 12, '0'))), 'click', toDateTime('2026-03-01 00:00:00', 'UTC') + number * 600,
		'ws_a', 'lnk_1', 'go.example', '/x', 'https://d.example', '198.51.100.0/24', number %% 7,
		['DE', 'FR', ''][number %% 3 + 1], '', '', 'mobile', 'iOS', 'Safari', if(number %% 4 = 0, 1, 0), '',
		'', 'de', 'news', 'email', 'spring', '', '', [], [], [], '', '', '', 0
		FROM numbers(%d)`, n)
}

// currentEngineTruth is the TSV the click rollups must give for clicks
// 0..n-1 (distinct), grouped by dim, value and bot.
func currentEngineTruth(n int) string {
	counts := map[string]int{}
	for i := range n {
		bot := "0"
		if i%4 == 0 {
			bot = "1"
		}
		dims := map[string]string{"": "", "country": []string{"DE", "FR", ""}[i%3], "device": "mobile", "os": "iOS", "browser": "Safari",
			"referrer": "", "utm_source": "news", "utm_medium": "email", "utm_campaign": "spring", "variant": "", "rule": ""}
		for d, v := range dims {
			counts[d+"\t"+v+"\t"+bot]++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s\t%d\n", k, counts[k])
	}
	return b.String()
}

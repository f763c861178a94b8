package clickhouse

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.sql from the current templates")

func regenerate() bool { return *update || os.Getenv("REGENERATE_SNAPSHOTS") == "true" }

func TestStatementsGolden(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		f      Features
		opts   Options
	}{
		{name: "18.16 keeps everything", golden: "clickhouse_18_16.sql", f: FeaturesFor(18, 16), opts: Options{}},
		{name: "18.16 ignores retention", golden: "clickhouse_18_16_retention.sql", f: FeaturesFor(18, 16), opts: Options{RawRetentionDays: 90}},
		{name: "24.8 with retention", golden: "clickhouse_24_8.sql", f: FeaturesFor(24, 8), opts: Options{RawRetentionDays: 90}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmts, err := Statements("analytics", tt.f, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(stmts, ";\n\n") + ";\n"
			path := filepath.Join("testdata", tt.golden)
			if regenerate() {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update or REGENERATE_SNAPSHOTS=true to create it)", err)
			}
			if got != string(want) {
				t.Errorf("SQL differs from %s (run with -update after checking the change):\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

func TestFeaturesFor(t *testing.T) {
	tests := []struct {
		name         string
		major, minor int
		want         Features
	}{
		{name: "18.16 debian", major: 18, minor: 16, want: Features{}},
		{name: "19.0 low cardinality", major: 19, minor: 0, want: Features{LowCardinality: true}},
		{name: "19.6 ttl", major: 19, minor: 6, want: Features{LowCardinality: true, TTL: true}},
		{name: "19.10 codecs", major: 19, minor: 10, want: Features{LowCardinality: true, TTL: true, Codecs: true}},
		{name: "21.10 no async_insert yet", major: 21, minor: 10, want: Features{LowCardinality: true, TTL: true, Codecs: true, AddColumnIfNotExists: true}},
		{name: "21.11 async_insert", major: 21, minor: 11, want: Features{true, true, true, true, true}},
		{name: "20.1 add column if not exists", major: 20, minor: 1, want: Features{LowCardinality: true, TTL: true, Codecs: true, AddColumnIfNotExists: true}},
		{name: "24.8 lts", major: 24, minor: 8, want: Features{true, true, true, true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FeaturesFor(tt.major, tt.minor); got != tt.want {
				t.Errorf("FeaturesFor(%d, %d) = %+v, want %+v", tt.major, tt.minor, got, tt.want)
			}
		})
	}
}

func TestStatementsRejectsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		db      string
		opts    Options
		wantErr string
	}{
		{name: "empty database", db: "", wantErr: "database"},
		{name: "injection in database", db: "x; DROP TABLE y", wantErr: "database"},
		{name: "quoted table", db: "db", opts: Options{Table: "`clicks`"}, wantErr: "table"},
		{name: "reserved table", db: "db", opts: Options{Table: MigrationsTable}, wantErr: "reserved"},
		{name: "negative retention", db: "db", opts: Options{RawRetentionDays: -1}, wantErr: "raw_retention_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Statements(tt.db, Features{}, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Statements(%q, %+v) error = %v, want one naming %q", tt.db, tt.opts, err, tt.wantErr)
			}
		})
	}
}

// TestColumnsMatchDDL checks that Columns, the writer's insert list, names
// exactly the columns of the clicks table that have no DEFAULT, then the
// columns later migrations add (which need a DEFAULT for the rows before
// them).
func TestColumnsMatchDDL(t *testing.T) {
	for _, f := range []Features{FeaturesFor(18, 16), FeaturesFor(24, 8)} {
		ms, err := Migrations("db", f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := createColumns(ms[0].Statements[0])
		added := regexp.MustCompile(`ADD COLUMN (?:IF NOT EXISTS )?([a-z_]+) `)
		for _, m := range ms[1:] {
			for _, stmt := range m.Statements {
				if a := added.FindStringSubmatch(stmt); a != nil {
					got = append(got, a[1])
				}
			}
		}
		if !slices.Equal(got, Columns) {
			t.Errorf("features %+v: DDL columns\n%v\nColumns\n%v", f, got, Columns)
		}
		if got := createColumns(ms[2].Statements[0]); !slices.Equal(got, ConversionColumns) {
			t.Errorf("features %+v: conversions DDL columns\n%v\nConversionColumns\n%v", f, got, ConversionColumns)
		}
	}
}

// createColumns lists the columns a CREATE TABLE declares without a
// DEFAULT, a Nested one as its .key and .value.
func createColumns(stmt string) []string {
	var got []string
	line := regexp.MustCompile(`^\s{4}([a-z_]+)\s+(.*?),?$`)
	for _, l := range strings.Split(stmt, "\n") {
		m := line.FindStringSubmatch(l)
		switch {
		case m == nil || strings.Contains(m[2], "DEFAULT"):
		case strings.HasPrefix(m[2], "Nested("):
			got = append(got, m[1]+".key", m[1]+".value")
		default:
			got = append(got, m[1])
		}
	}
	return got
}

func FuzzStatements(f *testing.F) {
	f.Add("default", "clicks", 0)
	f.Add("a`b", "c;d", 30)
	f.Add("", "", -5)
	f.Fuzz(func(t *testing.T, db, table string, days int) {
		stmts, err := Statements(db, FeaturesFor(24, 8), Options{Table: table, RawRetentionDays: days})
		if err != nil {
			return
		}
		for _, s := range stmts {
			if strings.ContainsAny(s, ";`") {
				t.Fatalf("accepted names %q/%q produced unsafe SQL:\n%s", db, table, s)
			}
		}
	})
}

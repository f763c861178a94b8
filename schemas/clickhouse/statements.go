package clickhouse

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"text/template"
)

//go:embed sql/*.sql.tmpl
var sqlFiles embed.FS

var templates = template.Must(template.ParseFS(sqlFiles, "sql/*.sql.tmpl"))

// DefaultTable is the name of the raw click table.
const DefaultTable = "clicks"

// MigrationsTable is the table in which Migrate records applied versions.
const MigrationsTable = "schema_migrations"

// Options are the choices of one deployment that the DDL depends on.
type Options struct {
	// Table is the name of the raw click table; "" means DefaultTable.
	Table string
	// RawRetentionDays keeps raw clicks that many days; 0 keeps them forever.
	// It renders a table TTL only when Features.TTL is set. On servers
	// without TTL (18.16) retention is done by dropping whole monthly
	// partitions (ALTER TABLE clicks DROP PARTITION 202401) from a scheduled
	// job; the table is partitioned by toYYYYMM(ts) for that reason.
	RawRetentionDays int
}

func (o Options) table() string {
	if o.Table == "" {
		return DefaultTable
	}
	return o.Table
}

// DefaultConversionsTable is the name of the attributed conversions table
// beside the default click table.
const DefaultConversionsTable = "conversions"

// ConversionsTable is the name of the attributed conversions table:
// DefaultConversionsTable beside the default click table, else the click
// table's name with "_conversions" (tests put several schemas in one
// database).
func (o Options) ConversionsTable() string {
	if o.table() == DefaultTable {
		return DefaultConversionsTable
	}
	return o.table() + "_conversions"
}

// Validate reports every bad option, naming its key.
func (o Options) Validate() error {
	var errs []error
	if err := ValidateIdentifier(o.table()); err != nil {
		errs = append(errs, fmt.Errorf("table: %w", err))
	}
	if err := ValidateIdentifier(o.ConversionsTable()); o.Table != "" && err != nil {
		errs = append(errs, fmt.Errorf("table: the conversions table beside it: %w", err))
	}
	if err := ValidateIdentifier(o.ConversionsTable()); o.Table != "" && err == nil {
		for _, n := range o.Rollups().names() {
			if err := ValidateIdentifier(n); err != nil {
				errs = append(errs, fmt.Errorf("table: a rollup beside it: %w", err))
				break
			}
		}
	}
	if o.table() == MigrationsTable {
		errs = append(errs, fmt.Errorf("table: %q is reserved for migrations", MigrationsTable))
	}
	if o.RawRetentionDays < 0 {
		errs = append(errs, fmt.Errorf("raw_retention_days: must be >= 0, got %d", o.RawRetentionDays))
	}
	return errors.Join(errs...)
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)

// ValidateIdentifier accepts the database and table names the DDL can use
// unquoted: a letter or underscore, then letters, digits or underscores, at
// most 128 characters. Names are interpolated into SQL, so anything else is
// refused rather than quoted.
func ValidateIdentifier(name string) error {
	if !identifier.MatchString(name) {
		return fmt.Errorf("%q is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*, at most 128 characters)", name)
	}
	return nil
}

// Migration is one numbered step of the schema. Versions start at 1 and
// only grow; a released migration is never edited, a change is a new one.
type Migration struct {
	Version    uint32
	Name       string
	Statements []string
}

type templateData struct {
	DB, Table     string
	Conversions   string
	F             Features
	RetentionDays int
	LC            string // the type of low-cardinality string columns
}

// Migrations renders the schema's migrations for database db on a server
// with features f. Each statement is idempotent (IF NOT EXISTS; on servers
// without ADD COLUMN IF NOT EXISTS, Migrate takes "column already exists"
// as applied), so a migration interrupted half-way can be applied again.
func Migrations(db string, f Features, opts Options) ([]Migration, error) {
	if err := ValidateIdentifier(db); err != nil {
		return nil, fmt.Errorf("render schema: database: %w", err)
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("render schema: %w", err)
	}
	data := newTemplateData(db, f, opts)
	clicks, err := render("clicks.sql.tmpl", data)
	if err != nil {
		return nil, err
	}
	internal, err := render("add_internal.sql.tmpl", data)
	if err != nil {
		return nil, err
	}
	conversions, err := render("conversions.sql.tmpl", data)
	if err != nil {
		return nil, err
	}
	clickRollup, convRollup := rollupsOf(data, opts.Rollups())
	clickRollupSQL, err := render("clicks_rollup_table", clickRollup)
	if err != nil {
		return nil, err
	}
	watermark := clickRollup
	watermark.Name = opts.Rollups().Watermark
	watermarkSQL, err := render("rollup_watermark_table", watermark)
	if err != nil {
		return nil, err
	}
	convRollupSQL, err := render("conversions_rollup_table", convRollup)
	if err != nil {
		return nil, err
	}
	return []Migration{
		{Version: 1, Name: "create " + data.Table, Statements: []string{clicks}},
		{Version: 2, Name: "add " + data.Table + ".internal", Statements: []string{internal}},
		{Version: 3, Name: "create " + data.Conversions, Statements: []string{conversions}},
		// The rollups start empty: the compaction's first pass (no
		// watermark yet) computes them from every raw row.
		{Version: 4, Name: "create the rollup of " + data.Table + " and its watermark", Statements: []string{clickRollupSQL, watermarkSQL}},
		{Version: 5, Name: "create the rollup of " + data.Conversions, Statements: []string{convRollupSQL}},
	}, nil
}

func newTemplateData(db string, f Features, opts Options) templateData {
	data := templateData{DB: db, Table: opts.table(), Conversions: opts.ConversionsTable(), F: f, RetentionDays: opts.RawRetentionDays, LC: "String"}
	if f.LowCardinality {
		data.LC = "LowCardinality(String)"
	}
	return data
}

// MigrationsTableStatement renders the CREATE of the schema_migrations table
// of database db. Migrate runs it before reading which versions are applied.
func MigrationsTableStatement(db string) (string, error) {
	if err := ValidateIdentifier(db); err != nil {
		return "", fmt.Errorf("render schema: database: %w", err)
	}
	return render("schema_migrations.sql.tmpl", templateData{DB: db})
}

// Statements renders every statement of the schema, in order: the
// schema_migrations table, then each migration's statements. It is the whole
// DDL for reading, review and golden tests; Migrate applies the same text
// one migration at a time.
func Statements(db string, f Features, opts Options) ([]string, error) {
	bookkeeping, err := MigrationsTableStatement(db)
	if err != nil {
		return nil, err
	}
	migrations, err := Migrations(db, f, opts)
	if err != nil {
		return nil, err
	}
	out := []string{bookkeeping}
	for _, m := range migrations {
		out = append(out, m.Statements...)
	}
	return out, nil
}

func render(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return strings.TrimSpace(b.String()), nil
}

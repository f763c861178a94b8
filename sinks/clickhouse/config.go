package clickhouse

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	chschema "github.com/clicktrail/clicktrail/schemas/clickhouse"
)

// Defaults of Config.
const (
	DefaultDialTimeout  = 5 * time.Second
	DefaultMaxRetries   = 2
	DefaultRetryBackoff = 250 * time.Millisecond
	// DefaultCompactInterval and DefaultCompactSettle: see Config.
	DefaultCompactInterval = 30 * time.Second
	DefaultCompactSettle   = time.Minute
)

// Config configures a Writer. Zero durations and an empty Table take the
// defaults (see WithDefaults).
type Config struct {
	// DSN locates the server and database, native protocol only:
	// clickhouse://user:password@host:9000/database?dial_timeout=5s.
	// An empty path means database "default". Compression is always LZ4
	// (a compress parameter is overridden); other parameters are passed to
	// clickhouse-go (see clickhouse.ParseDSN).
	DSN string `flag:"clickhouse-dsn" env:"CLICKTRAIL_CLICKHOUSE_DSN" usage:"clickhouse://user:password@host:9000/database (native protocol)"`
	// Table is the raw click table; default "clicks".
	Table string
	// DialTimeout bounds connecting to the server; default 5s. It overrides
	// a dial_timeout parameter of the DSN.
	DialTimeout time.Duration
	// MaxRetries is how many times Write re-sends a failed INSERT (with a
	// fresh batch) before returning the error; 0 disables retries. Default 2.
	MaxRetries int
	// RetryBackoff is the pause before the first retry, doubled for each
	// following one; default 250ms.
	RetryBackoff time.Duration
	// CompactInterval is the pause between two passes of the rollup
	// compaction the sink worker runs (Writer.CompactRollups); default
	// 30s. Late events (an event time before the current hour) appear in
	// the stats after the next pass.
	CompactInterval time.Duration
	// CompactSettle is how long after its inserted_at a raw row is
	// assumed visible (its INSERT acknowledged); the compaction's
	// watermark stays that far behind the server's clock. Default 1m.
	CompactSettle time.Duration
}

// WithDefaults returns c with its unset fields set to the defaults.
// MaxRetries 0 is a valid choice, so it is defaulted only by NewConfig.
func (c Config) WithDefaults() Config {
	if c.Table == "" {
		c.Table = chschema.DefaultTable
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.RetryBackoff == 0 {
		c.RetryBackoff = DefaultRetryBackoff
	}
	if c.CompactInterval == 0 {
		c.CompactInterval = DefaultCompactInterval
	}
	if c.CompactSettle == 0 {
		c.CompactSettle = DefaultCompactSettle
	}
	return c
}

// NewConfig returns a Config for dsn with every default set.
func NewConfig(dsn string) Config {
	return Config{DSN: dsn, MaxRetries: DefaultMaxRetries}.WithDefaults()
}

// Validate reports every bad field at once, each error naming its key.
func (c Config) Validate() error {
	var errs []error
	if err := validateDSN(c.DSN); err != nil {
		errs = append(errs, fmt.Errorf("dsn: %w", err))
	}
	if err := (chschema.Options{Table: c.Table}).Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.DialTimeout < 0 {
		errs = append(errs, fmt.Errorf("dial_timeout: must be >= 0, got %s", c.DialTimeout))
	}
	if c.MaxRetries < 0 {
		errs = append(errs, fmt.Errorf("max_retries: must be >= 0, got %d", c.MaxRetries))
	}
	if c.RetryBackoff < 0 {
		errs = append(errs, fmt.Errorf("retry_backoff: must be >= 0, got %s", c.RetryBackoff))
	}
	if c.CompactInterval < 0 {
		errs = append(errs, fmt.Errorf("compact_interval: must be >= 0, got %s", c.CompactInterval))
	}
	if c.CompactSettle < 0 {
		errs = append(errs, fmt.Errorf("compact_settle: must be >= 0, got %s", c.CompactSettle))
	}
	return errors.Join(errs...)
}

func validateDSN(dsn string) error {
	if dsn == "" {
		return errors.New("required (clickhouse://host:9000/database)")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return errors.New("not a URL (clickhouse://host:9000/database)")
	}
	if u.Scheme != "clickhouse" && u.Scheme != "tcp" {
		return fmt.Errorf("scheme %q: want clickhouse:// (native protocol; HTTP does not work with 18.16)", u.Scheme)
	}
	opts, err := ch.ParseDSN(dsn)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	if db := databaseOf(opts); db != "default" {
		if err := chschema.ValidateIdentifier(db); err != nil {
			return fmt.Errorf("database: %w", err)
		}
	}
	return nil
}

func databaseOf(opts *ch.Options) string {
	if opts.Auth.Database == "" {
		return "default"
	}
	return opts.Auth.Database
}

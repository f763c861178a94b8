package clickhouse

// Features is what a ClickHouse server version supports that the DDL or the
// writer depend on. The zero value is the most conservative set (it renders
// DDL that 18.16 accepts).
type Features struct {
	// LowCardinality renders low-cardinality string columns (country,
	// device_type, utm_source, ...) as LowCardinality(String). 18.16 has the
	// type only behind allow_experimental_low_cardinality_type=1, so it is
	// off there; it is on from 19.0, where the type is no longer experimental.
	LowCardinality bool
	// TTL renders a table TTL for raw-click retention (from 19.6). Without it
	// retention is done by dropping monthly partitions
	// (ALTER TABLE clicks DROP PARTITION 202401).
	TTL bool
	// Codecs renders column compression codecs (from 19.10).
	Codecs bool
	// AsyncInsertSetting means the server knows the async_insert setting
	// (from 21.11) and the writer must send async_insert=0: current servers
	// may default to asynchronous inserts, which acknowledge before the data
	// is in a part. Older servers reject unknown settings, so it is not sent.
	AsyncInsertSetting bool
	// AddColumnIfNotExists renders ALTER TABLE ... ADD COLUMN IF NOT EXISTS
	// (assumed from 20.1; 18.16 rejects it). Without it the migration runs
	// a plain ADD COLUMN, and Migrate takes the server's "column already
	// exists" (code 44) as that step having been applied.
	AddColumnIfNotExists bool
}

// FeaturesFor returns the features of ClickHouse major.minor.
func FeaturesFor(major, minor int) Features {
	atLeast := func(maj, min int) bool {
		return major > maj || (major == maj && minor >= min)
	}
	return Features{
		LowCardinality:       atLeast(19, 0),
		TTL:                  atLeast(19, 6),
		Codecs:               atLeast(19, 10),
		AsyncInsertSetting:   atLeast(21, 11),
		AddColumnIfNotExists: atLeast(20, 1),
	}
}

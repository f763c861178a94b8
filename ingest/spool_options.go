package ingest

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Spool sync modes.
const (
	// SyncInterval writes without waiting for the disk and syncs the WAL
	// every FlushInterval from a background goroutine: a crash of the
	// machine or a kill -9 loses at most the appends of the last interval.
	SyncInterval = "interval"
	// SyncAlways syncs the WAL before Append returns. Concurrent appends
	// share one fsync (pebble's group commit).
	SyncAlways = "always"
)

// SpoolOptions configure a Spool. The zero value is valid: see WithDefaults.
type SpoolOptions struct {
	// SyncMode is SyncInterval (default) or SyncAlways.
	SyncMode string
	// FlushInterval is how often the interval syncer syncs the WAL
	// (default 5ms). Ignored in SyncAlways mode.
	FlushInterval time.Duration
	// MaxBytes bounds the unconsumed backlog (keys and values of records not
	// yet trimmed), default 1 GiB. Past it Append returns ErrSpoolFull.
	MaxBytes int64
	// CacheBytes sizes pebble's block cache (default 32 MiB). Consumers
	// that keep up read the in-memory tail instead; the cache serves
	// lagging ones and the cursor and head keys.
	CacheBytes int64
	// Logger receives the spool's rare operational messages; nil discards.
	Logger *slog.Logger
}

// Default spool options.
const (
	DefaultSpoolFlushInterval       = 5 * time.Millisecond
	DefaultSpoolMaxBytes      int64 = 1 << 30
	DefaultSpoolCacheBytes    int64 = 32 << 20
)

// WithDefaults returns o with zero fields set to their defaults.
func (o SpoolOptions) WithDefaults() SpoolOptions {
	if o.SyncMode == "" {
		o.SyncMode = SyncInterval
	}
	if o.FlushInterval == 0 {
		o.FlushInterval = DefaultSpoolFlushInterval
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultSpoolMaxBytes
	}
	if o.CacheBytes == 0 {
		o.CacheBytes = DefaultSpoolCacheBytes
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Validate reports every bad field of o, naming its key.
func (o SpoolOptions) Validate() error {
	var errs []error
	if o.SyncMode != SyncInterval && o.SyncMode != SyncAlways {
		errs = append(errs, fmt.Errorf("SyncMode: want %q or %q, got %q", SyncInterval, SyncAlways, o.SyncMode))
	}
	if o.FlushInterval < 0 {
		errs = append(errs, fmt.Errorf("FlushInterval: must not be negative, got %s", o.FlushInterval))
	}
	if o.MaxBytes < 0 {
		errs = append(errs, fmt.Errorf("MaxBytes: must not be negative, got %d", o.MaxBytes))
	}
	if o.CacheBytes < 0 {
		errs = append(errs, fmt.Errorf("CacheBytes: must not be negative, got %d", o.CacheBytes))
	}
	return errors.Join(errs...)
}

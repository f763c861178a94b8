// Package pebblelog routes pebble's own log lines to slog, for every pebble
// store in clicktrail (link store, spool, webhook registry): routine lines
// (flushes, compactions) at debug level, so normal operation logs nothing.
package pebblelog

import (
	"fmt"
	"log/slog"
)

// Logger implements pebble.Logger over an slog.Logger (nil discards).
type Logger struct{ Log *slog.Logger }

// New returns a Logger writing to l.
func New(l *slog.Logger) Logger {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return Logger{l}
}

func (l Logger) Infof(format string, args ...any) {
	l.Log.Debug(fmt.Sprintf(format, args...), "component", "pebble")
}

func (l Logger) Errorf(format string, args ...any) {
	l.Log.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

// Fatalf is called by pebble on unrecoverable errors (a failed WAL write,
// corruption) and must not return: it logs and panics, as continuing would
// acknowledge writes that are not durable.
func (l Logger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.Log.Error(msg, "component", "pebble", "fatal", true)
	panic("pebble: " + msg)
}

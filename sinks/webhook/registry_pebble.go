package webhook

import (
	"fmt"
	"log/slog"
)

// pebbleLogger routes pebble's own messages to slog: progress at debug, so
// the registry does not write to stderr behind the caller's back.
type pebbleLogger struct{ log *slog.Logger }

func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug(fmt.Sprintf(format, args...), "component", "pebble", "store", "webhooks")
}

func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error(fmt.Sprintf(format, args...), "component", "pebble", "store", "webhooks")
}

// Fatalf is called by pebble on unrecoverable errors (a failed WAL write,
// corruption) and must not return: continuing would acknowledge writes
// that are not durable.
func (l pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.log.Error(msg, "component", "pebble", "store", "webhooks")
	panic("pebble: " + msg)
}

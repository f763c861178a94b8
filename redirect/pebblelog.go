package redirect

import (
	"fmt"
	"log/slog"
)

// pebbleLogger routes pebble's log lines to slog: its routine Infof lines
// (flushes, compactions) at debug level, so normal operation logs nothing.
type pebbleLogger struct{ log *slog.Logger }

func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug(fmt.Sprintf(format, args...), "component", "pebble")
}

func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

// Fatalf is called by pebble on unrecoverable errors (a failed WAL write,
// corruption) and must not return: it logs and panics, as continuing would
// acknowledge writes that are not durable.
func (l pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.log.Error(msg, "component", "pebble")
	panic("pebble: " + msg)
}

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

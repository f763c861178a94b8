// Package logs holds what every component with an injected *slog.Logger
// shares: OrDiscard, so that a nil logger in a config means "log nothing"
// (the project's convention) without a nil check at every call; and
// request ids (RequestIDs, WithRequestIDs), which the APIs' servers give
// every request and the process's logger adds to the lines logged in it. internal/app and the stages (internal/handler, sinks/webhook/stage,
// attribution/stage, sinks/clickhouse/stage) use it; redirect still carries
// its own copy, to be replaced by this one (issue 10).
package logs

import "log/slog"

// OrDiscard returns l, or a logger that discards everything when l is nil.
func OrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// Package logs holds the one helper every component with an injected
// *slog.Logger needs: OrDiscard, so that a nil logger in a config means
// "log nothing" (the project's convention) without a nil check at every
// call. internal/app uses it; redirect and internal/pipeline still carry
// their own copies of it, to be replaced by this one (issue 10).
package logs

import "log/slog"

// OrDiscard returns l, or a logger that discards everything when l is nil.
func OrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

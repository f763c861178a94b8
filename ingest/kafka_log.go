package ingest

import (
	"context"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kgo"
)

// kgoLogger routes franz-go's logs to slog. franz-go logs every request at
// info level, which is debug chatter for us: its info maps to slog debug and
// its debug below that, so normal operation logs nothing at info.
type kgoLogger struct{ l *slog.Logger }

const slogLevelTrace = slog.LevelDebug - 4

func (k kgoLogger) Level() kgo.LogLevel {
	ctx := context.Background()
	switch {
	case k.l.Enabled(ctx, slogLevelTrace):
		return kgo.LogLevelDebug
	case k.l.Enabled(ctx, slog.LevelDebug):
		return kgo.LogLevelInfo
	case k.l.Enabled(ctx, slog.LevelWarn):
		return kgo.LogLevelWarn
	case k.l.Enabled(ctx, slog.LevelError):
		return kgo.LogLevelError
	}
	return kgo.LogLevelNone
}

func (k kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	l := slog.LevelError
	switch level {
	case kgo.LogLevelWarn:
		l = slog.LevelWarn
	case kgo.LogLevelInfo:
		l = slog.LevelDebug
	case kgo.LogLevelDebug:
		l = slogLevelTrace
	}
	k.l.Log(context.Background(), l, msg, append(keyvals, "component", "franz-go")...)
}

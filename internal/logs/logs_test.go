package logs

import (
	"bytes"
	"log/slog"
	"testing"
)

func TestOrDiscard(t *testing.T) {
	if l := OrDiscard(nil); l == nil || l.Enabled(t.Context(), slog.LevelError) {
		t.Fatalf("OrDiscard(nil) = %v, want a logger that logs nothing", l)
	}
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, nil))
	if OrDiscard(l) != l {
		t.Fatal("OrDiscard replaced a given logger")
	}
}

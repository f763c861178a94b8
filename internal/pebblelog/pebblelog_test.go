package pebblelog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestLevels(t *testing.T) {
	var buf bytes.Buffer
	l := New(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	l.Infof("flushed %d bytes", 10)
	if buf.Len() != 0 {
		t.Fatalf("routine pebble line logged at info: %s", buf.String())
	}
	l.Errorf("disk %s", "full")
	if !strings.Contains(buf.String(), "level=ERROR") || !strings.Contains(buf.String(), "disk full") {
		t.Fatalf("error line: %q", buf.String())
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Fatalf returned; pebble requires it not to")
		}
	}()
	New(nil).Fatalf("corrupt %s", "wal")
}

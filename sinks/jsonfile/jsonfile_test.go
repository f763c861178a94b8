package jsonfile

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

func TestWriteAppendsDecodableLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clicks.jsonl")
	click := func(id string) *schemas.EnrichedClick {
		return &schemas.EnrichedClick{V: 1, EventID: id, Type: "click", Time: time.Unix(1, 0).UTC(), LinkID: "lnk_a"}
	}
	for round := 0; round < 2; round++ { // reopen: the file is appended to, not truncated
		w, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		err = w.Write(context.Background(), []*schemas.EnrichedClick{
			click("01936b2e-8c4a-7cde-9f01-23456789ab10"), click("01936b2e-8c4a-7cde-9f01-23456789ab11")})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for s := bufio.NewScanner(f); s.Scan(); n++ {
		if _, err := schemas.DecodeEnrichedClick(s.Bytes()); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
	}
	if n != 4 {
		t.Fatalf("%d lines, want 4", n)
	}
}

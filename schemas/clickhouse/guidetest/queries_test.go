package guidetest

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestQueriesHonourTheMarkers(t *testing.T) {
	readme := "# g\n```sql\n-- a comment\nSELECT 1;\n\nSELECT 2\nFROM t;\n```\n" +
		"```sql\n-- guide-test: skip (needs a table of its own)\nSELECT 3;\n```\n" +
		"```sql\nSELECT 4\n```\n" +
		"<!-- guide-test: skip-section: tested elsewhere -->\n## Skipped\n```sql\nSELECT 5;\n```\n" +
		"## Back\n```sql\nSELECT 6; -- trailing comment\n```\n"
	got := Queries(readme)
	want := []string{"SELECT 1", "SELECT 2\nFROM t", "SELECT 4", "SELECT 6"}
	if !slices.Equal(got, want) {
		t.Errorf("Queries = %q, want %q", got, want)
	}
}

// TestTheGuideHasAnAnswerForEveryQuery fails without a server when a query
// of the guide has no answer in Truth, or an answer has lost its query.
func TestTheGuideHasAnAnswerForEveryQuery(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	queries := Queries(string(readme))
	if len(queries) < 12 {
		t.Fatalf("found %d queries in the guide, want at least 12", len(queries))
	}
	clicks, convs := Dataset(time.Now())
	truth := Truth(clicks, convs, time.Now())
	got := make([][][]string, len(queries))
	for _, err := range Check(queries, got, truth) {
		if !strings.Contains(err.Error(), "got rows") {
			t.Error(err)
		}
	}
}

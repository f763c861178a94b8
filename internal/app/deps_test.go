package app

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStagesImportNoKafka keeps Kafka (franz-go) and the spool out of the
// sinks and the stages (docs/package-layout.md): they are written against
// ingest/record, so that a sink can run over any log and never pulls the
// Kafka client. Only internal/app wires them to ingest.
func TestStagesImportNoKafka(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}",
		"../../sinks/...", "../../attribution/...", "../../internal/handler", "../../ingest/record/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/twmb/franz-go") || p == "github.com/clicktrail/clicktrail/ingest" {
			t.Errorf("a sink or stage depends on %s", p)
		}
	}
}

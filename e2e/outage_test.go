//go:build outage

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"testing"
	"time"
)

// TestKafkaOutage stops the broker while clicks are being served: the
// redirector keeps answering, the clicks wait in the spool, and once the
// broker is back every click served is in ClickHouse exactly once.
func TestKafkaOutage(t *testing.T) {
	p := startKafkaPipeline(t, "outage")
	conn, db, redirectURL, apiURL := p.conn, p.db, p.redirectURL, p.apiURL
	l := createLink(t, apiURL, map[string]any{"destination_url": "https://shop.example.com/", "path": "outage"})

	served := 0
	clicks := func(n int) {
		for i := 0; i < n; i++ {
			if status, _ := click(t, redirectURL, "go.brand.test", "outage"); status != http.StatusFound {
				t.Fatalf("click %d: status %d, want 302", served, status)
			}
			served++
		}
	}
	waitCount := func(want int) {
		waitFor(t, fmt.Sprintf("%d clicks in ClickHouse", want), 4*time.Minute, func() (bool, string) {
			n, err := countFinal(t, conn, db, l.ID)
			return err == nil && n == uint64(want), fmt.Sprintf("count=%d err=%v", n, err)
		})
	}

	clicks(50)
	waitCount(50)

	services(t, "stop")
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			services(t, "start")
		}
	})
	clicks(200) // the broker is down: every one must still redirect
	services(t, "start")
	restarted = true

	clicks(50)
	waitCount(served)
	var rows, ids uint64
	err := conn.QueryRow(context.Background(), fmt.Sprintf(
		"SELECT count(), uniqExact(event_id) FROM %s.clicks FINAL WHERE link_id = ?", db), l.ID).Scan(&rows, &ids)
	if err != nil {
		t.Fatal(err)
	}
	if rows != uint64(served) || ids != uint64(served) {
		t.Fatalf("served %d clicks; ClickHouse has %d rows with %d distinct event ids", served, rows, ids)
	}
}

func services(t *testing.T, verb string) {
	t.Helper()
	out, err := exec.Command("../deploy/local/services.sh", verb, "kafka").CombinedOutput()
	if err != nil {
		t.Fatalf("services.sh %s kafka: %v\n%s", verb, err, out)
	}
	t.Logf("services.sh %s kafka: %s", verb, out)
}

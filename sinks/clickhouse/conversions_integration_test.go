package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

func testConversion(i int, at time.Time) Conversion {
	return Conversion{
		EventID: fmt.Sprintf("0193a6f2-7c1e-5b3a-9f00-%012d", i), Name: "purchase", OccurredAt: at,
		WorkspaceID: "ws_1", LinkID: "lnk_1", Domain: "go.brand.com", Tags: []string{"q4"},
		ContactID: "hs_7", ExternalID: fmt.Sprint("order-", i), Amount: 4999, Currency: "EUR",
		Metadata: map[string]string{"plan": "pro", "coupon": "BF"}, MatchedBy: "click_id",
		ClickID: fmt.Sprintf("0193a6f2-7c1e-7b3a-9f00-%012d", i), ClickType: schemas.ClickTypeClick,
		ClickedAt: at.Add(-time.Hour), UTM: schemas.UTM{Source: "newsletter", Campaign: "bf"},
		Country: "GB", DeviceType: "mobile", ReferrerHost: "mail.example.com", VisitorHash: 42,
	}
}

// TestWriteConversionsOnceAndQueryable: a redelivered batch counts once,
// the funnel query analysts run joins conversions to the click table's
// campaign facts, and a bad conversion is rejected while the rest land.
func TestWriteConversionsOnceAndQueryable(t *testing.T) {
	w := openTestWriter(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	convs := []Conversion{testConversion(1, now), testConversion(2, now)}
	for i := range 2 {
		if err := w.WriteConversions(ctx, convs); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	var n, revenue uint64
	var currency, campaign, meta string
	q := fmt.Sprintf("SELECT count(), toUInt64(sum(amount)), any(currency), any(utm_campaign), any(metadata.value[indexOf(metadata.key, 'plan')]) FROM %s.%s FINAL", w.db, w.ConversionsTable())
	if err := w.conn.QueryRow(ctx, q).Scan(&n, &revenue, &currency, &campaign, &meta); err != nil {
		t.Fatal(err)
	}
	if n != 2 || revenue != 2*4999 || currency != "EUR" || campaign != "bf" || meta != "pro" {
		t.Errorf("count %d, revenue %d %s, campaign %q, plan %q", n, revenue, currency, campaign, meta)
	}

	bad := testConversion(3, now)
	bad.ClickID = "not-a-uuid"
	err := w.WriteConversions(ctx, []Conversion{bad, testConversion(4, now)})
	var rej *RejectedError
	if !errors.As(err, &rej) || len(rej.Rejected) != 1 || rej.Rejected[0].Index != 0 {
		t.Fatalf("WriteConversions = %v, want the first rejected", err)
	}
	if err := w.conn.QueryRow(ctx, fmt.Sprintf("SELECT count() FROM %s.%s FINAL", w.db, w.ConversionsTable())).Scan(&n); err != nil || n != 3 {
		t.Fatalf("after a batch with one bad conversion: %d rows (%v), want 3", n, err)
	}
}

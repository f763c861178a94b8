package statsview

import (
	"testing"

	"github.com/clicktrail/clicktrail/client"
)

func TestThousands(t *testing.T) {
	for n, want := range map[uint64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", 100000: "100,000"} {
		if got := Thousands(n, 10); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestAmount(t *testing.T) {
	tests := []struct {
		m         client.Money
		thousands bool
		want      string
	}{
		{client.Money{Currency: "EUR", Amount: 123456}, true, "EUR 1,234.56"},
		{client.Money{Currency: "EUR", Amount: 123456}, false, "EUR 1234.56"},
		{client.Money{Currency: "USD", Amount: 5}, true, "USD 0.05"},
		{client.Money{Currency: "EUR", Amount: -250}, true, "EUR -2.50"},
		{client.Money{Currency: "JPY", Amount: 5000}, true, "JPY 5,000"},
		{client.Money{Currency: "KWD", Amount: 1500}, true, "KWD 1.500"},
	}
	for _, tt := range tests {
		if got := Amount(tt.m, tt.thousands); got != tt.want {
			t.Errorf("Amount(%v, %v) = %q, want %q", tt.m, tt.thousands, got, tt.want)
		}
	}
}

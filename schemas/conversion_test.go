package schemas

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func sampleConversion() *Conversion {
	return &Conversion{
		V:           ConversionVersion,
		EventID:     "01936b2f-0000-7abc-8def-0123456789ab",
		WorkspaceID: "default",
		Name:        "purchase",
		ClickID:     "01936b2e-8c4a-7cde-9f01-23456789abcd",
		ContactID:   "hs_1234",
		ExternalID:  "order-991",
		OccurredAt:  time.Date(2026, 11, 23, 12, 5, 0, 0, time.UTC),
		ReceivedAt:  time.Date(2026, 11, 23, 12, 5, 1, 500_000_000, time.UTC),
		Amount:      4999,
		Currency:    "EUR",
		Metadata:    map[string]string{"plan": "pro"},
	}
}

func TestConversionGolden(t *testing.T) {
	got, err := sampleConversion().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := checkGolden(t, "conversion_v1.json", got)
	c, err := DecodeConversion(want)
	if err != nil {
		t.Fatal(err)
	}
	if c.Amount != 4999 || c.Metadata["plan"] != "pro" || !c.OccurredAt.Equal(sampleConversion().OccurredAt) {
		t.Fatalf("decoded %+v", c)
	}
}

func TestConversionValidateNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*Conversion)
		field  string
	}{
		{"no name", func(c *Conversion) { c.Name = "" }, "name"},
		{"upper-case name", func(c *Conversion) { c.Name = "Purchase" }, "name"},
		{"name starting with a dot", func(c *Conversion) { c.Name = ".x" }, "name"},
		{"long name", func(c *Conversion) { c.Name = strings.Repeat("a", 65) }, "name"},
		{"neither click nor contact", func(c *Conversion) { c.ClickID, c.ContactID = "", "" }, "click_id"},
		{"click id not a uuid", func(c *Conversion) { c.ClickID = "01936b2e-8c4a-7cde-9f01-23456789abcZ" }, "click_id"},
		{"contact id with a space", func(c *Conversion) { c.ContactID = "a b" }, "contact_id"},
		{"long external id", func(c *Conversion) { c.ExternalID = strings.Repeat("x", 129) }, "external_id"},
		{"no time", func(c *Conversion) { c.OccurredAt = time.Time{} }, "occurred_at"},
		{"before 1970", func(c *Conversion) { c.OccurredAt = time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC) }, "occurred_at"},
		{"huge amount", func(c *Conversion) { c.Amount = MaxConversionAmount + 1 }, "amount"},
		{"lower-case currency", func(c *Conversion) { c.Currency = "eur" }, "currency"},
		{"amount without currency", func(c *Conversion) { c.Currency = "" }, "currency"},
		{"empty metadata key", func(c *Conversion) { c.Metadata = map[string]string{"": "x"} }, "metadata"},
		{"long metadata value", func(c *Conversion) { c.Metadata = map[string]string{"k": strings.Repeat("v", 513)} }, "metadata.k"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sampleConversion()
			tc.mutate(c)
			var fe *FieldError
			if err := c.Validate(); !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("Validate() = %v, want a FieldError on %q", err, tc.field)
			}
		})
	}
	ok := sampleConversion()
	ok.ClickID = ""
	if err := ok.Validate(); err != nil {
		t.Fatalf("a contact-only conversion: %v", err)
	}
	ok = sampleConversion()
	ok.Amount, ok.Currency = 0, ""
	if err := ok.Validate(); err != nil {
		t.Fatalf("a conversion without a value: %v", err)
	}
}

func TestDecodeConversionRejects(t *testing.T) {
	good, _ := sampleConversion().Marshal()
	for _, tc := range []struct{ name, in, want string }{
		{"not json", "{", "decode conversion"},
		{"other version", strings.Replace(string(good), `"v":1`, `"v":2`, 1), "unsupported schema version"},
		{"bad event id", strings.Replace(string(good), `"event_id":"01936b2f`, `"event_id":"x1936b2f`, 1), "field event_id"},
		{"no workspace", strings.Replace(string(good), `"workspace_id":"default"`, `"workspace_id":""`, 1), "field workspace_id"},
		{"no received_at", strings.Replace(string(good), `"received_at":"2026-11-23T12:05:01.5Z"`, `"received_at":"0001-01-01T00:00:00Z"`, 1), "field received_at"},
		{"bad name", strings.Replace(string(good), `"name":"purchase"`, `"name":"Buy!"`, 1), "field name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DecodeConversion([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("DecodeConversion = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// FuzzDecodeConversion: any input decodes into a valid conversion that
// re-encodes and decodes to the same, or fails with an error; never a panic.
func FuzzDecodeConversion(f *testing.F) {
	good, _ := sampleConversion().Marshal()
	f.Add(good)
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`{"v":1,"event_id":"01936b2f-0000-7abc-8def-0123456789ab","workspace_id":"w","name":"lead","contact_id":"c","occurred_at":"2026-01-01T00:00:00Z","received_at":"2026-01-01T00:00:00Z","amount":-5,"currency":"USD"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeConversion(b)
		if err != nil {
			return
		}
		again, err := c.Marshal()
		if err != nil {
			t.Fatalf("a decoded conversion does not encode: %v", err)
		}
		if _, err := DecodeConversion(again); err != nil {
			t.Fatalf("a decoded conversion does not decode again: %v\n%s", err, again)
		}
	})
}

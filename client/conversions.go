package client

import (
	"context"
	"net/http"
	"time"
)

// ConversionRequest is the body of POST /v1/conversions: what happened
// (Name), and the click (ClickID, the ct_click the destination received)
// or the contact (ContactID) to credit.
type ConversionRequest struct {
	Name       string            `json:"name"`
	ClickID    string            `json:"click_id,omitempty"`
	ContactID  string            `json:"contact_id,omitempty"`
	ExternalID string            `json:"external_id,omitempty"` // reports with the same one are one event
	Amount     *int64            `json:"amount,omitempty"`      // minor units of Currency
	Currency   string            `json:"currency,omitempty"`    // ISO 4217
	OccurredAt string            `json:"occurred_at,omitempty"` // RFC 3339; now when empty
	Metadata   map[string]string `json:"metadata,omitempty"`
}

// Conversion is an accepted conversion.
type Conversion struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	ClickID    string            `json:"click_id,omitempty"`
	ContactID  string            `json:"contact_id,omitempty"`
	ExternalID string            `json:"external_id,omitempty"`
	Amount     int64             `json:"amount,omitempty"`
	Currency   string            `json:"currency,omitempty"`
	Metadata   map[string]string `json:"metadata,omitempty"`
	OccurredAt time.Time         `json:"occurred_at"`
	ReceivedAt time.Time         `json:"received_at"`
}

// ReportConversion reports a conversion; the answer (202) is the accepted
// conversion, attributed and sent on asynchronously.
func (c *Client) ReportConversion(ctx context.Context, req ConversionRequest, opts ...CallOption) (*Conversion, error) {
	var conv Conversion
	return &conv, c.do(ctx, http.MethodPost, "/v1/conversions", req, &conv, opts)
}

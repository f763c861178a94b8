package linkapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/schemas"
)

// conversionRoutes receive conversions: what a click led to.
var conversionRoutes = []apiRoute{
	{
		method: "POST", pattern: "/v1/conversions",
		summary: "Report a conversion (lead, sign-up, purchase) with the click id the destination received " +
			"(ct_click) or the contact id; it is attributed to the click (or the contact's last click) and sent " +
			"to webhook endpoints as conversion.attributed. An external_id makes reports of the same conversion " +
			"one event. 202 once the conversion is durably queued",
		request: conversionRequest{}, required: []string{"name"},
		response: conversionResponse{}, status: http.StatusAccepted,
		errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusServiceUnavailable},
		scopes: []string{tenancy.ScopeConversionsWrite}, handle: (*api).createConversion,
	},
}

// conversionRequest is the body of POST /v1/conversions.
type conversionRequest struct {
	Name       string            `json:"name"`
	ClickID    string            `json:"click_id"`
	ContactID  string            `json:"contact_id"`
	ExternalID string            `json:"external_id"`
	OccurredAt *string           `json:"occurred_at"` // RFC 3339; default: now
	Amount     int64             `json:"amount"`      // minor units of currency
	Currency   string            `json:"currency"`
	Metadata   map[string]string `json:"metadata"`
}

// conversionResponse answers POST /v1/conversions: the accepted
// conversion under its event id.
type conversionResponse struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	ClickID    string            `json:"click_id,omitempty"`
	ContactID  string            `json:"contact_id,omitempty"`
	ExternalID string            `json:"external_id,omitempty"`
	OccurredAt time.Time         `json:"occurred_at"`
	ReceivedAt time.Time         `json:"received_at"`
	Amount     int64             `json:"amount,omitempty"`
	Currency   string            `json:"currency,omitempty"`
	Metadata   map[string]string `json:"metadata,omitempty"`
}

// maxConversionFuture is how far ahead of the server's clock occurred_at
// may be (clients' clocks drift); further is a mistake in the request.
const maxConversionFuture = 5 * time.Minute

// conversionNamespace derives the event ids of conversions that carry an
// external_id.
var conversionNamespace = uuid.MustParse("3c6e0b8a-5f2d-5d7e-9b1a-7c4e2f0d9a61")

// ConversionEventID is the event id of a conversion reported with
// externalID: the same workspace, name and external id always give the
// same id, so sinks keep one of the reports.
func ConversionEventID(workspaceID, name, externalID string) string {
	return uuid.NewSHA1(conversionNamespace, []byte(workspaceID+"\x00"+name+"\x00"+externalID)).String()
}

// decodeConversion turns a POST /v1/conversions body into a complete,
// valid conversion of workspace, received at now, or an *APIError naming
// the bad field.
func decodeConversion(body []byte, workspace string, now time.Time) (*schemas.Conversion, *APIError) {
	var req conversionRequest
	if aerr := DecodeStrict(body, &req); aerr != nil {
		return nil, aerr
	}
	c := &schemas.Conversion{
		V: schemas.ConversionVersion, WorkspaceID: workspace, Name: req.Name,
		ClickID: strings.ToLower(req.ClickID), ContactID: req.ContactID, ExternalID: req.ExternalID,
		OccurredAt: now, ReceivedAt: now, Amount: req.Amount, Currency: req.Currency, Metadata: req.Metadata,
	}
	if req.OccurredAt != nil {
		t, err := time.Parse(time.RFC3339Nano, *req.OccurredAt)
		if err != nil {
			return nil, BadRequest(CodeInvalidField, "occurred_at", "want an RFC 3339 time such as 2026-11-23T12:00:00Z")
		}
		if t.After(now.Add(maxConversionFuture)) {
			return nil, BadRequest(CodeInvalidField, "occurred_at", "is in the future")
		}
		c.OccurredAt = t.UTC()
	}
	if err := c.Validate(); err != nil {
		var fe *schemas.FieldError
		if errors.As(err, &fe) {
			return nil, BadRequest(CodeInvalidField, fe.Field, fe.Message)
		}
		return nil, BadRequest(CodeInvalidField, "", err.Error())
	}
	if c.ExternalID != "" {
		c.EventID = ConversionEventID(workspace, c.Name, c.ExternalID)
	} else {
		c.EventID = uuid.Must(uuid.NewV7()).String()
	}
	return c, nil
}

func (a *api) createConversion(w http.ResponseWriter, r *http.Request) {
	body, aerr := readBody(w, r)
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	c, aerr := decodeConversion(body, principal(r).WorkspaceID, a.cfg.Now().UTC())
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	if a.cfg.OnConversion == nil {
		WriteError(w, &APIError{status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "this node does not take conversions (no conversions topic is configured)"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), conversionTimeout)
	defer cancel()
	if err := a.cfg.OnConversion(ctx, c); err != nil {
		a.log.Error("conversion not queued", "conversion", c.EventID, "err", err)
		w.Header().Set("Retry-After", "5")
		WriteError(w, &APIError{status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "the conversion could not be queued; retry with the same Idempotency-Key or external_id"})
		return
	}
	WriteJSON(w, http.StatusAccepted, conversionResponse{
		ID: c.EventID, Name: c.Name, ClickID: c.ClickID, ContactID: c.ContactID, ExternalID: c.ExternalID,
		OccurredAt: c.OccurredAt, ReceivedAt: c.ReceivedAt, Amount: c.Amount, Currency: c.Currency, Metadata: c.Metadata,
	})
}

// conversionTimeout bounds queueing one conversion.
const conversionTimeout = 10 * time.Second

package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// Endpoint is a webhook endpoint as the API shows it. Secret is set only in
// the answers of CreateEndpoint and RotateSecret.
type Endpoint struct {
	ID                  string          `json:"id"`
	WorkspaceID         string          `json:"workspace_id"`
	URL                 string          `json:"url"`
	Events              []string        `json:"events"`
	Filters             Filters         `json:"filters"`
	Alerts              json.RawMessage `json:"alerts,omitempty"` // see the OpenAPI document's Config
	Enabled             bool            `json:"enabled"`
	DisabledReason      string          `json:"disabled_reason,omitempty"`
	ConsecutiveFailures int             `json:"consecutive_failures"`
	Secret              string          `json:"secret,omitempty"`
	CreatedAt           time.Time       `json:"created_at"`
	UpdatedAt           time.Time       `json:"updated_at"`
}

// Filters narrow the events an endpoint receives.
type Filters struct {
	Tags            []string `json:"tags,omitempty"`
	ExcludeTags     []string `json:"exclude_tags,omitempty"`
	LinkIDs         []string `json:"link_ids,omitempty"`
	Domains         []string `json:"domains,omitempty"`
	ExcludeBots     bool     `json:"exclude_bots,omitempty"`
	ExcludeInternal bool     `json:"exclude_internal,omitempty"`
}

// EndpointRequest is the body of creating (URL and Events required) or
// changing an endpoint; in a change, nil members are unchanged and Filters
// replace the old ones whole.
type EndpointRequest struct {
	URL     *string         `json:"url,omitempty"`
	Events  []string        `json:"events,omitempty"`
	Filters *Filters        `json:"filters,omitempty"`
	Alerts  json.RawMessage `json:"alerts,omitempty"`
	Enabled *bool           `json:"enabled,omitempty"`
}

// Delivery is one delivery attempt.
type Delivery struct {
	EndpointID string    `json:"endpoint_id"`
	MessageID  string    `json:"message_id"`
	EventType  string    `json:"event_type"`
	Attempt    int       `json:"attempt"`
	Outcome    string    `json:"outcome"`
	Status     int       `json:"status,omitempty"`
	LatencyMS  float64   `json:"latency_ms"`
	Response   string    `json:"response,omitempty"`
	Error      string    `json:"error,omitempty"`
	Time       time.Time `json:"time"`
}

// DeliveriesOptions filter GET /v1/webhooks/deliveries.
type DeliveriesOptions struct {
	Endpoint, Status string
	Since            string // RFC 3339
}

// ReplayRequest names one message (MessageID) or every failed message
// since a time (Since) to send again.
type ReplayRequest struct {
	MessageID string    `json:"message_id,omitempty"`
	Since     time.Time `json:"since,omitzero"`
}

const endpointsPath = "/v1/webhooks/endpoints"

// CreateEndpoint creates an endpoint; the answer carries its secret.
func (c *Client) CreateEndpoint(ctx context.Context, req EndpointRequest, opts ...CallOption) (*Endpoint, error) {
	var e Endpoint
	return &e, c.do(ctx, http.MethodPost, endpointsPath, req, &e, opts)
}

// ListEndpoints lists the workspace's endpoints.
func (c *Client) ListEndpoints(ctx context.Context, opts ...CallOption) ([]Endpoint, error) {
	var r struct {
		Endpoints []Endpoint `json:"endpoints"`
	}
	return r.Endpoints, c.do(ctx, http.MethodGet, endpointsPath, nil, &r, opts)
}

// GetEndpoint returns one endpoint.
func (c *Client) GetEndpoint(ctx context.Context, id string, opts ...CallOption) (*Endpoint, error) {
	var e Endpoint
	return &e, c.do(ctx, http.MethodGet, endpointsPath+"/"+escape(id), nil, &e, opts)
}

// UpdateEndpoint changes an endpoint.
func (c *Client) UpdateEndpoint(ctx context.Context, id string, req EndpointRequest, opts ...CallOption) (*Endpoint, error) {
	var e Endpoint
	return &e, c.do(ctx, http.MethodPatch, endpointsPath+"/"+escape(id), req, &e, opts)
}

// DeleteEndpoint deletes an endpoint; the answer is 204 No Content.
func (c *Client) DeleteEndpoint(ctx context.Context, id string, opts ...CallOption) error {
	return c.do(ctx, http.MethodDelete, endpointsPath+"/"+escape(id), nil, nil, opts)
}

// RotateSecret issues a new signing secret; the old one signs beside it
// for 24 h.
func (c *Client) RotateSecret(ctx context.Context, id string, opts ...CallOption) (*Endpoint, error) {
	var e Endpoint
	return &e, c.do(ctx, http.MethodPost, endpointsPath+"/"+escape(id)+"/rotate-secret", nil, &e, opts)
}

// Replay sends messages again with their webhook-ids and returns those ids.
func (c *Client) Replay(ctx context.Context, id string, req ReplayRequest, opts ...CallOption) ([]string, error) {
	var r struct {
		Replayed []string `json:"replayed"`
	}
	return r.Replayed, c.do(ctx, http.MethodPost, endpointsPath+"/"+escape(id)+"/replay", req, &r, opts)
}

// Deliveries lists delivery attempts, newest first.
func (c *Client) Deliveries(ctx context.Context, o DeliveriesOptions, opts ...CallOption) ([]Delivery, error) {
	q := url.Values{}
	for k, v := range map[string]string{"endpoint": o.Endpoint, "status": o.Status, "since": o.Since} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var r struct {
		Deliveries []Delivery `json:"deliveries"`
	}
	return r.Deliveries, c.do(ctx, http.MethodGet, withQuery("/v1/webhooks/deliveries", q), nil, &r, opts)
}

package client

import (
	"context"
	"net/http"
	"time"
)

// IntegrationRequest creates or changes a CRM integration
// (/v1/integrations): nil and empty members are left unchanged on update;
// given credentials replace those keys.
type IntegrationRequest struct {
	CRM         *string           `json:"crm,omitempty"`
	Events      []string          `json:"events,omitempty"`
	Settings    map[string]string `json:"settings,omitempty"`
	Credentials map[string]string `json:"credentials,omitempty"`
	Mapping     *FieldMapping     `json:"mapping,omitempty"`
	Enabled     *bool             `json:"enabled,omitempty"`
}

// FieldMapping maps click and conversion fields (values) to CRM
// properties or activity fields (keys; "contact.<name>" for the contact
// record's own).
type FieldMapping struct {
	Click      map[string]string `json:"click,omitempty"`
	Conversion map[string]string `json:"conversion,omitempty"`
}

// Integration is a CRM integration as the API answers it: its
// credentials are never shown, only which keys are set.
type Integration struct {
	ID             string            `json:"id"`
	WorkspaceID    string            `json:"workspace_id"`
	CRM            string            `json:"crm"`
	Events         []string          `json:"events"`
	Settings       map[string]string `json:"settings"`
	CredentialKeys []string          `json:"credential_keys"`
	Mapping        FieldMapping      `json:"mapping"`
	Enabled        bool              `json:"enabled"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

const integrationsPath = "/v1/integrations"

// CreateIntegration connects a CRM.
func (c *Client) CreateIntegration(ctx context.Context, req IntegrationRequest, opts ...CallOption) (*Integration, error) {
	var i Integration
	return &i, c.do(ctx, http.MethodPost, integrationsPath, req, &i, opts)
}

// ListIntegrations lists the workspace's CRM integrations.
func (c *Client) ListIntegrations(ctx context.Context, opts ...CallOption) ([]Integration, error) {
	var r struct {
		Integrations []Integration `json:"integrations"`
	}
	return r.Integrations, c.do(ctx, http.MethodGet, integrationsPath, nil, &r, opts)
}

// GetIntegration returns one integration.
func (c *Client) GetIntegration(ctx context.Context, id string, opts ...CallOption) (*Integration, error) {
	var i Integration
	return &i, c.do(ctx, http.MethodGet, integrationsPath+"/"+escape(id), nil, &i, opts)
}

// UpdateIntegration changes an integration.
func (c *Client) UpdateIntegration(ctx context.Context, id string, req IntegrationRequest, opts ...CallOption) (*Integration, error) {
	var i Integration
	return &i, c.do(ctx, http.MethodPatch, integrationsPath+"/"+escape(id), req, &i, opts)
}

// DeleteIntegration removes an integration; the answer is 204 No Content.
func (c *Client) DeleteIntegration(ctx context.Context, id string, opts ...CallOption) error {
	return c.do(ctx, http.MethodDelete, integrationsPath+"/"+escape(id), nil, nil, opts)
}

package client

import (
	"context"
	"net/http"
	"time"
)

// Workspace is a tenant: its links, keys, domains and endpoints.
type Workspace struct {
	ID                    string    `json:"id"`
	Name                  string    `json:"name"`
	CreatedAt             time.Time `json:"created_at"`
	UpdatedAt             time.Time `json:"updated_at"`
	DestinationAllowHosts []string  `json:"destination_allow_hosts"`
	DestinationDenyHosts  []string  `json:"destination_deny_hosts"`
}

// Key is an API key as the API shows it: never its secret.
type Key struct {
	ID          string     `json:"id"`
	WorkspaceID string     `json:"workspace_id"`
	Name        string     `json:"name"`
	Scopes      []string   `json:"scopes"`
	Prefix      string     `json:"prefix"`
	CreatedAt   time.Time  `json:"created_at"`
	CreatedBy   string     `json:"created_by"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

// CreatedKey is a new key with its secret, shown in this answer only.
type CreatedKey struct {
	Key
	Secret string `json:"key"`
}

// CreateKeyRequest is the body of POST /v1/keys. WorkspaceID, for bootstrap
// keys only, creates the key in another workspace.
type CreateKeyRequest struct {
	Name        string   `json:"name"`
	Scopes      []string `json:"scopes"`
	WorkspaceID string   `json:"workspace_id,omitempty"`
}

// Self is who the calling key is (GET /v1/keys/self).
type Self struct {
	KeyID       string   `json:"key_id"`
	WorkspaceID string   `json:"workspace_id"`
	Scopes      []string `json:"scopes"`
}

// Domain is a branded domain registered by a workspace.
type Domain struct {
	Domain      string    `json:"domain"`
	WorkspaceID string    `json:"workspace_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// CreateKey creates an API key.
func (c *Client) CreateKey(ctx context.Context, req CreateKeyRequest, opts ...CallOption) (*CreatedKey, error) {
	var k CreatedKey
	return &k, c.do(ctx, http.MethodPost, "/v1/keys", req, &k, opts)
}

// ListKeys lists the workspace's keys, revoked ones included.
func (c *Client) ListKeys(ctx context.Context, opts ...CallOption) ([]Key, error) {
	var r struct {
		Keys []Key `json:"keys"`
	}
	return r.Keys, c.do(ctx, http.MethodGet, "/v1/keys", nil, &r, opts)
}

// RevokeKey revokes a key: it answers 401 from now on.
func (c *Client) RevokeKey(ctx context.Context, id string, opts ...CallOption) (*Key, error) {
	var k Key
	return &k, c.do(ctx, http.MethodDelete, "/v1/keys/"+escape(id), nil, &k, opts)
}

// Self returns who the client's key is.
func (c *Client) Self(ctx context.Context, opts ...CallOption) (*Self, error) {
	var s Self
	return &s, c.do(ctx, http.MethodGet, "/v1/keys/self", nil, &s, opts)
}

// CreateWorkspace creates a workspace (bootstrap keys only).
func (c *Client) CreateWorkspace(ctx context.Context, name string, opts ...CallOption) (*Workspace, error) {
	var w Workspace
	return &w, c.do(ctx, http.MethodPost, "/v1/workspaces", struct {
		Name string `json:"name"`
	}{name}, &w, opts)
}

// ListWorkspaces lists the workspaces (bootstrap keys only).
func (c *Client) ListWorkspaces(ctx context.Context, opts ...CallOption) ([]Workspace, error) {
	var r struct {
		Workspaces []Workspace `json:"workspaces"`
	}
	return r.Workspaces, c.do(ctx, http.MethodGet, "/v1/workspaces", nil, &r, opts)
}

// AddDomain registers a branded domain for the workspace's links.
func (c *Client) AddDomain(ctx context.Context, domain string, opts ...CallOption) (*Domain, error) {
	var d Domain
	return &d, c.do(ctx, http.MethodPost, "/v1/domains", struct {
		Domain string `json:"domain"`
	}{domain}, &d, opts)
}

// ListDomains lists the workspace's domains.
func (c *Client) ListDomains(ctx context.Context, opts ...CallOption) ([]Domain, error) {
	var r struct {
		Domains []Domain `json:"domains"`
	}
	return r.Domains, c.do(ctx, http.MethodGet, "/v1/domains", nil, &r, opts)
}

// RemoveDomain unregisters a domain; its links keep redirecting.
func (c *Client) RemoveDomain(ctx context.Context, domain string, opts ...CallOption) (*Domain, error) {
	var d Domain
	return &d, c.do(ctx, http.MethodDelete, "/v1/domains/"+escape(domain), nil, &d, opts)
}

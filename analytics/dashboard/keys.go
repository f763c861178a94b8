package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// CheckWithAPI implements Keys.Check with the link API's handler: it asks
// GET /v1/keys/self with key as the bearer token, in process, so a key
// counts here exactly when the API (stored keys, bootstrap keys, its rate
// limit) would take it.
func CheckWithAPI(ctx context.Context, api http.Handler, key string) (Principal, error) {
	if api == nil {
		return Principal{}, fmt.Errorf("check key: link API not open")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/v1/keys/self", nil)
	if err != nil {
		return Principal{}, fmt.Errorf("check key: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.RemoteAddr = "127.0.0.1:0"
	rec := &recorder{header: http.Header{}}
	api.ServeHTTP(rec, req)
	switch rec.status {
	case http.StatusOK:
	case http.StatusUnauthorized, http.StatusForbidden:
		return Principal{}, ErrBadKey
	default:
		return Principal{}, fmt.Errorf("check key: GET /v1/keys/self answered %d", rec.status)
	}
	var self struct {
		KeyID       string   `json:"key_id"`
		WorkspaceID string   `json:"workspace_id"`
		Scopes      []string `json:"scopes"`
	}
	if err := json.Unmarshal(rec.body.Bytes(), &self); err != nil || self.WorkspaceID == "" {
		return Principal{}, fmt.Errorf("check key: decode GET /v1/keys/self: %v", err)
	}
	return Principal{WorkspaceID: self.WorkspaceID, KeyID: self.KeyID, Scopes: self.Scopes}, nil
}

// recorder is the http.ResponseWriter of an in-process request.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

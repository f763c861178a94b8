package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/clicktrail/clicktrail/sinks/crm"
)

// Defaults of the settings.
const (
	DefaultAPIVersion = "v60.0"
	DefaultLoginURL   = "https://login.salesforce.com"
	DefaultObject     = "Contact"
)

// MaxBatch is the most records of one sObject Collections call.
const MaxBatch = 200

// LimitPause is how long a spent daily API quota pauses the integration.
const LimitPause = time.Hour

// Kind is Salesforce.
type Kind struct{}

var _ crm.Kind = Kind{}

func (Kind) Name() string { return "salesforce" }

var (
	fieldName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,79}$`)
	version   = regexp.MustCompile(`^v[0-9]{2,3}\.0$`)
	keys      = crm.Keys{
		Settings:            []string{"instance_url", "login_url", "api_version", "object", "contact_external_id_field", "task_external_id_field"},
		RequiredSettings:    []string{"instance_url", "contact_external_id_field", "task_external_id_field"},
		Credentials:         []string{"access_token", "refresh_token", "client_id", "client_secret"},
		RequiredCredentials: []string{"refresh_token", "client_id"},
		Target:              crm.NamePattern(fieldName, "a Salesforce field API name"),
	}
)

// Validate checks the settings, credentials and mapping, naming each bad key.
func (Kind) Validate(s crm.Spec) error {
	errs := []error{keys.Check(s)}
	if o := s.Settings["object"]; o != "" && !slices.Contains([]string{"Contact", "Lead"}, o) {
		errs = append(errs, fmt.Errorf("settings.object: want Contact or Lead, got %q", o))
	}
	if v := s.Settings["api_version"]; v != "" && !version.MatchString(v) {
		errs = append(errs, fmt.Errorf("settings.api_version: want vNN.0, got %q", v))
	}
	for _, k := range []string{"contact_external_id_field", "task_external_id_field"} {
		if v := s.Settings[k]; v != "" && !fieldName.MatchString(v) {
			errs = append(errs, fmt.Errorf("settings.%s: %q is not a field API name", k, v))
		}
	}
	return errors.Join(errs...)
}

// URLSettings are the settings that hold URLs the sink calls (checked by
// the integrations API with internal/urlrule).
func (Kind) URLSettings() []string { return []string{"instance_url", "login_url"} }

// Open returns the adapter.
func (Kind) Open(s crm.Spec, c *http.Client) (crm.Adapter, error) {
	return &Adapter{spec: s, c: c, token: s.Credentials["access_token"],
		base:  strings.TrimRight(s.Settings["instance_url"], "/") + "/services/data/" + s.Setting("api_version", DefaultAPIVersion),
		login: strings.TrimRight(s.Setting("login_url", DefaultLoginURL), "/")}, nil
}

// Adapter writes to one Salesforce org.
type Adapter struct {
	spec        crm.Spec
	c           *http.Client
	base, login string

	mu    sync.Mutex
	token string // the current access token, renewed on 401
}

func (a *Adapter) Idempotent() bool { return true }

type upsertResult struct {
	ID      string `json:"id"`
	Success bool   `json:"success"`
	Created bool   `json:"created"`
	Errors  []struct {
		StatusCode string   `json:"statusCode"`
		Message    string   `json:"message"`
		Fields     []string `json:"fields"`
	} `json:"errors"`
}

func (r upsertResult) err() error {
	if r.Success {
		return nil
	}
	e := &crm.Error{Status: http.StatusBadRequest, Permanent: true}
	for _, x := range r.Errors {
		e.Code, e.Message = crm.Sanitize(x.StatusCode), crm.Sanitize(x.Message)
		if x.StatusCode == "UNABLE_TO_LOCK_ROW" { // another writer holds the record: try later
			e.Permanent = false
		}
	}
	return e
}

// Deliver upserts the contacts, then one Task per event.
func (a *Adapter) Deliver(ctx context.Context, events []crm.Event) []error {
	errs := make([]error, len(events))
	obj := a.spec.Setting("object", DefaultObject)
	ext := a.spec.Settings["contact_external_id_field"]
	var contacts []map[string]any
	at := map[string]int{}
	for _, e := range events {
		props, _ := crm.Split(e.Mapped(a.spec.Mapping.For(e.Type)))
		i, ok := at[e.ContactID]
		if !ok {
			i = len(contacts)
			at[e.ContactID] = i
			contacts = append(contacts, map[string]any{"attributes": map[string]string{"type": obj}, ext: e.ContactID})
		}
		for k, v := range props {
			contacts[i][k] = v
		}
	}
	res, err := a.upsert(ctx, obj, ext, contacts)
	if err != nil {
		return crm.Fill(len(events), err)
	}
	text := a.spec.Settings["task_external_id_field"]
	var tasks []map[string]any
	var idx []int
	for i, e := range events {
		c := res[at[e.ContactID]]
		if err := c.err(); err != nil {
			errs[i] = err
			continue
		}
		_, fields := crm.Split(e.Mapped(a.spec.Mapping.For(e.Type)))
		t := map[string]any{"attributes": map[string]string{"type": "Task"}, text: e.ID, "WhoId": c.ID,
			"Subject": e.Summary(), "Status": "Completed", "ActivityDate": e.Time.UTC().Format(time.DateOnly)}
		for k, v := range fields {
			t[k] = v
		}
		tasks = append(tasks, t)
		idx = append(idx, i)
	}
	if len(tasks) == 0 {
		return errs
	}
	tr, err := a.upsert(ctx, "Task", text, tasks)
	for k, i := range idx {
		if err != nil {
			errs[i] = err
		} else {
			errs[i] = tr[k].err()
		}
	}
	return errs
}

// upsert makes one sObject Collections upsert and returns its results in
// the records' order.
func (a *Adapter) upsert(ctx context.Context, obj, ext string, records []map[string]any) ([]upsertResult, error) {
	body := map[string]any{"allOrNone": false, "records": records}
	resp, err := a.call(ctx, "PATCH", "/composite/sobjects/"+obj+"/"+ext, body)
	if err != nil {
		return nil, err
	}
	var rs []upsertResult
	if err := crm.Decode(resp, &rs); err != nil {
		return nil, err
	}
	if len(rs) != len(records) {
		return nil, &crm.Error{Status: resp.Status, Message: fmt.Sprintf("%d results for %d records", len(rs), len(records))}
	}
	return rs, nil
}

// call makes a REST call with the current token, renewing it once on 401.
func (a *Adapter) call(ctx context.Context, method, path string, body any) (*crm.Response, error) {
	a.mu.Lock()
	token := a.token
	a.mu.Unlock()
	if token != "" {
		resp, err := crm.Call(ctx, a.c, a.request(method, path, body, token))
		var ce *crm.Error
		if !errors.As(err, &ce) || ce.Status != http.StatusUnauthorized {
			return resp, limited(err)
		}
	}
	token, err := a.refresh(ctx, token)
	if err != nil {
		return nil, err
	}
	resp, err := crm.Call(ctx, a.c, a.request(method, path, body, token))
	return resp, limited(err)
}

// limited turns the 403 REQUEST_LIMIT_EXCEEDED of a spent daily API quota
// into a pause of LimitPause.
func limited(err error) error {
	var ce *crm.Error
	if errors.As(err, &ce) && ce.Status == http.StatusForbidden && ce.Code == "REQUEST_LIMIT_EXCEEDED" {
		ce.Pause, ce.Permanent = LimitPause, false
	}
	return err
}

func (a *Adapter) request(method, path string, body any, token string) crm.Request {
	return crm.Request{Method: method, URL: a.base + path, Body: body,
		Header: http.Header{"Authorization": {"Bearer " + token}}, PauseOf: pauseOf, Message: message}
}

// refresh renews the access token (unless another call already replaced
// stale) with the refresh token flow.
func (a *Adapter) refresh(ctx context.Context, stale string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token != stale && a.token != "" {
		return a.token, nil
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {a.spec.Credentials["refresh_token"]},
		"client_id": {a.spec.Credentials["client_id"]}, "format": {"json"}}
	if s := a.spec.Credentials["client_secret"]; s != "" {
		form.Set("client_secret", s)
	}
	req, err := http.NewRequestWithContext(ctx, "POST", a.login+"/services/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", &crm.Error{Message: "build token request: " + err.Error(), Permanent: true}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := a.c.Do(req)
	if err != nil {
		return "", &crm.Error{Message: "refresh token: " + crm.Sanitize(err.Error())}
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken      string `json:"access_token"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	_ = json.Unmarshal(b, &tr)
	switch {
	case resp.StatusCode == 200 && tr.AccessToken != "":
		a.token = tr.AccessToken
		return a.token, nil
	case resp.StatusCode >= 500 || resp.StatusCode == 429:
		return "", &crm.Error{Status: resp.StatusCode, Message: "refresh token: " + crm.Sanitize(string(b))}
	default: // invalid_grant: the refresh token is revoked or expired; new credentials through the API
		return "", &crm.Error{Status: http.StatusUnauthorized, Code: crm.Sanitize(tr.Error),
			Message: "refresh token: " + crm.Sanitize(tr.ErrorDescription)}
	}
}

// pauseOf: Salesforce has no rate-limit headers on a 429 beyond
// Retry-After; the org's spent 24-hour quota is a 403
// REQUEST_LIMIT_EXCEEDED (see message), paused in Call's caller.
func pauseOf(http.Header, time.Time) time.Duration { return 0 }

// message reads Salesforce's error body: [{"message","errorCode"}].
func message(b []byte) (string, string) {
	var es []struct{ Message, ErrorCode string }
	if json.Unmarshal(b, &es) != nil || len(es) == 0 {
		return "", ""
	}
	return es[0].ErrorCode, es[0].Message
}

package pipedrive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/clicktrail/clicktrail/sinks/crm"
)

// DefaultBaseURL is Pipedrive's API.
const DefaultBaseURL = "https://api.pipedrive.com"

// ActivityFields are the activity fields a mapping may target.
var ActivityFields = []string{"subject", "note", "public_description", "location"}

// Kind is Pipedrive.
type Kind struct{}

var _ crm.Kind = Kind{}

func (Kind) Name() string { return "pipedrive" }

var (
	fieldKey = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)
	keys     = crm.Keys{
		Settings:            []string{"base_url", "person_field", "activity_type"},
		Credentials:         []string{"api_token"},
		RequiredCredentials: []string{"api_token"},
	}
)

// Validate checks the settings, token and mapping, naming each bad key.
func (Kind) Validate(s crm.Spec) error {
	k := keys
	k.Target = func(name string) error { return nil }
	errs := []error{k.Check(s)}
	for typ, m := range map[string]map[string]string{"click": s.Mapping.Click, "conversion": s.Mapping.Conversion} {
		for target := range m {
			if name, ok := strings.CutPrefix(target, crm.ContactPrefix); ok {
				if !fieldKey.MatchString(name) {
					errs = append(errs, fmt.Errorf("mapping.%s.%s: %q is not a Pipedrive person field key", typ, target, name))
				}
			} else if !slices.Contains(ActivityFields, target) {
				errs = append(errs, fmt.Errorf("mapping.%s.%s: not an activity field (one of %s)", typ, target, strings.Join(ActivityFields, ", ")))
			}
		}
	}
	if v := s.Settings["person_field"]; v != "" && !fieldKey.MatchString(v) {
		errs = append(errs, fmt.Errorf("settings.person_field: %q is not a person field key", v))
	}
	return errors.Join(errs...)
}

// URLSettings are the settings that hold URLs the sink calls.
func (Kind) URLSettings() []string { return []string{"base_url"} }

// Open returns the adapter.
func (Kind) Open(s crm.Spec, c *http.Client) (crm.Adapter, error) {
	return &Adapter{spec: s, c: c, base: strings.TrimRight(s.Setting("base_url", DefaultBaseURL), "/"), persons: map[string]int64{}}, nil
}

// Adapter writes to one Pipedrive company.
type Adapter struct {
	spec crm.Spec
	c    *http.Client
	base string

	mu      sync.Mutex
	persons map[string]int64 // contact id -> person id
}

func (a *Adapter) Idempotent() bool { return false }

func (a *Adapter) request(method, path string, body any) crm.Request {
	return crm.Request{Method: method, URL: a.base + path, Body: body,
		Header: http.Header{"X-Api-Token": {a.spec.Credentials["api_token"]}}, PauseOf: PauseOf, Message: message}
}

// Deliver writes one activity per event; after a pause or failure of the
// whole account (429, 5xx, 401) the remaining events get the same error
// without a call.
func (a *Adapter) Deliver(ctx context.Context, events []crm.Event) []error {
	errs := make([]error, len(events))
	for i, e := range events {
		errs[i] = a.one(ctx, e)
		if o, _ := crm.Classify(errs[i]); o == crm.Paused || o == crm.Retry {
			for j := i + 1; j < len(events); j++ {
				errs[j] = errs[i]
			}
			break
		}
	}
	return errs
}

func (a *Adapter) one(ctx context.Context, e crm.Event) error {
	person, err := a.person(ctx, e.ContactID)
	if err != nil {
		return err
	}
	contact, fields := crm.Split(e.Mapped(a.spec.Mapping.For(e.Type)))
	if len(contact) > 0 {
		if _, err := crm.Call(ctx, a.c, a.request("PUT", "/v1/persons/"+strconv.FormatInt(person, 10), contact)); err != nil {
			return err
		}
	}
	act := map[string]any{"subject": e.Summary(), "type": a.spec.Setting("activity_type", "task"), "done": 1,
		"due_date": e.Time.UTC().Format(time.DateOnly), "due_time": e.Time.UTC().Format("15:04"), "person_id": person}
	for k, v := range fields {
		act[k] = v
	}
	_, err = crm.Call(ctx, a.c, a.request("POST", "/v1/activities", act))
	return err
}

// person returns the person id of a contact: found by the person field,
// or created.
func (a *Adapter) person(ctx context.Context, contact string) (int64, error) {
	field := a.spec.Settings["person_field"]
	if field == "" {
		id, err := strconv.ParseInt(contact, 10, 64)
		if err != nil {
			return 0, &crm.Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("contact id %q is not a Pipedrive person id (set settings.person_field)", contact), Permanent: true}
		}
		return id, nil
	}
	a.mu.Lock()
	id, ok := a.persons[contact]
	a.mu.Unlock()
	if ok {
		return id, nil
	}
	q := url.Values{"term": {contact}, "fields": {"custom_fields"}, "exact_match": {"true"}}
	resp, err := crm.Call(ctx, a.c, a.request("GET", "/v1/persons/search?"+q.Encode(), nil))
	if err != nil {
		return 0, err
	}
	var sr struct {
		Data struct {
			Items []struct {
				Item struct {
					ID int64 `json:"id"`
				} `json:"item"`
			} `json:"items"`
		} `json:"data"`
	}
	if err := crm.Decode(resp, &sr); err != nil {
		return 0, err
	}
	if len(sr.Data.Items) > 0 {
		id = sr.Data.Items[0].Item.ID
	} else {
		resp, err := crm.Call(ctx, a.c, a.request("POST", "/v1/persons", map[string]any{"name": "clicktrail contact " + contact, field: contact}))
		if err != nil {
			return 0, err
		}
		var cr struct {
			Data struct {
				ID int64 `json:"id"`
			} `json:"data"`
		}
		if err := crm.Decode(resp, &cr); err != nil {
			return 0, err
		}
		id = cr.Data.ID
	}
	a.mu.Lock()
	a.persons[contact] = id
	a.mu.Unlock()
	return id, nil
}

// PauseOf reads Pipedrive's rate-limit headers: the daily budget spent
// (x-daily-requests-left 0) pauses until the next UTC midnight, the
// rolling window spent (x-ratelimit-remaining 0) for x-ratelimit-reset
// seconds.
func PauseOf(h http.Header, now time.Time) time.Duration {
	if h.Get("X-Daily-Requests-Left") == "0" {
		y, m, d := now.UTC().Date()
		return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC).Sub(now)
	}
	if h.Get("X-Ratelimit-Remaining") == "0" {
		if s, err := strconv.Atoi(h.Get("X-Ratelimit-Reset")); err == nil && s > 0 {
			return time.Duration(s) * time.Second
		}
	}
	return 0
}

// message reads Pipedrive's error body: {"success":false,"error","errorCode","error_info"}.
func message(b []byte) (string, string) {
	var e struct {
		Error     string `json:"error"`
		ErrorCode any    `json:"errorCode"`
	}
	if json.Unmarshal(b, &e) != nil {
		return "", ""
	}
	code := ""
	if e.ErrorCode != nil {
		code = fmt.Sprint(e.ErrorCode)
	}
	return code, e.Error
}

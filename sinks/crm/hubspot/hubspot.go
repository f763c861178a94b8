package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/sinks/crm"
)

// DefaultBaseURL is HubSpot's API.
const DefaultBaseURL = "https://api.hubapi.com"

// MaxBatch is the most inputs one batch call takes (custom event sends
// take 500, CRM batch endpoints 100: the smaller).
const MaxBatch = 100

// Kind is HubSpot.
type Kind struct{}

var _ crm.Kind = Kind{}

func (Kind) Name() string { return "hubspot" }

var keys = crm.Keys{
	Settings:            []string{"base_url", "id_property", "click_event", "conversion_event"},
	Credentials:         []string{"token"},
	RequiredCredentials: []string{"token"},
	Target:              crm.NamePattern(regexp.MustCompile(`^[a-z][a-z0-9_]{0,99}$`), "a HubSpot property's internal name (lower case, digits, _)"),
}

// Validate checks the settings, the token and the mapping, naming each bad key.
func (Kind) Validate(s crm.Spec) error {
	var errs []error
	errs = append(errs, keys.Check(s))
	if len(s.Mapping.Click) > 0 && s.Settings["click_event"] == "" {
		errs = append(errs, errors.New("settings.click_event: required with a click mapping (the custom event's fully qualified name, pe<HubID>_<name>)"))
	}
	if len(s.Mapping.Conversion) > 0 && s.Settings["conversion_event"] == "" {
		errs = append(errs, errors.New("settings.conversion_event: required with a conversion mapping"))
	}
	return errors.Join(errs...)
}

// Open returns the adapter.
func (Kind) Open(s crm.Spec, c *http.Client) (crm.Adapter, error) {
	return &Adapter{spec: s, c: c, base: strings.TrimRight(s.Setting("base_url", DefaultBaseURL), "/")}, nil
}

// Adapter writes to one HubSpot account.
type Adapter struct {
	spec crm.Spec
	c    *http.Client
	base string
}

func (a *Adapter) Idempotent() bool { return false }

func (a *Adapter) request(method, path string, body any) crm.Request {
	return crm.Request{Method: method, URL: a.base + path, Body: body,
		Header:  http.Header{"Authorization": {"Bearer " + a.spec.Credentials["token"]}},
		PauseOf: PauseOf, Message: message}
}

// Deliver resolves the events' contacts, sets their mapped properties and
// sends one custom event occurrence per event.
func (a *Adapter) Deliver(ctx context.Context, events []crm.Event) []error {
	errs := make([]error, len(events))
	ids, err := a.contacts(ctx, events)
	if err != nil {
		return crm.Fill(len(events), err)
	}
	var inputs []eventInput
	var idx []int
	for i, e := range events {
		id, ok := ids[e.ContactID]
		if !ok {
			errs[i] = &crm.Error{Status: http.StatusNotFound, Message: "contact " + e.ContactID + " not found", Permanent: true}
			continue
		}
		name := a.spec.Settings["click_event"]
		if e.Type == crm.EventConversion {
			name = a.spec.Settings["conversion_event"]
		}
		if name == "" {
			continue // contact properties only: done
		}
		_, props := crm.Split(e.Mapped(a.spec.Mapping.For(e.Type)))
		inputs = append(inputs, eventInput{EventName: name, ObjectID: id, OccurredAt: e.Time.UTC().Format(time.RFC3339Nano),
			Properties: props, UUID: e.ID})
		idx = append(idx, i)
	}
	if len(inputs) == 0 {
		return errs
	}
	_, err = crm.Call(ctx, a.c, a.request("POST", "/events/v3/send/batch", map[string]any{"inputs": inputs}))
	var ce *crm.Error
	if errors.As(err, &ce) && ce.Permanent && len(inputs) > 1 {
		// one bad occurrence fails the batch: send each alone to find it
		for k, in := range inputs {
			_, errs[idx[k]] = crm.Call(ctx, a.c, a.request("POST", "/events/v3/send", in))
		}
		return errs
	}
	for _, i := range idx {
		errs[i] = err
	}
	return errs
}

type eventInput struct {
	EventName  string            `json:"eventName"`
	ObjectID   string            `json:"objectId"`
	OccurredAt string            `json:"occurredAt"`
	Properties map[string]string `json:"properties,omitempty"`
	UUID       string            `json:"uuid,omitempty"`
}

type batchInput struct {
	ID         string            `json:"id"`
	IDProperty string            `json:"idProperty,omitempty"`
	Properties map[string]string `json:"properties"`
}

type batchResult struct {
	Results []struct {
		ID         string            `json:"id"`
		Properties map[string]string `json:"properties"`
	} `json:"results"`
}

// contacts returns the record id of each event's contact, upserting them
// by id_property or updating their mapped properties by record id.
func (a *Adapter) contacts(ctx context.Context, events []crm.Event) (map[string]string, error) {
	idProp := a.spec.Settings["id_property"]
	props := map[string]map[string]string{}
	var order []string
	for _, e := range events {
		c, _ := crm.Split(e.Mapped(a.spec.Mapping.For(e.Type)))
		if _, ok := props[e.ContactID]; !ok {
			props[e.ContactID] = map[string]string{}
			order = append(order, e.ContactID)
		}
		for k, v := range c {
			props[e.ContactID][k] = v
		}
	}
	ids := map[string]string{}
	var inputs []batchInput
	for _, id := range order {
		if idProp == "" {
			ids[id] = id
			if len(props[id]) == 0 {
				continue
			}
		}
		inputs = append(inputs, batchInput{ID: id, IDProperty: idProp, Properties: props[id]})
	}
	if len(inputs) == 0 {
		return ids, nil
	}
	path := "/crm/v3/objects/contacts/batch/update"
	if idProp != "" {
		path = "/crm/v3/objects/contacts/batch/upsert"
	}
	resp, err := crm.Call(ctx, a.c, a.request("POST", path, map[string]any{"inputs": inputs}))
	if err != nil {
		return nil, err
	}
	if idProp == "" {
		return ids, nil
	}
	var br batchResult
	if err := crm.Decode(resp, &br); err != nil {
		return nil, err
	}
	for _, r := range br.Results {
		if v := r.Properties[idProp]; v != "" {
			ids[v] = r.ID
		}
	}
	return ids, nil
}

// PauseOf reads HubSpot's rate-limit headers: the daily quota spent
// pauses until the next UTC midnight, the rolling window spent for its
// interval.
func PauseOf(h http.Header, now time.Time) time.Duration {
	if h.Get("X-HubSpot-RateLimit-Daily-Remaining") == "0" {
		y, m, d := now.UTC().Date()
		return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC).Sub(now)
	}
	if h.Get("X-HubSpot-RateLimit-Remaining") == "0" {
		if ms, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
			return time.Duration(ms) * time.Millisecond
		}
	}
	return 0
}

// message reads HubSpot's error body: {"status":"error","message":...,
// "category":...} (429s carry "errorType" and "policyName").
func message(b []byte) (string, string) {
	var e struct {
		Message, Category, ErrorType, PolicyName string
	}
	if json.Unmarshal(b, &e) != nil {
		return "", ""
	}
	code := e.Category
	if code == "" {
		code = strings.TrimSpace(e.ErrorType + " " + e.PolicyName)
	}
	return code, e.Message
}

// URLSettings are the settings that hold URLs the sink calls.
func (Kind) URLSettings() []string { return []string{"base_url"} }

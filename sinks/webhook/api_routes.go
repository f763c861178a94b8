package webhook

import (
	"net/http"
	"slices"
)

// Route is one operation of the endpoint API, as whoever mounts the API
// documents it (the link API's OpenAPI document lists these too). NewAPI
// registers exactly these routes, so the documentation cannot drift.
type Route struct {
	Method, Pattern, Summary string
	// Write says the operation changes something: the mounting API asks
	// for its write scope (webhooks:write) rather than the read one.
	Write bool
	// Request and Response are zero values of the JSON bodies (nil for
	// none); Required lists the request members a client must send.
	Request, Response any
	Required          []string
	Status            int   // of success
	Errors            []int // the error statuses the handler itself answers
	Query             []QueryParam
	handle            func(*api, http.ResponseWriter, *http.Request)
}

// QueryParam documents one query parameter of a Route.
type QueryParam struct {
	Name, Type, Description string // Type: string, integer, boolean or date-time
}

type listEndpointsResponse struct {
	Endpoints []endpointView `json:"endpoints"`
}

type deliveriesResponse struct {
	Deliveries []Delivery `json:"deliveries"`
}

type replayResponse struct {
	// Replayed are the webhook-ids queued again, with their first ids.
	Replayed []string `json:"replayed"`
}

var routes = []Route{
	{Method: "POST", Pattern: PathEndpoints, Write: true,
		Summary: "Create a webhook endpoint; its signing secret (whsec_...) is in this answer only",
		Request: endpointRequest{}, Required: []string{"url", "events"}, Response: endpointView{}, Status: http.StatusCreated,
		Errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge}, handle: (*api).create},
	{Method: "GET", Pattern: PathEndpoints, Summary: "List the workspace's webhook endpoints (never their secrets)",
		Response: listEndpointsResponse{}, Status: http.StatusOK, handle: (*api).list},
	{Method: "GET", Pattern: PathEndpoints + "/{id}", Summary: "Get a webhook endpoint",
		Response: endpointView{}, Status: http.StatusOK, Errors: []int{http.StatusNotFound}, handle: (*api).get},
	{Method: "PATCH", Pattern: PathEndpoints + "/{id}", Write: true,
		Summary: "Change a webhook endpoint's url, events, filters, alerts or enabled flag (absent = unchanged)",
		Request: endpointRequest{}, Response: endpointView{}, Status: http.StatusOK,
		Errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge}, handle: (*api).patch},
	{Method: "DELETE", Pattern: PathEndpoints + "/{id}", Write: true, Summary: "Delete a webhook endpoint; 204, no body",
		Status: http.StatusNoContent, Errors: []int{http.StatusNotFound}, handle: (*api).delete},
	{Method: "POST", Pattern: PathEndpoints + "/{id}/rotate-secret", Write: true,
		Summary:  "Issue a new signing secret (in this answer only); the old one keeps signing beside it for 24 h",
		Response: endpointView{}, Status: http.StatusOK, Errors: []int{http.StatusNotFound}, handle: (*api).rotate},
	{Method: "POST", Pattern: PathEndpoints + "/{id}/replay", Write: true,
		Summary: "Send again one message (message_id) or every failed message since a time, with the same webhook-id",
		Request: replayRequest{}, Response: replayResponse{}, Status: http.StatusAccepted,
		Errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusNotImplemented},
		handle: (*api).replay},
	{Method: "GET", Pattern: PathDeliveries, Summary: "Delivery attempts, newest first: status, latency, response snippet, error",
		Query: []QueryParam{
			{"endpoint", "string", "Only this endpoint's attempts."},
			{"status", "string", "Only attempts with this outcome."},
			{"since", "date-time", "At or after (RFC 3339)."},
		},
		Response: deliveriesResponse{}, Status: http.StatusOK, Errors: []int{http.StatusBadRequest}, handle: (*api).deliveries},
}

// Routes returns the endpoint API's operations, for documentation.
func Routes() []Route { return slices.Clone(routes) }

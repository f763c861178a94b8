// Package openapicheck holds an API to its OpenAPI 3.1 document: it reads the
// document, generates requests for every operation from its schemas (valid
// ones, and invalid ones: missing, unknown and wrong-typed members, values past
// a minimum, maximum or length, values outside an enum, bad query values, bad
// Idempotency-Key headers, reused keys, missing credentials, other methods),
// sends them to a running server and checks every answer: its status is one the
// operation documents, its Content-Type one the status documents, its JSON body
// valid against the documented schema (github.com/santhosh-tekuri/jsonschema,
// draft 2020-12, formats asserted), and a request the document calls invalid
// is refused with a 4xx.
//
// It is used by internal/app's conformance test, which runs it against the
// embedded dev server (the link API with the webhook endpoint API mounted).
// The document itself is generated in linkapi (openapi.go); this package knows
// nothing of clicktrail but the shape of OpenAPI and a few conventions of its
// API: an "Idempotency-Key" header, a bearer key, ids found in answers.
package openapicheck

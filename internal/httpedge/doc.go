// Package httpedge is what clicktrail's HTTP listeners do below their
// handlers: the lingering close that lets a client still sending an
// oversized body read the answer it was given (every listener), and, for
// the API listeners, JSON error bodies in the API's shape for every error,
// whoever produces it: net/http itself before any handler (malformed
// request line or header, bad Host, headers over the limit, an unknown
// transfer coding), the ServeMux (404, 405, "GET *"), a panicking handler,
// or a handler that answered an error in text.
//
// internal/app wires it: Listen for every listener, JSONErrors for the
// link API's and the webhook endpoint API's servers. The API's own error
// codes and its handlers live in the link API package (redirect today);
// this package only speaks the same shape:
//
//	{"error":{"code":"headers_too_large","message":"..."}}
//
// The redirect front-ends' statuses (413 for a body over the limit, 431,
// 400) are set in internal/app, which knows the front-end libraries.
package httpedge

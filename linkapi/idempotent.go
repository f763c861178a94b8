package linkapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/clicktrail/clicktrail/linkapi/idempotency"
)

// Idempotency of the link API's mutating calls.
//
// A request with an "Idempotency-Key" header (1 to idempotency.MaxKeyLen
// printable ASCII characters) is answered once: its answer (status,
// Location and body; not 5xx answers, which may be retried) is stored in
// the link store for idempotency.TTL under a hash of the API key and the
// idempotency key, with a fingerprint of the request (method, path, body).
// A later request with the same key and fingerprint gets the stored answer
// again, with "Idempotent-Replayed: true"; with another fingerprint it gets
// 422 idempotency_key_reused. While the first request runs, a second one
// with the same key gets 409 idempotency_key_in_use at once rather than
// waiting (waiting would hold a connection for as long as the first takes,
// and a client retrying with backoff gets the replay soon after). The
// in-flight set is per process: run one API process per link store.
//
// An answer that shows a secret once (a created API key, a bulk job's
// callback secret: the handler names its fields with ShownOnce) is stored
// without it: a replay answers the same resource with the secret's fields
// left out and "secret_withheld": true, and the client that lost the first
// answer revokes or replaces what it cannot use (ADR 007). No secret is
// kept at rest for replays, and a replay after a revocation hands out
// nothing.
//
// The answer is stored after the change it describes is durable: a crash
// in between loses the answer, and a retry then runs again (a create with
// an explicit path answers 409 path_taken; one with a generated path
// creates a second link).

// idempotent wraps a mutating handler with the Idempotency-Key protocol.
// It runs after authentication.
func (a *api) idempotent(next http.Handler, maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ikey, ok := r.Header["Idempotency-Key"]
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if len(ikey) != 1 || !idempotency.ValidKey(ikey[0]) {
			WriteError(w, BadRequest(CodeInvalidField, "Idempotency-Key",
				fmt.Sprintf("send one header of 1 to %d printable ASCII characters", idempotency.MaxKeyLen)))
			return
		}
		body, aerr := ReadBodyLimit(w, r, maxBody)
		if aerr != nil {
			WriteError(w, aerr)
			return
		}
		apiKey, _ := BearerToken(r)
		kh := sha256.Sum256([]byte(apiKey + "\x00" + ikey[0]))
		fp := sha256.Sum256(bytes.Join([][]byte{[]byte(r.Method), []byte(r.URL.EscapedPath()), body}, []byte{0}))

		if !a.idem.Claim(kh) {
			WriteError(w, &APIError{status: http.StatusConflict, Code: CodeIdempotencyKeyInUse,
				Message: "a request with this Idempotency-Key is still running; retry after it has answered"})
			return
		}
		defer a.idem.Release(kh)
		now := a.cfg.Now()
		rec, err := a.idem.Get(kh, now)
		if err != nil {
			a.internalError(w, "read idempotency record", err)
			return
		}
		if rec != nil {
			if !bytes.Equal(rec.Fingerprint, fp[:]) {
				WriteError(w, &APIError{status: http.StatusUnprocessableEntity, Code: CodeIdempotencyKeyReused,
					Field: "Idempotency-Key", Message: "this key was first used with another method, path or body"})
				return
			}
			if rec.Location != "" {
				w.Header().Set("Location", rec.Location)
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(rec.Status)
			w.Write(rec.Body)
			return
		}

		r.Body = io.NopCloser(bytes.NewReader(body))
		cw := &capturingWriter{ResponseWriter: w}
		next.ServeHTTP(cw, r)
		if cw.status == 0 || cw.status >= 500 {
			return
		}
		stored, err := withholdSecrets(cw.body.Bytes(), cw.secrets)
		if err != nil {
			// Never store what cannot be stripped of its secret; a retry
			// runs the request again.
			a.log.Error("link api: withhold secrets from idempotency record", "err", err)
			return
		}
		rec = &idempotency.Record{Fingerprint: fp[:], Status: cw.status, Location: w.Header().Get("Location"),
			Body: stored, Expires: now.Add(idempotency.TTL)}
		if err := a.idem.Put(kh, rec); err != nil {
			// The answer is already sent; a retry will run the request again.
			a.log.Error("link api: store idempotency record", "err", err)
			return
		}
		if a.idem.SweepDue(now) {
			if n, err := a.idem.Sweep(now, idempotency.SweepBatch); err != nil {
				a.log.Error("link api: sweep idempotency records", "err", err)
			} else if n > 0 {
				a.log.Debug("link api: swept idempotency records", "deleted", n)
			}
		}
	})
}

// capturingWriter passes an answer through and keeps its status and body.
type capturingWriter struct {
	http.ResponseWriter
	status  int
	body    bytes.Buffer
	secrets []string // top-level fields of the answer shown once (ShownOnce)
}

// ShownOnce declares that the top-level JSON fields of the answer being
// written to w hold secrets shown in this answer only, so that the
// idempotency record keeps the answer without them. Without an
// Idempotency-Key (w is then not a capturingWriter) nothing is stored and
// it does nothing.
func ShownOnce(w http.ResponseWriter, fields ...string) {
	if c, ok := w.(*capturingWriter); ok {
		c.secrets = append(c.secrets, fields...)
	}
}

// withholdSecrets returns body (a JSON object) without its fields named
// in secrets, and with "secret_withheld": true when it had any of them.
func withholdSecrets(body []byte, secrets []string) ([]byte, error) {
	if len(secrets) == 0 {
		return body, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("answer with a secret is not a JSON object: %w", err)
	}
	withheld := false
	for _, f := range secrets {
		if _, ok := obj[f]; ok {
			delete(obj, f)
			withheld = true
		}
	}
	if !withheld {
		return body, nil
	}
	obj["secret_withheld"] = json.RawMessage("true")
	return json.Marshal(obj)
}

func (c *capturingWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *capturingWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

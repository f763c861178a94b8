package webhooksig_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/clicktrail/clicktrail/webhooksig"
)

func ExampleSign() {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	sig, err := webhooksig.Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(sig)
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}

func ExampleVerify() {
	// The current secret first, the previous one while a rotation is under way.
	secrets := []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2VjcmV0LXJvdGF0ZWQtb3V0LWxhc3Qtd2Vlaw=="}
	h := http.Header{}
	h.Set(webhooksig.HeaderID, "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set(webhooksig.HeaderTimestamp, "1614265330")
	h.Set(webhooksig.HeaderSignature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	body := []byte(`{"test": 2432232314}`)

	receivedAt := time.Unix(1614265330+42, 0)
	fmt.Println(webhooksig.Verify(secrets, h, body, receivedAt, 0))

	err := webhooksig.Verify(secrets, h, body, receivedAt.Add(time.Hour), 0)
	fmt.Println(errors.Is(err, webhooksig.ErrTimestampTooOld))
	// Output:
	// <nil>
	// true
}

// receiver is an http.Handler for clicktrail webhooks: it verifies the raw
// body before parsing anything, answers fast, and skips messages it has
// already processed (delivery is at least once; webhook-id is the key).
type receiver struct {
	secrets []string
	seen    map[string]bool // use a store with expiry in production
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := webhooksig.Verify(rc.secrets, r.Header, body, time.Now(), webhooksig.DefaultTolerance); err != nil {
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	id := r.Header.Get(webhooksig.HeaderID)
	if !rc.seen[id] {
		rc.seen[id] = true
		// Parse body as JSON and queue the work here; answer within seconds.
	}
	w.WriteHeader(http.StatusNoContent)
}

func Example_receiver() {
	secret := webhooksig.NewSecret()
	rc := &receiver{secrets: []string{secret}, seen: map[string]bool{}}

	// What clicktrail sends.
	body := []byte(`{"type":"click.created","timestamp":"2026-11-23T12:00:00Z","data":{"link_id":"lnk_1"}}`)
	now := time.Now()
	sig, err := webhooksig.Sign(secret, "0193a6f2-7c1e-7b3a-9f00-000000000001", now, body)
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/webhooks/clicktrail", bytes.NewReader(body))
	req.Header.Set(webhooksig.HeaderID, "0193a6f2-7c1e-7b3a-9f00-000000000001")
	req.Header.Set(webhooksig.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(webhooksig.HeaderSignature, sig)

	rec := httptest.NewRecorder()
	rc.ServeHTTP(rec, req)
	fmt.Println("signed:", rec.Code)

	forged := httptest.NewRequest(http.MethodPost, "/webhooks/clicktrail", bytes.NewReader([]byte(`{"type":"click.created"}`)))
	forged.Header = req.Header.Clone()
	rec = httptest.NewRecorder()
	rc.ServeHTTP(rec, forged)
	fmt.Println("forged:", rec.Code)
	// Output:
	// signed: 204
	// forged: 401
}

package httpedge

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func readResponse(t *testing.T, raw []byte) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
	if err != nil {
		t.Fatalf("not a response: %v\n%q", err, raw)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return resp, body
}

// checkBody checks body is exactly the error shape with code and a
// message containing msg.
func checkBody(t *testing.T, body []byte, code, msg string) {
	t.Helper()
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if e.Error.Code != code || e.Error.Message == "" || !strings.Contains(e.Error.Message, msg) {
		t.Fatalf("error %+v, want code %q, message with %q", e.Error, code, msg)
	}
}

var discardLogger = slog.New(slog.DiscardHandler)

package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// errorDevs starts the embedded default once per redirect front-end and
// returns each one's redirect and API addresses (host:port).
func errorDevs(t *testing.T) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for _, fe := range []string{FrontEndFastHTTP, FrontEndNetHTTP} {
		dev := webhookDev(t)
		dev.RedirectFrontEnd = fe
		r, a := startDev(t, dev)
		out[fe] = [2]string{strings.TrimPrefix(r, "http://"), strings.TrimPrefix(a, "http://")}
	}
	return out
}

// exchange writes raw on a new connection to addr and reads the answer.
func exchange(t *testing.T, addr, raw string) (*http.Response, []byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second)) // against a hung test, not a timing assertion
	go io.WriteString(c, raw)                       // the server may answer before it read everything
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the answer's body: %v", err)
	}
	return resp, body
}

// checkJSONError checks that an answer is the API's error shape, exactly
// {"error":{"code":...,"message":...}}, with code and a message
// containing msg.
func checkJSONError(t *testing.T, resp *http.Response, body []byte, status int, code, msg string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status %d, want %d (body %s)", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json (body %q)", ct, body)
	}
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("body %q is not the error shape: %v", body, err)
	}
	if e.Error.Code != code || !strings.Contains(e.Error.Message, msg) || e.Error.Message == "" {
		t.Errorf("error %+v, want code %s and a message with %q", e.Error, code, msg)
	}
}

// TestAPIErrorsAreJSON: every error answer of the link API's listener is
// JSON in the API's error shape with the right status, including those
// net/http gives before any handler runs and the ServeMux's own.
func TestAPIErrorsAreJSON(t *testing.T) {
	devs := errorDevs(t)
	api := devs[FrontEndFastHTTP][1]
	auth := "Authorization: Bearer " + devKey + "\r\n"
	get := func(target, headers string) string {
		return "GET " + target + " HTTP/1.1\r\nHost: api.test\r\n" + auth + headers + "Connection: close\r\n\r\n"
	}
	for _, tc := range []struct {
		name, raw string
		status    int
		code, msg string
		allow     string
	}{
		{"query over the documented limit", get("/v1/links?q="+strings.Repeat("a", 20<<10), ""), 431, "headers_too_large", "over the limit of 16384", ""},
		{"query over net/http's own limit", get("/v1/links?q="+strings.Repeat("a", 64<<10), ""), 431, "headers_too_large", "request line and header fields", ""},
		{"large header", get("/v1/links", "X-Big: "+strings.Repeat("b", 20<<10)+"\r\n"), 431, "headers_too_large", "over the limit of 16384", ""},
		{"huge header", get("/v1/links", "X-Big: "+strings.Repeat("b", 64<<10)+"\r\n"), 431, "headers_too_large", "request line and header fields", ""},
		{"many headers", get("/v1/links", strings.Repeat("X-A: b\r\n", 3000)), 431, "headers_too_large", "over the limit", ""},
		{"NUL in a header", get("/v1/links", "X-Nul: a\x00b\r\n"), 400, "malformed_request", `"X-Nul" has the control byte 0x00`, ""},
		{"bad Host", "GET /v1/links HTTP/1.1\r\nHost: a b\r\n" + auth + "\r\n", 400, "malformed_request", `Host "a b"`, ""},
		{"two Hosts", "GET /v1/links HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + auth + "\r\n", 400, "malformed_request", "more than one Host", ""},
		{"space in a header name", get("/v1/links", "Bad Name: x\r\n"), 400, "malformed_request", `"Bad Name"`, ""},
		{"garbage request line", "GARBAGE\r\n\r\n", 400, "malformed_request", `"GARBAGE"`, ""},
		{"unknown HTTP version", "GET /v1/links HTTP/9.1\r\nHost: api.test\r\n\r\n", 505, "http_version_not_supported", "version", ""},
		{"unknown transfer coding", "POST /v1/links HTTP/1.1\r\nHost: api.test\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "not_implemented", "transfer encoding", ""},
		{"unknown Expect", get("/v1/links", "Expect: tea\r\n"), 417, "expectation_failed", "100-continue", ""},
		{"asterisk target", get("*", ""), 400, "malformed_request", "bad request", ""},
		{"made-up method on a known path", "FOO /v1/links HTTP/1.1\r\nHost: api.test\r\n" + auth + "\r\n", 405, "method_not_allowed", "FOO is not allowed", "GET, HEAD, POST"},
		{"TRACE on a known path", "TRACE /v1/links/lnk_0000000000000000000000 HTTP/1.1\r\nHost: api.test\r\n" + auth + "\r\n", 405, "method_not_allowed", "TRACE", "DELETE, GET, HEAD, PATCH"},
		{"made-up method without a key", "FOO /v1/links HTTP/1.1\r\nHost: api.test\r\n\r\n", 401, "unauthorized", "", ""},
		{"made-up method on an unknown path", "FOO /v9/nothing HTTP/1.1\r\nHost: api.test\r\n" + auth + "\r\n", 404, "not_found", "no such route", ""},
		{"CONNECT to an authority", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n" + auth + "\r\n", 404, "not_found", "not found", ""},
		{"the API's own 405", "DELETE /v1/links HTTP/1.1\r\nHost: api.test\r\n" + auth + "\r\n", 405, "method_not_allowed", "allowed", "GET, HEAD, POST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := exchange(t, api, tc.raw)
			checkJSONError(t, resp, body, tc.status, tc.code, tc.msg)
			if got := resp.Header.Get("Allow"); tc.allow != "" && !sameMethods(got, tc.allow) {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
		})
	}
}

// sameMethods reports whether two Allow values list the same methods.
func sameMethods(a, b string) bool {
	split := func(s string) []string {
		ms := strings.Split(s, ",")
		for i := range ms {
			ms[i] = strings.TrimSpace(ms[i])
		}
		slices.Sort(ms)
		return ms
	}
	return slices.Equal(split(a), split(b))
}

// TestRedirectFrontEndErrors: both redirect front-ends refuse a body over
// the limit with 413, headers over it with 431 and a malformed request
// with 400.
func TestRedirectFrontEndErrors(t *testing.T) {
	devs := errorDevs(t)
	chunked := fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", 8<<10, strings.Repeat("c", 8<<10))
	for fe, addrs := range devs {
		t.Run(fe, func(t *testing.T) {
			for _, tc := range []struct {
				name, raw string
				status    int
			}{
				{"declared body over the limit", "POST /spring HTTP/1.1\r\nHost: go.brand.test\r\nContent-Length: 10485760\r\n\r\n", 413},
				{"chunked body over the limit", "POST /spring HTTP/1.1\r\nHost: go.brand.test\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked, 413},
				{"Expect 100-continue with a body over the limit", "POST /spring HTTP/1.1\r\nHost: go.brand.test\r\nContent-Length: 10485760\r\nExpect: 100-continue\r\n\r\n", 413},
				{"headers over the limit", "GET /spring HTTP/1.1\r\nHost: go.brand.test\r\nX-Big: " + strings.Repeat("a", 2*defaultLimits.header) + "\r\n\r\n", 431},
				{"request line over the limit", "GET /" + strings.Repeat("a", 2*defaultLimits.header) + " HTTP/1.1\r\nHost: go.brand.test\r\n\r\n", 431},
				{"NUL in a header", "GET /spring HTTP/1.1\r\nHost: go.brand.test\r\nX-Nul: a\x00b\r\n\r\n", 400},
				{"bad Host", "GET /spring HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
			} {
				t.Run(tc.name, func(t *testing.T) {
					if resp, body := exchange(t, addrs[0], tc.raw); resp.StatusCode != tc.status {
						t.Errorf("status %d, want %d (body %q)", resp.StatusCode, tc.status, body)
					}
				})
			}
		})
	}
}

// streamOversized sends a 10 MB body to addr with headers, reading the
// answer while the body is still being written, and returns the answer
// and what writing the body returned: a server that closes while the
// client still sends makes that a reset.
func streamOversized(t *testing.T, addr, target, headers string) (*http.Response, []byte, error) {
	t.Helper()
	const size = 10 << 20
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second)) // against a hung test, not a timing assertion
	wrote := make(chan error, 1)
	go func() {
		_, err := fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: go.brand.test\r\n%sContent-Length: %d\r\n\r\n", target, headers, size)
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for sent := 0; err == nil && sent < size; sent += len(chunk) {
			_, err = c.Write(chunk)
		}
		wrote <- err
	}()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer while sending: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the answer's body: %v", err)
	}
	return resp, body, <-wrote
}

// TestOversizedBodyGetsItsAnswer: a client that streams a 10 MB body to
// either listener reads a 413 and finishes sending without a reset (the
// lingering close).
func TestOversizedBodyGetsItsAnswer(t *testing.T) {
	devs := errorDevs(t)
	auth := "Authorization: Bearer " + devKey + "\r\nContent-Type: application/json\r\n"
	t.Run("api", func(t *testing.T) {
		resp, body, werr := streamOversized(t, devs[FrontEndFastHTTP][1], "/v1/links", auth)
		checkJSONError(t, resp, body, 413, "body_too_large", "larger than")
		if werr != nil {
			t.Errorf("sending the body: %v", werr)
		}
	})
	for fe, addrs := range devs {
		t.Run("redirect "+fe, func(t *testing.T) {
			resp, body, werr := streamOversized(t, addrs[0], "/spring", "")
			if resp.StatusCode != 413 {
				t.Errorf("status %d, want 413 (body %q)", resp.StatusCode, body)
			}
			if werr != nil {
				t.Errorf("sending the body: %v", werr)
			}
		})
	}
}

// TestPythonURLLibGets413: Python's urllib, which sends a whole body
// before it reads, gets the 413 of both listeners for a 10 MB POST rather
// than a broken pipe.
func TestPythonURLLibGets413(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH: urllib's view of the 413 is not tested")
	}
	devs := errorDevs(t)
	const script = `
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], data=b"x" * (10 * 1024 * 1024), method="POST",
    headers={"Authorization": "Bearer " + sys.argv[2], "Content-Type": "application/json"})
try:
    print(urllib.request.urlopen(req, timeout=60).status)
except urllib.error.HTTPError as e:
    print(e.code)
`
	urls := map[string]string{"api": "http://" + devs[FrontEndFastHTTP][1] + "/v1/links"}
	for fe, addrs := range devs {
		urls["redirect "+fe] = "http://" + addrs[0] + "/spring"
	}
	for name, url := range urls {
		t.Run(name, func(t *testing.T) {
			out, err := exec.Command(python, "-c", script, url, devKey).CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "413" {
				t.Errorf("python3 urllib POST of 10 MB to %s: %v\n%s", url, err, out)
			}
		})
	}
}

package httpedge

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDiagnose(t *testing.T) {
	for _, tc := range []struct {
		name, head, want string // want: a part of the message; "" for none
	}{
		{"valid", "GET /x HTTP/1.1\r\nHost: a.test:80\r\nX-A: b\r\n\r\n", ""},
		{"valid with body after", "POST /x HTTP/1.1\r\nHost: a\r\n\r\n\x00\x01body", ""},
		{"incomplete", "GET /x HTTP/1.1\r\nHost: a", ""},
		{"bare LF", "GET /x HTTP/1.1\nHost: a\nX: \x00\n\n", "control byte 0x00"},
		{"NUL in value", "GET /x HTTP/1.1\r\nHost: a\r\nX-Nul: a\x00b\r\n\r\n", `"X-Nul" has the control byte 0x00`},
		{"DEL in value", "GET /x HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n", "0x7F"},
		{"tab in value is fine", "GET /x HTTP/1.1\r\nHost: a\r\nX: a\tb\r\n\r\n", ""},
		{"space in name", "GET /x HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", `"Bad Name"`},
		{"empty name", "GET /x HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", "empty field name"},
		{"no colon", "GET /x HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", "no colon"},
		{"folded", "GET /x HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", "folded"},
		{"bad Host", "GET /x HTTP/1.1\r\nHost: a b\r\n\r\n", `Host "a b"`},
		{"Host with a bad port", "GET /x HTTP/1.1\r\nHost: a:8x\r\n\r\n", `Host "a:8x"`},
		{"IPv6 Host", "GET /x HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", ""},
		{"bad IPv6 Host", "GET /x HTTP/1.1\r\nHost: [::g]\r\n\r\n", "not a valid host"},
		{"two Hosts", "GET /x HTTP/1.1\r\nhost: a\r\nHOST: b\r\n\r\n", "more than one Host"},
		{"garbage line", "GARBAGE\r\n\r\n", `"GARBAGE"`},
		{"bad method", "G(T /x HTTP/1.1\r\n\r\n", `method "G(T"`},
		{"bad version", "GET /x HTTP/one\r\n\r\n", "protocol version"},
		{"leading empty lines", "\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := diagnose([]byte(tc.head))
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("diagnose(%q) = %q, want %q", tc.head, got, tc.want)
			}
		})
	}
}

// FuzzDiagnose: any input gets an answer, short, printable UTF-8, that
// never carries more than 64 bytes of one piece of input.
func FuzzDiagnose(f *testing.F) {
	for _, s := range []string{
		"GET /x HTTP/1.1\r\nHost: a\r\n\r\n", "GET /x HTTP/1.1\r\nX: \x00\r\n\r\n", "\n\n", "A B C\n\n",
		"GET / HTTP/1.1\r\nHost: [\r\n\r\n", "GET / HTTP/1.1\r\n\xff: x\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		got := diagnose(head)
		if len(got) > 400 || !utf8.ValidString(got) || strings.ContainsFunc(got, func(r rune) bool { return r < ' ' }) {
			t.Fatalf("diagnose(%q) = %q", head, got)
		}
		if !bytes.Contains(head, []byte("\n\n")) && !bytes.Contains(head, []byte("\n\r\n")) && got != "" {
			t.Fatalf("diagnose of an incomplete head %q = %q", head, got)
		}
	})
}

func TestRewriteOwnAnswer(t *testing.T) {
	const hdrs = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
	for _, tc := range []struct {
		name, in, head string
		status         int
		code, msg      string
	}{
		{"431", "HTTP/1.1 431 Request Header Fields Too Large" + hdrs + "431 Request Header Fields Too Large", "", 431, CodeHeadersTooLarge, "request line and header fields"},
		{"bare 400 with a head", "HTTP/1.1 400 Bad Request" + hdrs + "400 Bad Request", "GET / HTTP/1.1\r\nX: \x00\r\n\r\n", 400, CodeMalformedRequest, "0x00"},
		{"bare 400 without", "HTTP/1.1 400 Bad Request" + hdrs + "400 Bad Request", "", 400, CodeMalformedRequest, "malformed"},
		{"400 with a reason", "HTTP/1.1 400 Bad Request: missing required Host header" + hdrs + "400 Bad Request: missing required Host header", "", 400, CodeMalformedRequest, "missing required Host header"},
		{"501", "HTTP/1.1 501 Not Implemented" + hdrs + "Unsupported transfer encoding", "", 501, CodeNotImplemented, "Unsupported transfer encoding"},
		{"505", "HTTP/1.1 505 HTTP Version Not Supported: unsupported protocol version" + hdrs + "505 HTTP Version Not Supported: unsupported protocol version", "", 505, CodeHTTPVersionNotSupported, "unsupported protocol version"},
		{"417", "HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", "", 417, CodeExpectationFailed, "100-continue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := rewriteOwnAnswer([]byte(tc.in), []byte(tc.head))
			resp, body := readResponse(t, out)
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != "application/json" || !resp.Close {
				t.Fatalf("%d %v", resp.StatusCode, resp.Header)
			}
			checkBody(t, body, tc.code, tc.msg)
		})
	}
	for _, keep := range []string{"HTTP/1.1 200 OK\r\n\r\n", "HTTP/1.1 100 Continue\r\n\r\n", "garbage", "HTTP/1.1 4x4 No\r\n\r\n", ""} {
		if got := rewriteOwnAnswer([]byte(keep), nil); string(got) != keep {
			t.Errorf("rewriteOwnAnswer(%q) = %q, want it unchanged", keep, got)
		}
	}
}

// FuzzRewriteOwnAnswer: whatever is written, the answer is either what
// was written or a well-formed JSON error answer with the same status.
func FuzzRewriteOwnAnswer(f *testing.F) {
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n400 Bad Request"), []byte("GET / HTTP/1.1\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 431 X\r\n\r\n431 X: y"), []byte{})
	f.Fuzz(func(t *testing.T, in, head []byte) {
		out := rewriteOwnAnswer(in, head)
		if bytes.Equal(out, in) {
			return
		}
		status, _, ok := parseOwnAnswer(in)
		if !ok || status < 400 || status > 599 {
			t.Fatalf("rewrote %q, which is not an error answer", in)
		}
		resp, body := readResponse(t, out)
		if resp.StatusCode != status {
			t.Fatalf("status %d, want %d", resp.StatusCode, status)
		}
		checkBody(t, body, codeFor(status), "")
	})
}

func TestCodeFor(t *testing.T) {
	for status, want := range map[int]string{
		404: CodeNotFound, 413: CodeBodyTooLarge, 429: "too_many_requests", 418: "im_a_teapot",
		414: "request_uri_too_long", 999: "status_999",
	} {
		if got := codeFor(status); got != want {
			t.Errorf("codeFor(%d) = %q, want %q", status, got, want)
		}
	}
	_ = http.StatusTeapot
}

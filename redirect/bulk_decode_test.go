package redirect

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestSplitItemKey(t *testing.T) {
	for _, tc := range []struct {
		name, item, rest, key, errField string
	}{
		{"no key", `{"destination_url":"https://a.example/"}`, `{"destination_url":"https://a.example/"}`, "", ""},
		{"key first", `{"idempotency_key":"k1", "path":"p"}`, `{ "path":"p"}`, "k1", ""},
		{"key last", `{"path":"p","idempotency_key":"k2"}`, `{"path":"p"}`, "k2", ""},
		{"key middle", `{"a":1 , "idempotency_key" : "k3" ,"b":[1,{"c":2}]}`, `{"a":1  ,"b":[1,{"c":2}]}`, "k3", ""},
		{"key alone", `{"idempotency_key":"k4"}`, `{}`, "k4", ""},
		{"nested is not the key", `{"metadata":{"idempotency_key":"x"}}`, `{"metadata":{"idempotency_key":"x"}}`, "", ""},
		{"key in a value", `{"path":"\"idempotency_key\""}`, `{"path":"\"idempotency_key\""}`, "", ""},
		{"not an object", `["idempotency_key"]`, `["idempotency_key"]`, "", ""},
		{"malformed", `{"idempotency_key":`, "", "", "idempotency_key"},
		{"key not a string", `{"idempotency_key":5}`, "", "", "idempotency_key"},
		{"key empty", `{"idempotency_key":""}`, "", "", "idempotency_key"},
		{"key with a newline", `{"idempotency_key":"a\nb"}`, "", "", "idempotency_key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rest, key, aerr := splitItemKey([]byte(tc.item))
			if tc.errField != "" {
				if aerr == nil || aerr.Field != tc.errField {
					t.Fatalf("error %v, want one naming %s", aerr, tc.errField)
				}
				return
			}
			if aerr != nil || string(rest) != tc.rest || key != tc.key {
				t.Errorf("= %s, %q, %v; want %s, %q", rest, key, aerr, tc.rest, tc.key)
			}
		})
	}
}

func TestDecodeBulk(t *testing.T) {
	req, aerr := decodeBulk([]byte(`{"items":[{"destination_url":"https://a.example/"}, 5, "x"],"on_conflict":"suffix"}`))
	if aerr != nil || len(req.Items) != 3 || req.OnConflict != "suffix" || string(req.Items[1]) != "5" {
		t.Fatalf("= %+v, %v", req, aerr)
	}
}

// FuzzDecodeBulk checks that no body panics the bulk decoder or the item
// key split, that an accepted body has 1 to MaxBulkItems items, and that a
// split item without its key is still one JSON value when the item was.
func FuzzDecodeBulk(f *testing.F) {
	for _, s := range []string{
		`{"items":[{"destination_url":"https://a.example/","idempotency_key":"k"}]}`,
		`{"items":[{"idempotency_key":"k","path":"p"},{}],"callback_url":"https://h.example/cb","on_conflict":"error"}`,
		`{"items":[]}`, `{"items":null}`, `[]`, `{"items":[1,"a",null,{"idempotency_key":{"x":1}}]}`,
		`{"items":[{"idempotency_key":"k" , "a":[1,2,{"idempotency_key":"n"}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, aerr := decodeBulk(body)
		if aerr != nil {
			if aerr.status != 400 || aerr.Code == "" {
				t.Fatalf("error %+v", aerr)
			}
			return
		}
		if len(req.Items) == 0 || len(req.Items) > MaxBulkItems {
			t.Fatalf("accepted %d items", len(req.Items))
		}
		for _, it := range req.Items {
			rest, key, aerr := splitItemKey(it)
			if aerr != nil {
				continue
			}
			if key != "" && !validIdempotencyKey(key) {
				t.Fatalf("invalid key %q accepted", key)
			}
			if !json.Valid(rest) {
				t.Fatalf("split %s into invalid %s", it, rest)
			}
			if key == "" && !bytes.Equal(rest, it) {
				t.Fatalf("item without a key changed: %s -> %s", it, rest)
			}
		}
	})
}

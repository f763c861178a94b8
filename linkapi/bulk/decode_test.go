package bulk

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/idempotency"
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
		{"key null", `{"idempotency_key":null}`, "", "", "idempotency_key"},
		{"key escaped", `{"idempotency_key":"k\u0035"}`, `{}`, "k5", ""},
		{"escaped member name", `{"idempotency\u005fkey":"k6","idempotency_key":"k7"}`, `{"idempotency_key":"k7"}`, "k6", ""},
		{"brackets in strings", `{"x":"]}\"","idempotency_key":"k8"}`, `{"x":"]}\""}`, "k8", ""},
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

// TestScanBulk checks the fast path of decodeBulk: the bodies it takes
// decode as linkapi.DecodeStrict decodes them, and it leaves the others to it.
func TestScanBulk(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		fast       bool
	}{
		{"plain", `{"items":[{"path":"a"},{"path":"b"}],"callback_url":"https://h.example/cb","on_conflict":"suffix"}`, true},
		{"spaces and nesting", " {\n \"items\" : [ {\"a\":[1,{\"b\":\"]}\"}]} , 5 ,\"x\" ] } ", true},
		{"empty items", `{"items":[]}`, true},
		{"escaped string", `{"items":[{}],"callback_url":"https://h.example/\u00e9\"q"}`, true},
		{"repeated member", `{"items":[{}],"items":[{},{}]}`, false},
		{"other case", `{"Items":[{}]}`, false},
		{"unknown member", `{"items":[{}],"x":1}`, false},
		{"escaped name", `{"item\u0073":[{}]}`, false},
		{"items not an array", `{"items":{}}`, false},
		{"null callback", `{"items":[{}],"callback_url":null}`, false},
		{"not JSON", `{"items":[{}]`, false},
		{"trailing data", `{"items":[{}]} {}`, false},
		{"not an object", `[{"items":[]}]`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := scanBulk([]byte(tc.body))
			if ok != tc.fast {
				t.Fatalf("scanBulk took it: %v, want %v", ok, tc.fast)
			}
			if !ok {
				return
			}
			var want bulkRequest
			if aerr := linkapi.DecodeStrict([]byte(tc.body), &want); aerr != nil || !reflect.DeepEqual(*got, want) {
				t.Fatalf("scanBulk = %+v; linkapi.DecodeStrict = %+v, %v", got, want, aerr)
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
		` {"on_conflict":"suffix", "items" : [ {"a":"]"} , [1] ,2,"x",true ] ,"callback_url":"https://h.example/\u00e9"} `,
		`{"items":[{}],"items":[{},{}]}`, `{"ITEMS":[{}]}`, `{"items":[{}],"callback_url":null}`, `{"items":[{}]} x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if fast, ok := scanBulk(body); ok {
			var want bulkRequest
			if aerr := linkapi.DecodeStrict(body, &want); aerr != nil || !reflect.DeepEqual(*fast, want) {
				t.Fatalf("%s: scanBulk = %+v; linkapi.DecodeStrict = %+v, %v", body, fast, want, aerr)
			}
		}
		req, aerr := decodeBulk(body)
		if aerr != nil {
			if aerr.Status() != 400 || aerr.Code == "" {
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
			if key != "" && !idempotency.ValidKey(key) {
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

// FuzzSplitItemKey checks the scanner of splitItemKey against the
// json.Decoder it replaced: on every valid JSON item both give the same
// rest, key and error; on any other bytes it must not panic.
func FuzzSplitItemKey(f *testing.F) {
	for _, s := range []string{
		`{"idempotency_key":"k1", "path":"p"}`, `{"path":"p","idempotency_key":"k2"}`,
		`{"a":1 , "idempotency_key" : "k3" ,"b":[1,{"c":2}]}`, `{"idempotency_key":"k4"}`,
		`{"metadata":{"idempotency_key":"x"}}`, `{"path":"\"idempotency_key\""}`, `["idempotency_key"]`,
		`{"idempotency_key":5}`, `{"idempotency_key":null}`, `{"idempotency_key":""}`, `{"idempotency_key":"a\nb"}`,
		`{"idempotency_key":"\u0041"}`, `{"idempotency\u005fkey":"k"}`, `{"x":"\\","idempotency_key":"k"}`,
		`{"x":[true,false,null,-1.5e3,"]"],"idempotency_key":"k","y":{}}`, ` { "idempotency_key" : "k" } `,
		`{"idempotency_key":"k","idempotency_key":"j"}`, `{"idempotency_key":`, `{"a":tru,"idempotency_key":"k"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, item []byte) {
		rest, key, aerr := splitItemKey(item)
		if !json.Valid(item) || !bytes.Contains(item, idempotencyKeyMember) {
			return
		}
		wrest, wkey, werr := splitItemKeyDecoder(item)
		if !bytes.Equal(rest, wrest) || key != wkey || (aerr == nil) != (werr == nil) || (aerr != nil && *aerr != *werr) {
			t.Fatalf("%s: scanner = %s, %q, %v; decoder = %s, %q, %v", item, rest, key, aerr, wrest, wkey, werr)
		}
	})
}

func BenchmarkSplitItemKey(b *testing.B) {
	item := []byte(`{"destination_url":"https://shop.example.com/p/123456?src=bulk","path":"bmk2x9-123456","tags":["bulk"],"idempotency_key":"bulk-mk2x9-123456"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, key, aerr := splitItemKey(item); aerr != nil || key == "" {
			b.Fatal(aerr)
		}
	}
}

func BenchmarkSplitItemKeyDecoder(b *testing.B) {
	item := []byte(`{"destination_url":"https://shop.example.com/p/123456?src=bulk","path":"bmk2x9-123456","tags":["bulk"],"idempotency_key":"bulk-mk2x9-123456"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, key, aerr := splitItemKeyDecoder(item); aerr != nil || key == "" {
			b.Fatal(aerr)
		}
	}
}

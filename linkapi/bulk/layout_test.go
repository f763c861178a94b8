package bulk

import (
	"bytes"
	"context"
	"encoding/hex"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/redirect"
)

func unhex(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// previousJobLayout is a finished job (with a callback still pending and
// its secret in the clear, as records written before secrets were sealed
// hold it), its outcomes and an item idempotency key, and a queued job with
// its chunk of raw items: bulk job records as the link API wrote them
// before bulk jobs became a package of their own. The bytes must keep
// opening.
var previousJobLayout = []struct{ key, value string }{
	{"j/job_AAAAAAAAAAAAAAAA", `{"id":"job_AAAAAAAAAAAAAAAA","workspace_id":"ws_AAAAAAAAAAAAAAAA","status":"succeeded","total":2,"processed":2,"created":1,"existing":0,"failed":1,"errors":[{"index":1,"status":"failed","error":{"code":"path_taken","field":"items[1].path","message":"path spring is taken on go.example.com","existing_id":"lnk_0123456789ABCDEFGHIJKL"}}],"callback_url":"https://hooks.example.org/jobs","created_at":"2026-11-23T12:00:00Z","started_at":"2026-11-23T12:00:01Z","finished_at":"2026-11-23T12:00:02Z","callback_secret":"whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0","callback_pending":true,"on_conflict":"suffix","key_id":"key_AbCdEf012345","scopes":["links:write"],"remote_addr":"192.0.2.0"}`},
	{"ji/job_AAAAAAAAAAAAAAAA/\x00\x00\x00\x00\x00\x00\x00\x00", `{"s":"created","l":"lnk_0123456789ABCDEFGHIJKL","d":"go.example.com","p":"spring"}`},
	{"ji/job_AAAAAAAAAAAAAAAA/\x00\x00\x00\x00\x00\x00\x00\x01", `{"s":"failed","e":{"code":"path_taken","field":"items[1].path","message":"path spring is taken on go.example.com","existing_id":"lnk_0123456789ABCDEFGHIJKL"}}`},
	// the key of an item with "idempotency_key": "k1": sha256("k1")
	{"jk/ws_AAAAAAAAAAAAAAAA/" + unhex("6ab9f1eb8f7d3388f4f9d586f66e99fd54080df2c446f0e58668b09c08a16dd0"), `{"l":"lnk_0123456789ABCDEFGHIJKL","d":"go.example.com","p":"spring"}`},
	{"j/job_BBBBBBBBBBBBBBBB", `{"id":"job_BBBBBBBBBBBBBBBB","workspace_id":"ws_AAAAAAAAAAAAAAAA","status":"queued","total":2,"processed":0,"created":0,"existing":0,"failed":0,"created_at":"2026-11-23T12:00:00Z","key_id":"bootstrap_0","scopes":["admin"]}`},
	{"jb/job_BBBBBBBBBBBBBBBB/\x00\x00\x00\x00\x00\x00\x00\x00", "\x02G" + `{"destination_url":"https://shop.example.org/a","idempotency_key":"k1"}` + "0" + `{"destination_url":"https://shop.example.org/b"}`},
}

// TestOpensPreviousJobLayout writes previousJobLayout with pebble alone,
// reads the jobs, outcomes, item keys and raw items through the job store,
// and writes them again, checking that keys and bytes are the same.
func TestOpensPreviousJobLayout(t *testing.T) {
	dir := t.TempDir()
	db, err := pebble.Open(dir, &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range previousJobLayout {
		if err := db.Set([]byte(r.key), []byte(r.value), pebble.Sync); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := redirect.OpenStore(dir, redirect.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	js := newJobStore(s)
	const done, queued, ws = "job_AAAAAAAAAAAAAAAA", "job_BBBBBBBBBBBBBBBB", "ws_AAAAAAAAAAAAAAAA"

	rec, err := js.getJob(ctx, done)
	if err != nil || rec.Status != JobSucceeded || rec.Total != 2 || rec.Created != 1 || rec.Failed != 1 || len(rec.Errors) != 1 ||
		rec.Errors[0].Error.ExistingID != "lnk_0123456789ABCDEFGHIJKL" || !rec.CallbackPending || rec.OnConflict != "suffix" ||
		rec.KeyID != "key_AbCdEf012345" || rec.FinishedAt == nil || rec.RemoteAddr != "192.0.2.0" {
		t.Fatalf("getJob(%s) = %+v, %v", done, rec, err)
	}
	j, err := newJobs(linkapi.APIConfig{Store: s, APIKeys: []string{testKey}, DefaultDomain: testDomain}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if secret, err := j.callbackSecret(rec); err != nil || secret != "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0" {
		t.Errorf("callbackSecret of a secret stored in the clear = %q, %v", secret, err)
	}
	items, recs, next, err := js.jobItems(ctx, done, 0, 10, "", 100)
	if err != nil || len(items) != 2 || next != -1 || items[0].Status != ItemCreated || items[0].LinkID != "lnk_0123456789ABCDEFGHIJKL" ||
		recs[0].Path != "spring" || items[1].Status != ItemFailed || items[1].Error.Code != "path_taken" {
		t.Errorf("jobItems = %+v %+v %d %v", items, recs, next, err)
	}
	pending, err := js.unfinishedJobs(ctx)
	if ids := []string{}; err == nil {
		for _, j := range pending {
			ids = append(ids, j.ID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []string{done, queued}) {
			t.Errorf("unfinishedJobs = %v", ids)
		}
	} else {
		t.Error(err)
	}
	raw, err := js.jobChunk(queued, 0)
	if err != nil || len(raw) != 2 || string(raw[1]) != `{"destination_url":"https://shop.example.org/b"}` {
		t.Errorf("jobChunk = %q, %v", raw, err)
	}
	body, key, aerr := splitItemKey(raw[0])
	if aerr != nil || key != "k1" || string(body) != `{"destination_url":"https://shop.example.org/a"}` {
		t.Errorf("splitItemKey = %q %q %v", body, key, aerr)
	}

	// The keys are built as they were.
	kh := previousJobLayout[3].key[len("jk/"+ws+"/"):]
	for _, k := range []struct {
		got  []byte
		want string
	}{
		{jobKey(done), previousJobLayout[0].key},
		{jobItemKey(done, 0), previousJobLayout[1].key},
		{jobItemKey(done, 1), previousJobLayout[2].key},
		{jobKeyKey(ws, []byte(kh)), previousJobLayout[3].key},
		{jobChunkKey(queued, 0), previousJobLayout[5].key},
	} {
		if string(k.got) != k.want {
			t.Errorf("key %q, want %q", k.got, k.want)
		}
	}
	v, ok := lookupRaw(t, s, previousJobLayout[3].key)
	kr, err := decodeKeyRecord(v)
	if !ok || err != nil || kr.LinkID != "lnk_0123456789ABCDEFGHIJKL" || kr.Path != "spring" {
		t.Errorf("item key record = %+v, %v", kr, err)
	}

	// Written again, every record keeps its bytes.
	if err := js.putJob(ctx, rec); err != nil {
		t.Fatal(err)
	}
	q, err := js.getJob(ctx, queued)
	if err != nil {
		t.Fatal(err)
	}
	if err := js.createJob(ctx, q, raw); err != nil {
		t.Fatal(err)
	}
	for _, r := range previousJobLayout {
		got, _ := lookupRaw(t, s, r.key)
		if string(got) != r.value {
			t.Errorf("%q after a rewrite:\n got %q\nwant %q", r.key, got, r.value)
		}
	}
	for i, ir := range recs {
		got, err := appendItemRecord(nil, &ir)
		if err != nil || string(got) != previousJobLayout[1+i].value {
			t.Errorf("appendItemRecord(%+v) = %s, %v", ir, got, err)
		}
	}
	if got := appendKeyRecord(nil, kr); string(got) != previousJobLayout[3].value {
		t.Errorf("appendKeyRecord = %s", got)
	}
}

func lookupRaw(t *testing.T, s *redirect.Store, key string) ([]byte, bool) {
	t.Helper()
	var v []byte
	ok, err := pebblekv.Get(s.DB(), []byte(key), func(b []byte) error { v = bytes.Clone(b); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return v, ok
}

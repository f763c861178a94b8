package pebblekv

import (
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// TestProbe checks a probe's answers for keys in the memtable and in
// sstables (compacted down to the last level, whose filters it uses), in
// any order, present or not.
func TestProbe(t *testing.T) {
	o := &pebble.Options{FS: vfs.NewMem()}
	BloomAllLevels(o)
	db, err := pebble.Open("", o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 100 {
		if err := db.Set(fmt.Appendf(nil, "t/%03d", i), fmt.Appendf(nil, "v%d", i), pebble.NoSync); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Set([]byte("t/empty"), nil, pebble.NoSync); err != nil {
		t.Fatal(err)
	}
	if err := db.Compact(t.Context(), []byte("t/"), []byte("t0"), true); err != nil {
		t.Fatal(err)
	}
	if err := db.Set([]byte("t/mem"), []byte("m"), pebble.NoSync); err != nil { // stays in the memtable
		t.Fatal(err)
	}
	pr, err := NewProbe(db)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	for _, tc := range []struct {
		name, key, want string
		absent          bool
	}{
		{name: "in an sstable", key: "t/042", want: "v42"},
		{name: "in the memtable", key: "t/mem", want: "m"},
		{name: "empty value", key: "t/empty", want: ""},
		{name: "absent, between keys", key: "t/0425", absent: true},
		{name: "absent, a prefix of a key", key: "t/04", absent: true},
		{name: "absent, after every key", key: "z", absent: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := pr.Get([]byte(tc.key))
			if err != nil || (v == nil) != tc.absent || string(v) != tc.want {
				t.Fatalf("Get(%s) = %q (nil %v), %v; want %q", tc.key, v, v == nil, err, tc.want)
			}
		})
	}
	keys := [][]byte{[]byte("t/099"), []byte("t/x"), []byte("t/001"), []byte("t/mem"), []byte("t/001")}
	vals, err := pr.GetAll(keys)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%q", vals); got != `["v99" "" "v1" "m" "v1"]` || vals[1] != nil {
		t.Fatalf("GetAll = %s (vals[1] nil: %v)", got, vals[1] == nil)
	}
}

package schemas

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// tricky are strings that exercise every escaping rule of encoding/json.
var tricky = []string{
	"", "a", `"quoted"`, `back\slash`, "<script>&amp;</script>", "\x00\x01\x1f\x7f",
	"\b\f\n\r\t", "\u2028\u2029", "héllo wörld", "日本語", "\xff", "a\xc3", "\xed\xa0\x80",
	"\xf0\x9f\x98\x80 emoji", "mixed\x80<&>\u2028end",
}

// randString returns a short string from tricky pieces, random bytes
// (often invalid UTF-8) and random runes.
func randString(r *rand.Rand) string {
	var b []byte
	for range r.IntN(4) {
		switch r.IntN(3) {
		case 0:
			b = append(b, tricky[r.IntN(len(tricky))]...)
		case 1:
			for range r.IntN(6) {
				b = append(b, byte(r.IntN(256)))
			}
		default:
			for range r.IntN(4) {
				b = append(b, string(rune(r.IntN(0x110000)))...)
			}
		}
	}
	return string(b)
}

// maybe returns "" half of the time, to exercise omitempty.
func maybe(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		return ""
	}
	return randString(r)
}

func randTags(r *rand.Rand) []string {
	switch r.IntN(3) {
	case 0:
		return nil
	case 1:
		return []string{}
	}
	tags := make([]string, 1+r.IntN(5))
	for i := range tags {
		tags[i] = randString(r)
	}
	return tags
}

func randMetadata(r *rand.Rand) map[string]string {
	switch r.IntN(3) {
	case 0:
		return nil
	case 1:
		return map[string]string{}
	}
	n := 1 + r.IntN(40) // more than appendMetadata's stack array
	m := make(map[string]string, n)
	for range n {
		m[randString(r)] = randString(r)
	}
	return m
}

func randTime(r *rand.Rand) time.Time {
	var zero time.Time
	switch r.IntN(5) {
	case 0:
		return zero
	case 1:
		return time.Unix(r.Int64N(1<<35), 0).In(time.FixedZone("", (r.IntN(48)-24)*1800))
	}
	return time.Unix(0, r.Int64N(1<<62)).UTC()
}

func randUTM(r *rand.Rand) UTM {
	return UTM{Source: maybe(r), Medium: maybe(r), Campaign: maybe(r), Term: maybe(r), Content: maybe(r)}
}

func randRaw(r *rand.Rand) *RawClick {
	return &RawClick{
		V: r.IntN(3) - 1, EventID: maybe(r), Type: maybe(r), Time: randTime(r),
		WorkspaceID: maybe(r), LinkID: maybe(r), Domain: maybe(r), Path: maybe(r), Destination: maybe(r),
		IP: maybe(r), UserAgent: maybe(r), Referer: maybe(r), AcceptLanguage: maybe(r),
		UTM: randUTM(r), Tags: randTags(r), Metadata: randMetadata(r), RuleID: maybe(r), Variant: maybe(r),
	}
}

func randEnriched(r *rand.Rand) *EnrichedClick {
	return &EnrichedClick{
		V: r.IntN(3), EventID: maybe(r), Type: maybe(r), Time: randTime(r),
		WorkspaceID: maybe(r), LinkID: maybe(r), Domain: maybe(r), Path: maybe(r), Destination: maybe(r),
		IPPrefix: maybe(r), VisitorHash: r.Uint64() >> r.IntN(64), Country: maybe(r), Region: maybe(r),
		City: maybe(r), DeviceType: maybe(r), OS: maybe(r), Browser: maybe(r), Bot: r.IntN(2) == 0,
		BotName: maybe(r), ReferrerHost: maybe(r), Language: maybe(r), UTM: randUTM(r),
		Tags: randTags(r), Metadata: randMetadata(r), ContactID: maybe(r), RuleID: maybe(r), Variant: maybe(r),
		Internal: r.IntN(2) == 0,
	}
}

// checkSame fails t unless v.Marshal and v.AppendJSON (after a prefix) give
// exactly the bytes encoding/json gives.
func checkSame(t *testing.T, v interface {
	Marshal() ([]byte, error)
	AppendJSON([]byte) []byte
}) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	got, err := v.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Marshal differs from encoding/json:\n got %q\nwant %q", got, want)
	}
	if got := v.AppendJSON([]byte("prefix")); !bytes.Equal(got, append([]byte("prefix"), want...)) {
		t.Fatalf("AppendJSON after a prefix differs:\n got %q\nwant prefix%q", got, want)
	}
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    interface {
			Marshal() ([]byte, error)
			AppendJSON([]byte) []byte
		}
	}{
		{"raw zero", &RawClick{}},
		{"enriched zero", &EnrichedClick{}},
		{"raw sample", sampleRaw()},
		{"enriched sample", sampleEnriched()},
		{"raw one utm field", &RawClick{UTM: UTM{Content: "c"}}},
		{"enriched max hash", &EnrichedClick{VisitorHash: 1<<64 - 1, Bot: true}},
		{"enriched internal", &EnrichedClick{Internal: true, Variant: "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkSame(t, tc.v) })
	}
	for _, s := range tricky {
		t.Run("string "+s, func(t *testing.T) {
			checkSame(t, &RawClick{UserAgent: s, Tags: []string{s}, Metadata: map[string]string{s: s, "k": s}})
		})
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		checkSame(t, randRaw(r))
		checkSame(t, randEnriched(r))
	}
}

func TestMarshalBadTimeFailsLikeEncodingJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		ts   time.Time
	}{
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"year -1", time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"offset 24h", time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, want := json.Marshal(&RawClick{Time: tc.ts})
			if want == nil {
				t.Fatal("encoding/json accepted it: the case tests nothing")
			}
			if _, err := (&RawClick{Time: tc.ts}).Marshal(); err == nil || err.Error() != want.Error() {
				t.Fatalf("RawClick.Marshal err = %v, want %v", err, want)
			}
			if _, err := (&EnrichedClick{Time: tc.ts}).Marshal(); err == nil {
				t.Fatal("EnrichedClick.Marshal accepted it")
			}
		})
	}
}

// FuzzAppendJSON compares the encoders with encoding/json: s lands in every
// string field, a tag and a metadata key and value; seed draws the rest.
func FuzzAppendJSON(f *testing.F) {
	for i, s := range tricky {
		f.Add(uint64(i), s)
	}
	f.Fuzz(func(t *testing.T, seed uint64, s string) {
		r := rand.New(rand.NewPCG(seed, 0))
		raw := randRaw(r)
		raw.EventID, raw.UserAgent, raw.Tags = s, s, append(raw.Tags, s)
		raw.Metadata = map[string]string{s: s, "a" + s: "", "contact_id": s}
		checkSame(t, raw)
		en := randEnriched(r)
		en.City, en.BotName, en.UTM.Term, en.Tags = s, s, s, []string{s, s}
		checkSame(t, en)
	})
}

func BenchmarkAppendJSONRaw(b *testing.B) {
	c := sampleRaw()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = c.AppendJSON(buf[:0])
	}
}

func BenchmarkMarshalEnriched(b *testing.B) {
	c := sampleEnriched()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}

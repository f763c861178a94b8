package enrich

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTokenIndexMatch(t *testing.T) {
	x := newTokenIndex(
		[][]byte{[]byte("edg/"), []byte("chrome/"), []byte("safari/"), []byte("ab")},
		[][]byte{[]byte("bot/"), []byte("chr")},
	)
	tests := []struct {
		name, text string
		want       []int
	}{
		{"empty text", "", []int{-1, -1}},
		{"one byte", "a", []int{-1, -1}},
		{"no token", "mozilla/5.0 (x11)", []int{-1, -1}},
		{"table order beats text order", "chrome/1 safari/2 edg/3", []int{0, 1}},
		{"later rule when earlier absent", "safari/2 chrome/1", []int{1, 1}},
		{"token at the very end", "xx safari/", []int{2, -1}},
		{"token cut off by the end", "xx safari", []int{-1, -1}},
		{"two-byte token", "xab", []int{3, -1}},
		{"tables match independently", "foobot/1 ab", []int{3, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make([]int, 2)
			x.match([]byte(tt.text), got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("match(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

// naiveMatch is the obvious implementation tokenIndex must agree with.
func naiveMatch(tables [][][]byte, text []byte) []int {
	out := make([]int, len(tables))
	for t, tokens := range tables {
		out[t] = -1
		for r, tok := range tokens {
			if bytes.Contains(text, tok) {
				out[t] = r
				break
			}
		}
	}
	return out
}

// TestTokenIndexAgreesWithNaive checks the UA index against naiveMatch on
// texts stitched from fragments of the real tokens, where overlapping and
// cut-off tokens are common.
func TestTokenIndexAgreesWithNaive(t *testing.T) {
	var frags [][]byte
	for _, table := range uaIndex.tables {
		for _, tok := range table {
			frags = append(frags, tok, tok[:len(tok)/2], tok[len(tok)/2:])
		}
	}
	frags = append(frags, []byte(" "), []byte("/"), []byte("mozilla/5.0 ("))
	rng := rand.New(rand.NewPCG(1, 2))
	got := make([]int, numTables)
	for i := range 20000 {
		var text []byte
		for range 1 + rng.IntN(8) {
			text = append(text, frags[rng.IntN(len(frags))]...)
		}
		uaIndex.match(text, got)
		if want := naiveMatch(uaIndex.tables, text); !slices.Equal(got, want) {
			t.Fatalf("case %d: match(%q) = %v, naive %v", i, text, got, want)
		}
	}
}

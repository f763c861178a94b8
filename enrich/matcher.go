package enrich

import "bytes"

// tokenIndex finds, for each of several ordered tables of lowercase tokens,
// the first rule in table order whose token occurs in a lowercase text, in
// one pass over the text.
//
// The simpler design, one bytes.Contains per rule, scans the text once per
// rule (about 80 scans of a 150-byte agent with the current tables).
// Indexing the tokens by first byte visits each text position once and
// compares only the few tokens starting with that byte; checking the second
// byte inline rejects most of those without a call.
type tokenIndex struct {
	tables  [][][]byte
	byFirst [256][]candidate // ascending rule order within each table
}

type candidate struct {
	table  uint8
	second byte // second byte of the token; tokens have at least two
	rule   uint16
}

func newTokenIndex(tables ...[][]byte) *tokenIndex {
	x := &tokenIndex{tables: tables}
	for t, tokens := range tables {
		for r, tok := range tokens {
			if len(tok) < 2 || !bytes.Equal(tok, bytes.ToLower(tok)) {
				panic("enrich: rule token must be lower case and at least 2 bytes: " + string(tok))
			}
			x.byFirst[tok[0]] = append(x.byFirst[tok[0]], candidate{table: uint8(t), second: tok[1], rule: uint16(r)})
		}
	}
	return x
}

// match sets best[t] to the index of the winning rule of table t, or -1.
// best must have one element per table.
func (x *tokenIndex) match(text []byte, best []int) {
	for t := range best {
		best[t] = len(x.tables[t])
	}
	for i := 0; i+1 < len(text); i++ {
		for _, c := range x.byFirst[text[i]] {
			if c.second != text[i+1] || int(c.rule) >= best[c.table] {
				continue
			}
			if bytes.HasPrefix(text[i+2:], x.tables[c.table][c.rule][2:]) {
				best[c.table] = int(c.rule)
			}
		}
	}
	for t := range best {
		if best[t] == len(x.tables[t]) {
			best[t] = -1
		}
	}
}

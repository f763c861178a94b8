package guidetest

import (
	"bufio"
	"strings"
)

// Markers in the guide that keep queries out of the test. Each must be
// explained where it stands.
const (
	// SkipQuery on a line of a ```sql block (as a SQL comment, "-- " +
	// SkipQuery) leaves that block out.
	SkipQuery = "guide-test: skip"
	// SkipSection in an HTML comment (<!-- guide-test: skip-section -->)
	// leaves out every block of the next "## " section.
	SkipSection = "guide-test: skip-section"
)

// Queries returns the statements of the guide's ```sql blocks in order,
// comments removed, each without its closing semicolon; blocks marked
// SkipQuery and sections after a SkipSection marker are left out.
func Queries(readme string) []string {
	var (
		out                          []string
		inBlock, skipBlock, skipNext bool
		skipSection                  bool
		stmt                         strings.Builder
	)
	sc := bufio.NewScanner(strings.NewReader(readme))
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case !inBlock && strings.HasPrefix(trimmed, "<!--") && strings.Contains(trimmed, SkipSection):
			skipNext = true
		case !inBlock && strings.HasPrefix(trimmed, "## "):
			skipSection, skipNext = skipNext, false
		case !inBlock && trimmed == "```sql":
			inBlock, skipBlock = true, skipSection
			stmt.Reset()
		case inBlock && trimmed == "```":
			inBlock = false
			if s := strings.TrimSpace(stmt.String()); s != "" && !skipBlock {
				out = append(out, s) // the last statement needs no semicolon
			}
		case inBlock:
			if i := strings.Index(line, "--"); i >= 0 {
				if strings.Contains(line[i:], SkipQuery) {
					skipBlock = true
				}
				line = line[:i]
			}
			if skipBlock || strings.TrimSpace(line) == "" {
				continue
			}
			stmt.WriteString(line + "\n")
			if s := strings.TrimSpace(stmt.String()); strings.HasSuffix(s, ";") {
				out = append(out, strings.TrimSuffix(s, ";"))
				stmt.Reset()
			}
		}
	}
	return out
}

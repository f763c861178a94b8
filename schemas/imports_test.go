package schemas

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsNothingOfOurs keeps the contract at the bottom of the
// dependency graph (docs/package-layout.md): schemas and its encoding
// primitives (schemas/jsonenc) import the standard library and each other
// only, so every stage and sink can import them without a cycle.
func TestImportsNothingOfOurs(t *testing.T) {
	const module = "github.com/clicktrail/clicktrail/"
	allowed := map[string]bool{module + "schemas/jsonenc": true}
	for _, dir := range []string{".", "jsonenc"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if strings.HasPrefix(path, module) && !(allowed[path] && dir == ".") {
					t.Errorf("%s imports %s: schemas must import nothing of the project", name, path)
				}
			}
		}
	}
}

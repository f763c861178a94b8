package redirect

import (
	"context"
	"errors"
	"testing"

	"github.com/clicktrail/clicktrail/schemas"
)

// TestJobLookups checks that a job's context remembers templates and
// domains, found or not, and that a context without one reads the store.
func TestJobLookups(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	ctx := context.Background()
	job := withJobLookups(ctx)

	if _, err := getTemplate(job, s, "ws_a", DefaultTemplateName); !errors.Is(err, ErrTemplateNotFound) {
		t.Fatalf("template before it exists: %v", err)
	}
	if _, err := getDomain(job, s, "go.example"); !errors.Is(err, ErrDomainNotFound) {
		t.Fatalf("domain before it exists: %v", err)
	}
	if err := s.PutTemplate(ctx, &UTMTemplate{Name: DefaultTemplateName, WorkspaceID: "ws_a", UTM: schemas.UTM{Medium: "email"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDomain(ctx, &Domain{Domain: "go.example", WorkspaceID: "ws_a"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		ctx       context.Context
		wantFound bool
	}{
		{"the job remembers the first answer", job, false},
		{"a new job reads the store", withJobLookups(ctx), true},
		{"no job reads the store", ctx, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp, err := getTemplate(tc.ctx, s, "ws_a", DefaultTemplateName)
			if found := err == nil && tp.UTM.Medium == "email"; found != tc.wantFound {
				t.Errorf("template = %+v, %v; want found %v", tp, err, tc.wantFound)
			}
			d, err := getDomain(tc.ctx, s, "go.example")
			if found := err == nil && d.WorkspaceID == "ws_a"; found != tc.wantFound {
				t.Errorf("domain = %+v, %v; want found %v", d, err, tc.wantFound)
			}
		})
	}
}

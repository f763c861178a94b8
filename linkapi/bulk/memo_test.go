package bulk

import (
	"context"
	"errors"
	"testing"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/templates"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/redirect/redirecttest"
	"github.com/clicktrail/clicktrail/schemas"
)

// TestJobLookups checks that a job's memo remembers templates and
// domains, found or not, and that a new one reads the store. (That a
// create without a memo reads the store is linkapi's TestLookupsInContext.)
func TestJobLookups(t *testing.T) {
	s, _ := redirecttest.OpenStore(t, redirect.StoreOptions{})
	tp, ten := templates.NewStore(s), tenancy.NewStore(s)
	ctx := context.Background()
	job := newJobLookups(s)

	if _, err := job.Template(ctx, "ws_a", templates.DefaultName); !errors.Is(err, templates.ErrNotFound) {
		t.Fatalf("template before it exists: %v", err)
	}
	if _, err := job.Domain(ctx, "go.example"); !errors.Is(err, tenancy.ErrDomainNotFound) {
		t.Fatalf("domain before it exists: %v", err)
	}
	if err := tp.Put(ctx, &templates.Template{Name: templates.DefaultName, WorkspaceID: "ws_a", UTM: schemas.UTM{Medium: "email"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ten.AddDomain(ctx, &tenancy.Domain{Domain: "go.example", WorkspaceID: "ws_a"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		memo      linkapi.Lookups
		wantFound bool
	}{
		{"the job remembers the first answer", job, false},
		{"a new job reads the store", newJobLookups(s), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp, err := tc.memo.Template(ctx, "ws_a", templates.DefaultName)
			if found := err == nil && tp.UTM.Medium == "email"; found != tc.wantFound {
				t.Errorf("template = %+v, %v; want found %v", tp, err, tc.wantFound)
			}
			d, err := tc.memo.Domain(ctx, "go.example")
			if found := err == nil && d.WorkspaceID == "ws_a"; found != tc.wantFound {
				t.Errorf("domain = %+v, %v; want found %v", d, err, tc.wantFound)
			}
		})
	}
}

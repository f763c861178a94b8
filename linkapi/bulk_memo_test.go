package linkapi

import (
	"context"
	"errors"
	"testing"

	"github.com/clicktrail/clicktrail/linkapi/templates"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/schemas"
)

// TestJobLookups checks that a job's context remembers templates and
// domains, found or not, and that a context without one reads the store.
func TestJobLookups(t *testing.T) {
	s, _ := openTestStore(t, redirect.StoreOptions{})
	tp, ten := templates.NewStore(s), tenancy.NewStore(s)
	ctx := context.Background()
	job := withJobLookups(ctx)

	if _, err := getTemplate(job, tp, "ws_a", templates.DefaultName); !errors.Is(err, templates.ErrNotFound) {
		t.Fatalf("template before it exists: %v", err)
	}
	if _, err := getDomain(job, ten, "go.example"); !errors.Is(err, tenancy.ErrDomainNotFound) {
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
		ctx       context.Context
		wantFound bool
	}{
		{"the job remembers the first answer", job, false},
		{"a new job reads the store", withJobLookups(ctx), true},
		{"no job reads the store", ctx, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp, err := getTemplate(tc.ctx, tp, "ws_a", templates.DefaultName)
			if found := err == nil && tp.UTM.Medium == "email"; found != tc.wantFound {
				t.Errorf("template = %+v, %v; want found %v", tp, err, tc.wantFound)
			}
			d, err := getDomain(tc.ctx, ten, "go.example")
			if found := err == nil && d.WorkspaceID == "ws_a"; found != tc.wantFound {
				t.Errorf("domain = %+v, %v; want found %v", d, err, tc.wantFound)
			}
		})
	}
}

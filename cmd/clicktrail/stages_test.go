package main

import (
	"testing"

	"github.com/clicktrail/clicktrail/internal/app"
)

// TestEveryStageDeclaresItsFlags: a stage added to app.Stages declares
// its flags (maybe none) in stageFlags, so that its worker and dev offer
// them; and no entry names a stage that is not in the list.
func TestEveryStageDeclaresItsFlags(t *testing.T) {
	listed := map[string]bool{}
	for _, s := range app.Stages() {
		listed[s.Name] = true
		if _, ok := stageFlags[s.Name]; !ok {
			t.Errorf("stage %q has no entry in stageFlags", s.Name)
		}
	}
	for name := range stageFlags {
		if !listed[name] {
			t.Errorf("stageFlags names %q, which app.Stages does not list", name)
		}
	}
}

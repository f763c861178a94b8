package main

import (
	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/cliflag"
)

// addStageFlags adds to set the flags of the stages of app.Stages that
// keep accepts: the tagged fields of each stage's config (Stage.Config)
// inside cfgs, so that what the flags set is what the stage's package
// gets. No stage's flag is declared in this package.
func addStageFlags(set *cliflag.Set, cfgs *app.StageConfigs, keep func(app.Stage) bool) {
	for _, s := range app.Stages() {
		if keep(s) && s.Config != nil {
			set.Add(s.Config(cfgs), nil)
		}
	}
}

// Package stack is the deploy check's neutral picture of a deployment's
// clicktrail processes, read from a compose file (composecheck) or from
// systemd units (unitcheck): each process's arguments, environment, order
// and storage. The invariants every such deployment must meet are checked
// here (Check); the rehearsal (package rehearse) runs a Stack.
package stack

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/clicktrail/clicktrail/deploy/check/internal/flagsref"
)

// Served are the paths each clicktrail command serves on the listener set
// by a variable: what a Kubernetes probe may ask. The rehearsal asks them of
// the running processes, so this table cannot drift from the binary.
var Served = map[string]map[string][]string{
	"redirect": {"CLICKTRAIL_REDIRECT_ADDR": {"/healthz", "/readyz"}},
}

// Service is one clicktrail process of a deployment.
type Service struct {
	Name string
	// Args are clicktrail's arguments: the command's words and its flags.
	Args []string
	Env  map[string]string
	// After are the services that must be up (or, for a OneShot, have
	// exited 0) before this one starts.
	After []string
	// OneShot marks a process that runs to completion (migrate).
	OneShot bool
	// Shared are the variables of Env that come from a source several
	// services share (a systemd EnvironmentFile=): a service need not read
	// each, but some service given it must.
	Shared map[string]bool
	// Dirs are the paths of the service's persistent, writable storage
	// (compose volume targets, systemd's StateDirectory).
	Dirs []string
}

// Stack is a deployment's clicktrail processes.
type Stack struct {
	Source   string // the file or directory it was read from, for errors
	Services []Service
}

// Command returns the service's command words ("sink webhook") as the
// flags file knows them, or "" when it names none.
func (s Service) Command(fl *flagsref.Flags) (*flagsref.Command, int) {
	return fl.Command(s.Args)
}

// Setting returns the value of the flag named flag (given as --flag x or
// --flag=x in Args) or else of its variable in Env, and whether either was
// set.
func (s Service) Setting(flag, env string) (string, bool) {
	for i, a := range s.Args {
		if a == "--"+flag && i+1 < len(s.Args) {
			return s.Args[i+1], true
		}
		if v, ok := strings.CutPrefix(a, "--"+flag+"="); ok {
			return v, true
		}
	}
	v, ok := s.Env[env]
	return v, ok
}

var hostname = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)

// Check reports what makes the stack unable to run or incomplete: a
// process whose command or variables clicktrail does not know, a worker
// command no process runs (so its stage never runs), a data directory on no
// persistent storage, a default domain that is not a host name.
func (st Stack) Check(fl *flagsref.Flags) []error {
	var errs []error
	ran := map[string]bool{}
	sharedRead := map[string]bool{}
	for _, s := range st.Services {
		what := st.Source + ": " + s.Name
		cmd, n := s.Command(fl)
		if cmd == nil {
			errs = append(errs, fmt.Errorf("%s: %q is no clicktrail command", what, strings.Join(s.Args, " ")))
			continue
		}
		ran[cmd.Name] = true
		own := map[string]string{}
		for k, v := range s.Env {
			if !s.Shared[k] {
				own[k] = v
			} else if _, reads := cmd.Env[k]; reads {
				sharedRead[k] = true
			} else if _, seen := sharedRead[k]; !seen {
				sharedRead[k] = false
			}
		}
		errs = append(errs, cmd.CheckArgs(what, s.Args[n:], own)...)
		if _, reads := cmd.Env["CLICKTRAIL_DATA_DIR"]; reads {
			dir, ok := s.Setting("data-dir", "CLICKTRAIL_DATA_DIR")
			if !ok {
				errs = append(errs, fmt.Errorf("%s: no data dir set (CLICKTRAIL_DATA_DIR): the default .local/dev is not persistent storage", what))
			} else if !within(dir, s.Dirs) {
				errs = append(errs, fmt.Errorf("%s: data dir %s is on no persistent storage (have %v)", what, dir, s.Dirs))
			}
		}
		if d, ok := s.Setting("default-domain", "CLICKTRAIL_DEFAULT_DOMAIN"); ok && !hostname.MatchString(d) {
			errs = append(errs, fmt.Errorf("%s: CLICKTRAIL_DEFAULT_DOMAIN=%q is not a host name (no port, no scheme): the redirect node refuses it", what, d))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(sharedRead)) {
		if !sharedRead[k] && strings.HasPrefix(k, "CLICKTRAIL_") {
			errs = append(errs, fmt.Errorf("%s: %s is shared with services none of which reads it", st.Source, k))
		}
	}
	for _, c := range Workers(fl) {
		if !ran[c] {
			errs = append(errs, fmt.Errorf("%s: no service runs `clicktrail %s`, so its stages never run", st.Source, c))
		}
	}
	return errs
}

// Workers are the commands a full deployment runs: every command that
// reads Kafka or ClickHouse, but the all-in-one dev.
func Workers(fl *flagsref.Flags) []string {
	set := map[string]bool{}
	for _, v := range []string{"CLICKTRAIL_KAFKA_BROKERS", "CLICKTRAIL_CLICKHOUSE_DSN"} {
		for _, c := range fl.Reading(v) {
			if c != "dev" {
				set[c] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func within(dir string, roots []string) bool {
	dir = path.Clean(dir)
	for _, r := range roots {
		r = path.Clean(r)
		if dir == r || strings.HasPrefix(dir, r+"/") {
			return true
		}
	}
	return false
}

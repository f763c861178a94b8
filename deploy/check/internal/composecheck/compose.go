// Package composecheck loads deploy/compose/compose.yaml with the Compose
// specification's own Go loader (compose-go), checks what only a compose
// file can get wrong (start order and its conditions, volumes and who owns
// them, the Kafka image's log directory), and turns its clicktrail services
// into a stack.Stack for the shared checks and the rehearsal.
package composecheck

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/clicktrail/clicktrail/deploy/check/internal/dockerfile"
	"github.com/clicktrail/clicktrail/deploy/check/internal/stack"
)

// KafkaImageLogDir is where the apache/kafka image keeps its log when
// KAFKA_LOG_DIRS is not set (log.dirs in the image's
// /etc/kafka/docker/server.properties); the image prepares
// /var/lib/kafka/data, owned by its user, for a volume.
const KafkaImageLogDir = "/tmp/kraft-combined-logs"

// Load loads the compose file at path as `docker compose` would, with env
// as the shell's environment (for ${VAR} interpolation). Any error of the
// loader (schema, interpolation, consistency) is returned.
func Load(ctx context.Context, path string, env map[string]string) (*types.Project, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	p, err := loader.LoadWithContext(ctx, types.ConfigDetails{
		WorkingDir:  filepath.Dir(abs),
		ConfigFiles: []types.ConfigFile{{Filename: abs}},
		Environment: env,
	}, func(o *loader.Options) { o.SetProjectName("clicktrail", true) })
	if err != nil {
		return nil, fmt.Errorf("compose loader: %w", err)
	}
	return p, nil
}

// isClicktrail reports whether the service runs the image built from this
// repository.
func isClicktrail(s types.ServiceConfig) bool { return s.Build != nil }

// Check reports the compose-only faults of p given the image img.
func Check(p *types.Project, img *dockerfile.Image, source string) []error {
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(source+": "+format, a...)) }
	for _, name := range sortedNames(p) {
		s := p.Services[name]
		if isClicktrail(s) {
			for _, v := range s.Volumes {
				if img != nil && !slices.Contains(img.OwnedDirs, strings.TrimSuffix(v.Target, "/")) {
					fail("%s: volume %s is mounted at %s, which the image does not give its user %q (Dockerfile COPY --chown): a fresh volume there is owned by root and the non-root process cannot write it",
						name, v.Source, v.Target, img.User)
				}
			}
			for _, dep := range needed(p, s) {
				if _, ok := s.DependsOn[dep]; !ok {
					fail("%s: reaches %s but does not depend_on it", name, dep)
				}
			}
			for dep, d := range s.DependsOn {
				ds := p.Services[dep]
				switch {
				case isClicktrail(ds) && len(ds.Command) > 0 && ds.Command[0] == "migrate":
					if d.Condition != types.ServiceConditionCompletedSuccessfully {
						fail("%s: depends on %s with condition %s; it must wait for the migration to finish (%s)", name, dep, d.Condition, types.ServiceConditionCompletedSuccessfully)
					}
				case !isClicktrail(ds):
					if d.Condition != types.ServiceConditionHealthy {
						fail("%s: depends on %s with condition %s: a started container is not a server that answers (want %s)", name, dep, d.Condition, types.ServiceConditionHealthy)
					}
					if ds.HealthCheck == nil || ds.HealthCheck.Disable {
						fail("%s: has no healthcheck, so %s cannot wait for it", dep, name)
					}
				}
			}
			continue
		}
		if strings.Contains(s.Image, "kafka") {
			dir := KafkaImageLogDir
			if v := s.Environment["KAFKA_LOG_DIRS"]; v != nil {
				dir = *v
			}
			ok := false
			for _, v := range s.Volumes {
				if strings.TrimSuffix(v.Target, "/") == dir {
					ok = true
				}
			}
			if !ok {
				fail("%s: the broker keeps its log in %s (KAFKA_LOG_DIRS), where no volume is mounted: topics are lost with the container", name, dir)
			}
		}
	}
	return errs
}

// needed returns the other services whose host name s's environment uses.
func needed(p *types.Project, s types.ServiceConfig) []string {
	var out []string
	for _, other := range sortedNames(p) {
		if other == s.Name {
			continue
		}
		re := regexp.MustCompile(`(^|[/@,])` + regexp.QuoteMeta(other) + `:\d+`)
		for _, v := range s.Environment {
			if v != nil && re.MatchString(*v) {
				out = append(out, other)
				break
			}
		}
	}
	return out
}

// Stack returns p's clicktrail services.
func Stack(p *types.Project, source string) (stack.Stack, []error) {
	st := stack.Stack{Source: source}
	var errs []error
	for _, name := range sortedNames(p) {
		s := p.Services[name]
		if !isClicktrail(s) {
			continue
		}
		svc := stack.Service{Name: name, Args: append([]string(nil), s.Command...), Env: map[string]string{}}
		for k, v := range s.Environment {
			if v == nil {
				errs = append(errs, fmt.Errorf("%s: %s: %s has no value", source, name, k))
				continue
			}
			svc.Env[k] = *v
		}
		for dep := range s.DependsOn {
			if isClicktrail(p.Services[dep]) {
				svc.After = append(svc.After, dep)
			}
		}
		sort.Strings(svc.After)
		for _, v := range s.Volumes {
			svc.Dirs = append(svc.Dirs, v.Target)
		}
		for _, other := range p.Services {
			if d, ok := other.DependsOn[name]; ok && d.Condition == types.ServiceConditionCompletedSuccessfully {
				svc.OneShot = true
			}
		}
		st.Services = append(st.Services, svc)
	}
	return st, errs
}

func sortedNames(p *types.Project) []string {
	names := make([]string, 0, len(p.Services))
	for n := range p.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

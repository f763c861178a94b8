// Package unitcheck reads the systemd units of deploy/systemd, checks their
// hardening, and turns them into a stack.Stack for the shared checks and
// the rehearsal: ExecStart's arguments with systemd's ${VAR} expansion, the
// environment of EnvironmentFile= then Environment=, StateDirectory= as the
// service's storage (and $STATE_DIRECTORY), Type=oneshot, and the order of
// After=/Requires= between the units.
package unitcheck

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/clicktrail/clicktrail/deploy/check/internal/stack"
)

// EnvDir is where the units' EnvironmentFile= paths live on a host; the
// repository keeps the files of that directory beside the units.
const EnvDir = "/etc/clicktrail/"

// StateRoot is systemd's directory of StateDirectory= for system units.
const StateRoot = "/var/lib/"

// Unit is one parsed unit file: its sections' keys, each with every value
// in order (systemd allows repeats).
type Unit struct {
	Name, Path string
	Keys       map[string][]string // "Service.ExecStart" -> values
}

// Get returns the key's last value.
func (u Unit) Get(key string) string {
	v := u.Keys[key]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// Parse reads a unit file.
func Parse(path string) (Unit, error) {
	f, err := os.Open(path)
	if err != nil {
		return Unit{}, err
	}
	defer f.Close()
	u := Unit{Name: strings.TrimSuffix(filepath.Base(path), ".service"), Path: path, Keys: map[string][]string{}}
	sc := bufio.NewScanner(f)
	section, cont := "", ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if c, ok := strings.CutSuffix(line, "\\"); ok {
			cont += c + " "
			continue
		}
		line, cont = cont+line, ""
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return u, fmt.Errorf("%s: not key=value: %q", path, line)
			}
			k = section + "." + strings.TrimSpace(k)
			u.Keys[k] = append(u.Keys[k], strings.TrimSpace(v))
		}
	}
	return u, sc.Err()
}

// Load parses every *.service of dir.
func Load(dir string) ([]Unit, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.service"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("%s: no units (%v)", dir, err)
	}
	sort.Strings(files)
	var us []Unit
	for _, f := range files {
		u, err := Parse(f)
		if err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	return us, nil
}

// Check reports a unit that is not hardened as the README promises.
func Check(us []Unit) []error {
	var errs []error
	for _, u := range us {
		fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(u.Path+": "+format, a...)) }
		want := map[string]string{
			"Service.NoNewPrivileges": "yes", "Service.ProtectSystem": "strict", "Service.ProtectHome": "yes",
			"Service.PrivateTmp": "yes", "Service.PrivateDevices": "yes",
		}
		for k, v := range want {
			if u.Get(k) != v {
				fail("%s=%s missing (have %q)", k[len("Service."):], v, u.Get(k))
			}
		}
		if u.Get("Service.DynamicUser") != "yes" && (u.Get("Service.User") == "" || u.Get("Service.User") == "root") {
			fail("neither DynamicUser=yes nor a User= other than root")
		}
		if len(u.Keys["Service.EnvironmentFile"]) == 0 {
			fail("no EnvironmentFile=")
		}
		if u.Get("Service.Type") != "oneshot" && u.Get("Service.Restart") == "" {
			fail("a long-running service without Restart=")
		}
		if u.Get("Install.WantedBy") == "" {
			fail("no [Install] WantedBy=: it does not start at boot")
		}
	}
	return errs
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// Stack returns the units as processes. envFile maps an EnvironmentFile=
// path to the file to read (the rehearsal and the check read the
// repository's copies of /etc/clicktrail).
func Stack(us []Unit, source string, envFile func(string) string) (stack.Stack, []error) {
	st := stack.Stack{Source: source}
	var errs []error
	names := map[string]bool{}
	for _, u := range us {
		names[u.Name+".service"] = true
	}
	for _, u := range us {
		s := stack.Service{Name: u.Name, Env: map[string]string{}, Shared: map[string]bool{}, OneShot: u.Get("Service.Type") == "oneshot"}
		for _, ef := range u.Keys["Service.EnvironmentFile"] {
			optional := strings.HasPrefix(ef, "-")
			kv, err := ReadEnvFile(envFile(strings.TrimPrefix(ef, "-")))
			if err != nil && !optional {
				errs = append(errs, fmt.Errorf("%s: EnvironmentFile=%s: %w", u.Path, ef, err))
			}
			for k, v := range kv {
				s.Env[k] = v
				s.Shared[k] = true
			}
		}
		for _, e := range u.Keys["Service.Environment"] {
			for _, w := range words(e) {
				k, v, _ := strings.Cut(w, "=")
				s.Env[k] = v
				delete(s.Shared, k)
			}
		}
		for _, d := range strings.Fields(u.Get("Service.StateDirectory")) {
			s.Dirs = append(s.Dirs, StateRoot+d)
		}
		if len(s.Dirs) > 0 {
			s.Env["STATE_DIRECTORY"] = strings.Join(s.Dirs, ":")
		}
		exec := words(u.Get("Service.ExecStart"))
		if len(exec) == 0 || !strings.HasSuffix(strings.TrimLeft(exec[0], "-@+!:"), "/clicktrail") {
			errs = append(errs, fmt.Errorf("%s: ExecStart=%q does not run clicktrail", u.Path, u.Get("Service.ExecStart")))
			continue
		}
		for _, a := range exec[1:] {
			s.Args = append(s.Args, envRef.ReplaceAllStringFunc(a, func(m string) string {
				n := strings.Trim(m, "${}")
				return s.Env[n]
			}))
		}
		delete(s.Env, "STATE_DIRECTORY") // systemd's, not clicktrail's
		for _, k := range []string{"Unit.After", "Unit.Requires"} {
			for _, v := range u.Keys[k] {
				for _, dep := range strings.Fields(v) {
					if names[dep] {
						s.After = append(s.After, strings.TrimSuffix(dep, ".service"))
					}
				}
			}
		}
		sort.Strings(s.After)
		s.After = compact(s.After)
		st.Services = append(st.Services, s)
	}
	return st, errs
}

// ReadEnvFile reads KEY=VALUE lines as systemd's EnvironmentFile= does
// (comments, blank lines, optional double or single quotes).
func ReadEnvFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	kv := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s: not KEY=VALUE: %q", path, line)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		kv[strings.TrimSpace(k)] = v
	}
	return kv, nil
}

// words splits a command line or Environment= value as systemd does for
// the plain cases: whitespace, with double or single quotes grouping.
func words(s string) []string {
	var out []string
	var cur strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote, in = c, true
		case quote == 0 && (c == ' ' || c == '\t'):
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

func compact(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

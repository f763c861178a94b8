// Package flagsref reads cmd/clicktrail/testdata/flags.golden, the pinned
// list of every clicktrail command's flags and the CLICKTRAIL_* variables
// that set them, so that the deploy check can tell whether a manifest gives
// a command a variable or a flag it does not read. The golden file is kept
// true by cmd/clicktrail's own test; this package only parses it.
package flagsref

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Flags maps a command ("redirect", "sink webhook", "" for the root) to its
// flag names and the variables that set them.
type Flags struct {
	cmds map[string]*Command
}

// Command is one command's flags.
type Command struct {
	Name  string
	Flags map[string]bool   // long names and aliases, without dashes
	Env   map[string]string // variable -> flag name
}

// Load parses the golden file at path.
func Load(path string) (*Flags, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("flags golden: %w", err)
	}
	defer f.Close()
	fl := &Flags{cmds: map[string]*Command{}}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		// clicktrail <words...> --name[,alias] env=[A B] default=...
		words := strings.Fields(line)
		if len(words) < 3 || words[0] != "clicktrail" {
			return nil, fmt.Errorf("flags golden line %d: unexpected %q", n, line)
		}
		i := 1
		for i < len(words) && !strings.HasPrefix(words[i], "--") {
			i++
		}
		if i == len(words) {
			return nil, fmt.Errorf("flags golden line %d: no flag in %q", n, line)
		}
		name := strings.Join(words[1:i], " ")
		c := fl.cmds[name]
		if c == nil {
			c = &Command{Name: name, Flags: map[string]bool{}, Env: map[string]string{}}
			fl.cmds[name] = c
		}
		names := strings.Split(strings.TrimPrefix(words[i], "--"), ",")
		for _, fn := range names {
			c.Flags[fn] = true
		}
		env := line[strings.Index(line, "env=[")+len("env=["):]
		env = env[:strings.Index(env, "]")]
		for _, v := range strings.Fields(env) {
			c.Env[v] = names[0]
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("flags golden: %w", err)
	}
	return fl, nil
}

// Command returns the command named by args' leading words ("sink",
// "webhook", "--x" gives "sink webhook"), with the root's flags merged in,
// and how many words named it; nil when no command matches.
func (f *Flags) Command(args []string) (*Command, int) {
	for n := len(args); n > 0; n-- {
		c := f.cmds[strings.Join(args[:n], " ")]
		if c == nil {
			continue
		}
		m := &Command{Name: c.Name, Flags: map[string]bool{}, Env: map[string]string{}}
		for _, src := range []*Command{f.cmds[""], c} {
			if src == nil {
				continue
			}
			for k, v := range src.Flags {
				m.Flags[k] = v
			}
			for k, v := range src.Env {
				m.Env[k] = v
			}
		}
		return m, n
	}
	return nil, 0
}

// Reading returns the commands that read the variable env, sorted.
func (f *Flags) Reading(env string) []string {
	var out []string
	for name, c := range f.cmds {
		if _, ok := c.Env[env]; ok && name != "" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// CheckArgs reports the flags in args (after the command's words) that the
// command does not have, and the variables of env (CLICKTRAIL_* only) it
// does not read. what names the manifest entry in the errors.
func (c *Command) CheckArgs(what string, args []string, env map[string]string) []error {
	var errs []error
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name := strings.TrimLeft(a, "-")
		name, _, _ = strings.Cut(name, "=")
		if !c.Flags[name] {
			errs = append(errs, fmt.Errorf("%s: `clicktrail %s` has no flag --%s", what, c.Name, name))
		}
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.HasPrefix(k, "CLICKTRAIL_") {
			if _, ok := c.Env[k]; !ok {
				errs = append(errs, fmt.Errorf("%s: `clicktrail %s` does not read %s", what, c.Name, k))
			}
		}
	}
	return errs
}

package crm

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Keys describes the settings and credentials a Kind accepts.
type Keys struct {
	Settings, RequiredSettings       []string
	Credentials, RequiredCredentials []string
	// Target checks a mapping target's name (after any "contact."
	// prefix); nil accepts any.
	Target func(name string) error
}

// Check reports every problem of s against k at once, each naming its key:
// unknown or missing settings and credentials, mapping sources that are no
// source field of their event type, and targets k.Target refuses.
func (k Keys) Check(s Spec) error {
	var errs []error
	errs = append(errs, checkMap("settings", s.Settings, k.Settings, k.RequiredSettings)...)
	errs = append(errs, checkMap("credentials", s.Credentials, k.Credentials, k.RequiredCredentials)...)
	for _, typ := range []struct {
		name string
		m    map[string]string
		src  []string
	}{{"click", s.Mapping.Click, ClickFields}, {"conversion", s.Mapping.Conversion, ConversionFields}} {
		for _, target := range sortedKeys(typ.m) {
			key := "mapping." + typ.name + "." + target
			if !slices.Contains(typ.src, typ.m[target]) {
				errs = append(errs, fmt.Errorf("%s: unknown source field %q (one of %s)", key, typ.m[target], strings.Join(typ.src, ", ")))
			}
			name := strings.TrimPrefix(target, ContactPrefix)
			if name == "" {
				errs = append(errs, fmt.Errorf("%s: empty target", key))
				continue
			}
			if k.Target != nil {
				if err := k.Target(name); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", key, err))
				}
			}
		}
	}
	return errors.Join(errs...)
}

func checkMap(prefix string, m map[string]string, allowed, required []string) []error {
	var errs []error
	for _, k := range sortedKeys(m) {
		if !slices.Contains(allowed, k) {
			errs = append(errs, fmt.Errorf("%s.%s: unknown key (known: %s)", prefix, k, strings.Join(allowed, ", ")))
		}
	}
	for _, k := range required {
		if strings.TrimSpace(m[k]) == "" {
			errs = append(errs, fmt.Errorf("%s.%s: required", prefix, k))
		}
	}
	return errs
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// NamePattern returns a Target check that accepts names matching re,
// described as what in its error.
func NamePattern(re *regexp.Regexp, what string) func(string) error {
	return func(name string) error {
		if !re.MatchString(name) {
			return fmt.Errorf("%q is not %s", name, what)
		}
		return nil
	}
}

// Setting returns s.Settings[key], or def when it is unset.
func (s Spec) Setting(key, def string) string {
	if v := s.Settings[key]; v != "" {
		return v
	}
	return def
}

package cliflag

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// Set is the flags of some config structs and how to load them.
type Set struct {
	flags []cli.Flag
	seen  map[string]bool
	loads []func(*cli.Context)
}

// Of returns the flags of the tagged fields of cfgs, each a pointer to a
// struct. A flag name met twice is one flag that sets every field tagged
// with it. It panics on a field type it cannot bind: that is a bug of the
// config's declaration, found by any test that builds the CLI.
func Of(cfgs ...any) *Set {
	s := &Set{seen: map[string]bool{}}
	for _, c := range cfgs {
		s.Add(c, nil)
	}
	return s
}

// Pick is Of for the named flags of cfg only.
func Pick(cfg any, names ...string) *Set {
	s := &Set{seen: map[string]bool{}}
	s.Add(cfg, names)
	return s
}

// Add adds the tagged fields of cfg (a pointer to a struct); with only
// set, just those flags.
func (s *Set) Add(cfg any, only []string) *Set {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("cliflag: want a pointer to a struct, got %T", cfg))
	}
	s.walk(v.Elem(), only)
	return s
}

// Flags returns the flags, in the order of the fields.
func (s *Set) Flags() []cli.Flag { return s.flags }

// Load sets every tagged field from c: the flag's value, its variable's,
// or the default it was made with.
func (s *Set) Load(c *cli.Context) {
	for _, l := range s.loads {
		l(c)
	}
}

func (s *Set) walk(v reflect.Value, only []string) {
	t := v.Type()
	for i := range t.NumField() {
		f, fv := t.Field(i), v.Field(i)
		if !f.IsExported() {
			continue
		}
		name, ok := f.Tag.Lookup("flag")
		if !ok {
			if fv.Kind() == reflect.Struct {
				s.walk(fv, only)
			}
			continue
		}
		if len(only) > 0 && !slices.Contains(only, name) {
			continue
		}
		fl, load := bind(name, f, fv)
		if !s.seen[name] {
			s.seen[name] = true
			s.flags = append(s.flags, fl)
		}
		s.loads = append(s.loads, load)
	}
}

var durationType = reflect.TypeFor[time.Duration]()

// bind makes the flag of field f (value fv) and the func that loads it.
func bind(name string, f reflect.StructField, fv reflect.Value) (cli.Flag, func(*cli.Context)) {
	var env []string
	if e := f.Tag.Get("env"); e != "" {
		env = strings.Split(e, ",")
	}
	usage := f.Tag.Get("usage")
	switch {
	case f.Type == durationType:
		return &cli.DurationFlag{Name: name, EnvVars: env, Usage: usage, Value: time.Duration(fv.Int())},
			func(c *cli.Context) { fv.SetInt(int64(c.Duration(name))) }
	case f.Type.Kind() == reflect.String:
		return &cli.StringFlag{Name: name, EnvVars: env, Usage: usage, Value: fv.String()},
			func(c *cli.Context) { fv.SetString(c.String(name)) }
	case f.Type.Kind() == reflect.Bool:
		return &cli.BoolFlag{Name: name, EnvVars: env, Usage: usage, Value: fv.Bool()},
			func(c *cli.Context) { fv.SetBool(c.Bool(name)) }
	case f.Type.Kind() == reflect.Int || f.Type.Kind() == reflect.Int32 || f.Type.Kind() == reflect.Int16:
		return &cli.IntFlag{Name: name, EnvVars: env, Usage: usage, Value: int(fv.Int())},
			func(c *cli.Context) { fv.SetInt(int64(c.Int(name))) }
	case f.Type.Kind() == reflect.Int64:
		return &cli.Int64Flag{Name: name, EnvVars: env, Usage: usage, Value: fv.Int()},
			func(c *cli.Context) { fv.SetInt(c.Int64(name)) }
	case f.Type.Kind() == reflect.Float64:
		return &cli.Float64Flag{Name: name, EnvVars: env, Usage: usage, Value: fv.Float()},
			func(c *cli.Context) { fv.SetFloat(c.Float64(name)) }
	case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Uint8: // a secret given as a string
		return &cli.StringFlag{Name: name, EnvVars: env, Usage: usage, Value: string(fv.Bytes())},
			func(c *cli.Context) {
				if s := c.String(name); s != "" {
					fv.SetBytes([]byte(s))
				} else {
					fv.SetBytes(nil)
				}
			}
	case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.String:
		fl := &cli.StringSliceFlag{Name: name, EnvVars: env, Usage: usage}
		if fv.Len() > 0 {
			fl.Value = cli.NewStringSlice(fv.Interface().([]string)...)
		}
		return fl, func(c *cli.Context) { fv.Set(reflect.ValueOf(c.StringSlice(name)).Convert(f.Type)) }
	}
	panic(fmt.Sprintf("cliflag: field %s (flag %s): cannot bind a %s", f.Name, name, f.Type))
}

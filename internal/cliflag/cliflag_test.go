package cliflag

import (
	"reflect"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

type Inner struct {
	Secret []byte   `flag:"secret" env:"T_SECRET" usage:"a secret"`
	Nets   []string `flag:"net" env:"T_NETS"`
	Skip   string   // untagged: no flag
}

type config struct {
	Inner
	Name   string        `flag:"name" env:"T_NAME"`
	On     bool          `flag:"on"`
	N      int           `flag:"n"`
	P      int32         `flag:"p"`
	R      int16         `flag:"r"`
	Big    int64         `flag:"big"`
	Rate   float64       `flag:"rate"`
	Wait   time.Duration `flag:"wait"`
	Nested struct {
		Dir string `flag:"dir"`
	}
	Again string `flag:"name"` // the same flag sets both fields
	//lint:ignore U1000 present to check that an unexported field makes no flag
	private string `flag:"private"`
}

// run parses args (and env) with the flags of cfg and loads them into it.
func run(t *testing.T, s *Set, args ...string) {
	t.Helper()
	app := &cli.App{Flags: s.Flags(), Action: func(c *cli.Context) error { s.Load(c); return nil }}
	if err := app.Run(append([]string{"x"}, args...)); err != nil {
		t.Fatal(err)
	}
}

func TestFlagsCarryTheDefaultsAndLoadTheValues(t *testing.T) {
	cfg := config{Name: "dflt", N: 7, P: 6, Wait: time.Second}
	s := Of(&cfg)
	var names []string
	for _, f := range s.Flags() {
		names = append(names, f.Names()[0])
	}
	if want := []string{"secret", "net", "name", "on", "n", "p", "r", "big", "rate", "wait", "dir"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("flags = %v, want %v", names, want)
	}
	if got := s.Flags()[2].(*cli.StringFlag); got.Value != "dflt" || got.EnvVars[0] != "T_NAME" {
		t.Fatalf("name flag = %+v", got)
	}
	if got := s.Flags()[0].(*cli.StringFlag).Usage; got != "a secret" {
		t.Fatalf("usage = %q", got)
	}
	t.Setenv("T_NETS", "10.0.0.0/8,192.168.0.0/16")
	run(t, s, "--secret", "s3", "--name", "x", "--on", "--n", "3", "--r", "2", "--big", "1099511627776",
		"--rate", "0.5", "--wait", "2m", "--dir", "/d")
	want := config{Inner: Inner{Secret: []byte("s3"), Nets: []string{"10.0.0.0/8", "192.168.0.0/16"}},
		Name: "x", On: true, N: 3, P: 6, R: 2, Big: 1 << 40, Rate: 0.5, Wait: 2 * time.Minute, Again: "x"}
	want.Nested.Dir = "/d"
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("loaded %+v\nwant   %+v", cfg, want)
	}
}

func TestUnsetFlagsKeepTheirDefaults(t *testing.T) {
	cfg := config{Name: "dflt", N: 7, Wait: time.Second}
	run(t, Of(&cfg))
	if cfg.Name != "dflt" || cfg.N != 7 || cfg.Wait != time.Second || cfg.Secret != nil || cfg.Nets != nil {
		t.Fatalf("loaded %+v", cfg)
	}
}

func TestPickTakesOnlyTheNamedFlags(t *testing.T) {
	var cfg config
	s := Pick(&cfg, "wait", "dir")
	if len(s.Flags()) != 2 {
		t.Fatalf("flags = %v", s.Flags())
	}
	run(t, s, "--wait", "1s")
	if cfg.Wait != time.Second {
		t.Fatalf("wait = %v", cfg.Wait)
	}
}

func TestAnUnbindableFieldPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a map field")
		}
	}()
	Of(&struct {
		M map[string]string `flag:"m"`
	}{})
}

// Package dockerfile lints the clicktrail image's Dockerfile without a
// container engine: the final stage runs as a user that is not root, its
// entrypoint is the binary the manifests run, the binary is built static,
// and the directories the image gives its user (COPY --chown) are known,
// so that volumes mounted there are writable by that user.
package dockerfile

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Image is what the final stage of the Dockerfile says.
type Image struct {
	Base       string
	User       string
	Entrypoint []string
	// OwnedDirs are the final stage's COPY --chown=<User> destinations:
	// directories (or files) the image's user owns.
	OwnedDirs []string
}

// Lint reads the Dockerfile at path and reports its faults.
func Lint(path string) (*Image, []error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, []error{err}
	}
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(path+": "+format, a...)) }
	img := &Image{}
	static := false
	for _, in := range instructions(string(b)) {
		op, rest, _ := strings.Cut(in, " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToUpper(op) {
		case "FROM": // a new stage: only the last one's settings count
			img = &Image{Base: strings.Fields(rest)[0]}
		case "USER":
			img.User = rest
		case "ENTRYPOINT":
			if err := json.Unmarshal([]byte(rest), &img.Entrypoint); err != nil {
				fail("ENTRYPOINT must be the exec (JSON) form, got %s", rest)
			}
		case "RUN":
			if strings.Contains(rest, "go build") && strings.Contains(rest, "CGO_ENABLED=0") {
				static = true
			}
		case "COPY":
			f := strings.Fields(rest)
			owner := ""
			for len(f) > 0 && strings.HasPrefix(f[0], "--") {
				if v, ok := strings.CutPrefix(f[0], "--chown="); ok {
					owner, _, _ = strings.Cut(v, ":")
				}
				f = f[1:]
			}
			if owner != "" && len(f) >= 2 {
				img.OwnedDirs = append(img.OwnedDirs, strings.TrimSuffix(f[len(f)-1], "/"))
			}
		}
	}
	switch u, _, _ := strings.Cut(img.User, ":"); u {
	case "":
		fail("the final stage sets no USER: the image would run as root")
	case "root", "0":
		fail("USER %s: the image must not run as root", img.User)
	}
	if !static {
		fail("no `CGO_ENABLED=0 go build`: the binary is not static")
	}
	if len(img.Entrypoint) == 0 {
		fail("no ENTRYPOINT")
	}
	return img, errs
}

// instructions joins continued lines and drops comments and blank lines.
func instructions(text string) []string {
	var out []string
	cur := ""
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "#") || (t == "" && cur == "") {
			continue
		}
		if c, ok := strings.CutSuffix(t, "\\"); ok {
			cur += c + " "
			continue
		}
		cur += t
		if cur != "" {
			out = append(out, cur)
		}
		cur = ""
	}
	return out
}

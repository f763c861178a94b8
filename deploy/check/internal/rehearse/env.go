// Package rehearse runs a stack.Stack as local processes of the built
// clicktrail binary against the local Kafka and ClickHouse, and proves it
// end to end: a link created through the API redirects, its click lands in
// ClickHouse and reaches a webhook receiver of its own.
//
// How a deployment's addresses become local ones (the rule the README
// documents):
//   - CLICKTRAIL_KAFKA_BROKERS becomes the local broker, and
//     CLICKTRAIL_CLICKHOUSE_DSN's host the local server: the stack's Kafka
//     and ClickHouse services (compose) or hosts (systemd) are not run.
//   - Every port a process listens on (a *_ADDR variable or -addr flag)
//     gets a free loopback port; every "host:port" naming that port (the
//     listener's own 0.0.0.0:port, a peer's compose service name or
//     127.0.0.1) is rewritten to it.
//   - Every persistent directory (compose volume target, StateDirectory)
//     becomes a temporary directory, in the values that name it.
//   - So that runs do not meet on shared servers, topics get a run prefix
//     and ClickHouse a database of the run (dropped afterwards).
//   - The webhook sink may deliver to the check's loopback http receiver
//     (CLICKTRAIL_WEBHOOK_ALLOW_PRIVATE=true, CLICKTRAIL_WEBHOOK_PRODUCTION=false):
//     the only settings the rehearsal adds to what the file gives.
//
// Processes get exactly the environment the file gives them, nothing of the
// check's own.
package rehearse

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/clicktrail/clicktrail/deploy/check/internal/stack"
)

// Local says where the local servers and the binary are.
type Local struct {
	Bin        string // the built clicktrail
	Kafka      string // host:port
	ClickHouse string // host:port of the native protocol
	Dir        string // a fresh directory for data and logs
	RunID      string // a short unique id (topic prefix, database)
}

func (l Local) topicPrefix() string { return "deploycheck-" + l.RunID + "." }
func (l Local) database() string    { return "deploycheck_" + l.RunID }

var hostPort = regexp.MustCompile(`((?:[A-Za-z0-9_.-]+|\[::\])?):(\d+)\b`)

// localize returns st with the rule above applied, and the local address of
// each original listening port.
func localize(st stack.Stack, loc Local) (stack.Stack, map[string]string, error) {
	names := map[string]bool{"": true, "0.0.0.0": true, "127.0.0.1": true, "localhost": true, "[::]": true}
	for _, s := range st.Services {
		names[s.Name] = true
	}
	ports := map[string]string{} // original port -> 127.0.0.1:free
	for _, s := range st.Services {
		for k, v := range s.Env {
			if !strings.HasSuffix(k, "_ADDR") {
				continue
			}
			_, p, err := net.SplitHostPort(v)
			if err != nil {
				return st, nil, fmt.Errorf("%s: %s=%q: %w", s.Name, k, v, err)
			}
			if _, dup := ports[p]; dup {
				return st, nil, fmt.Errorf("%s: %s: port %s is listened on twice in the stack", s.Name, k, p)
			}
			free, err := freePort()
			if err != nil {
				return st, nil, err
			}
			ports[p] = free
		}
	}
	rewrite := func(v string) string {
		return hostPort.ReplaceAllStringFunc(v, func(m string) string {
			sub := hostPort.FindStringSubmatch(m)
			if a, ok := ports[sub[2]]; ok && names[sub[1]] {
				return a
			}
			return m
		})
	}
	out := stack.Stack{Source: st.Source}
	for i, s := range st.Services {
		ns := s
		ns.Env = map[string]string{}
		dirs := map[string]string{}
		for j, d := range s.Dirs {
			dirs[d] = filepath.Join(loc.Dir, s.Name, fmt.Sprint(j))
			if err := os.MkdirAll(dirs[d], 0o700); err != nil {
				return st, nil, err
			}
		}
		redir := func(v string) string {
			for from, to := range dirs {
				if v == from || strings.HasPrefix(v, from+"/") {
					return to + strings.TrimPrefix(v, from)
				}
			}
			return v
		}
		for k, v := range s.Env {
			ns.Env[k] = redir(rewrite(v))
		}
		ns.Args = nil
		for _, a := range s.Args {
			ns.Args = append(ns.Args, redir(rewrite(a)))
		}
		if _, ok := ns.Env["CLICKTRAIL_KAFKA_BROKERS"]; ok {
			ns.Env["CLICKTRAIL_KAFKA_BROKERS"] = loc.Kafka
			ns.Env["CLICKTRAIL_TOPIC_PREFIX"] = loc.topicPrefix() + ns.Env["CLICKTRAIL_TOPIC_PREFIX"]
		}
		if dsn, ok := ns.Env["CLICKTRAIL_CLICKHOUSE_DSN"]; ok {
			u, err := url.Parse(dsn)
			if err != nil {
				return st, nil, fmt.Errorf("%s: CLICKTRAIL_CLICKHOUSE_DSN: %w", s.Name, err)
			}
			u.Host, u.Path, u.User = loc.ClickHouse, "/"+loc.database(), nil
			ns.Env["CLICKTRAIL_CLICKHOUSE_DSN"] = u.String()
		}
		if args := strings.Join(s.Args, " "); strings.HasPrefix(args, "sink webhook") {
			ns.Env["CLICKTRAIL_WEBHOOK_ALLOW_PRIVATE"] = "true"
			ns.Env["CLICKTRAIL_WEBHOOK_PRODUCTION"] = "false"
		}
		out.Services = append(out.Services, ns)
		_ = i
	}
	return out, ports, nil
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

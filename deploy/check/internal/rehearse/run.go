package rehearse

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/clicktrail/clicktrail/deploy/check/internal/stack"
)

// proc is a started service.
type proc struct {
	svc stack.Service
	cmd *exec.Cmd
	log string
	// exited is closed once the process has exited, with err its Wait's.
	exited chan struct{}
	err    error
}

func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return "\n    | " + strings.Join(lines, "\n    | ")
}

// oneShot reports whether s runs to completion: declared so (a dependent
// waits for it to complete), or the one command of clicktrail that does,
// migrate (whose dependents' wrong condition the static checks report).
func oneShot(s stack.Service) bool { return s.OneShot || (len(s.Args) > 0 && s.Args[0] == "migrate") }

// startTimeout bounds a one-shot's run and a server's first listen.
const startTimeout = 60 * time.Second

// Run rehearses st against loc and proves the click path end to end. It
// returns every failure (a process that exits, a step that does not
// happen), with the tail of the processes' logs.
func Run(ctx context.Context, st stack.Stack, loc Local) (err error) {
	local, ports, err := localize(st, loc)
	if err != nil {
		return fmt.Errorf("%s: rehearsal: %w", st.Source, err)
	}
	order, err := startOrder(local)
	if err != nil {
		return fmt.Errorf("%s: rehearsal: %w", st.Source, err)
	}
	var procs []*proc
	defer func() {
		err = errors.Join(err, stop(procs), cleanup(loc))
	}()
	for _, s := range order {
		p, err := start(s, loc)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", st.Source, s.Name, err)
		}
		procs = append(procs, p)
		if err := ready(ctx, p); err != nil {
			return fmt.Errorf("%s: %s: %w%s", st.Source, s.Name, err, p.tail())
		}
	}
	e2eErr := endToEnd(ctx, local, loc)
	for _, p := range procs {
		select {
		case <-p.exited:
			if !oneShot(p.svc) {
				e2eErr = errors.Join(e2eErr, fmt.Errorf("%s exited during the rehearsal: %v%s", p.svc.Name, p.err, p.tail()))
			}
		default:
		}
	}
	if e2eErr != nil {
		var tails []string
		for _, p := range procs {
			tails = append(tails, "  "+p.svc.Name+":"+p.tail())
		}
		return fmt.Errorf("%s: rehearsal: %w\n  logs:\n%s", st.Source, e2eErr, strings.Join(tails, "\n"))
	}
	_ = ports
	return nil
}

// startOrder sorts the services so that each comes after its After.
func startOrder(st stack.Stack) ([]stack.Service, error) {
	byName := map[string]stack.Service{}
	var names []string
	for _, s := range st.Services {
		byName[s.Name] = s
		names = append(names, s.Name)
	}
	sort.Strings(names)
	var out []stack.Service
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) error
	visit = func(n string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("start order has a cycle through %s", n)
		case 2:
			return nil
		}
		state[n] = 1
		for _, d := range byName[n].After {
			if err := visit(d); err != nil {
				return err
			}
		}
		state[n] = 2
		out = append(out, byName[n])
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func start(s stack.Service, loc Local) (*proc, error) {
	logPath := filepath.Join(loc.Dir, s.Name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(loc.Bin, s.Args...)
	cmd.Env = []string{}
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	p := &proc{svc: s, cmd: cmd, log: logPath, exited: make(chan struct{})}
	go func() { p.err = cmd.Wait(); f.Close(); close(p.exited) }()
	return p, nil
}

// ready waits for a one-shot to exit 0, or for a server to listen on
// each of its addresses (a worker without one: to still run a moment
// later).
func ready(ctx context.Context, p *proc) error {
	deadline := time.After(startTimeout)
	if oneShot(p.svc) {
		select {
		case <-p.exited:
			if p.err != nil {
				return fmt.Errorf("one-shot failed: %w", p.err)
			}
			return nil
		case <-deadline:
			return errors.New("one-shot still running after " + startTimeout.String())
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	var addrs []string
	for k, v := range p.svc.Env {
		if strings.HasSuffix(k, "_ADDR") {
			addrs = append(addrs, v)
		}
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	settle := time.After(time.Second)
	for {
		select {
		case <-p.exited:
			return fmt.Errorf("exited at start: %v", p.err)
		case <-deadline:
			return fmt.Errorf("not listening on %v after %s", addrs, startTimeout)
		case <-ctx.Done():
			return ctx.Err()
		case <-settle:
			if len(addrs) == 0 {
				return nil
			}
		case <-tick.C:
			if len(addrs) > 0 && allListen(addrs) {
				return nil
			}
		}
	}
}

func allListen(addrs []string) bool {
	for _, a := range addrs {
		c, err := net.DialTimeout("tcp", a, time.Second)
		if err != nil {
			return false
		}
		c.Close()
	}
	return true
}

// stop ends the processes in reverse order: SIGTERM, then SIGKILL after a
// grace period. A process that had to be killed is an error (it does not
// stop on the signal systemd and compose send).
func stop(procs []*proc) error {
	var errs []error
	for i := len(procs) - 1; i >= 0; i-- {
		p := procs[i]
		select {
		case <-p.exited:
			continue
		default:
		}
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.exited
			errs = append(errs, fmt.Errorf("%s did not stop within 20s of SIGTERM%s", p.svc.Name, p.tail()))
		}
	}
	return errors.Join(errs...)
}

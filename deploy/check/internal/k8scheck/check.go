package k8scheck

import (
	"fmt"
	"net"
	"path"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/clicktrail/clicktrail/deploy/check/internal/dockerfile"
	"github.com/clicktrail/clicktrail/deploy/check/internal/flagsref"
	"github.com/clicktrail/clicktrail/deploy/check/internal/stack"
)

// workload is a Deployment or StatefulSet.
type workload struct {
	kind, name string
	replicas   int32
	recreate   bool // a Deployment that stops the old pod before starting the new
	pod        corev1.PodTemplateSpec
	claims     []string // volumeClaimTemplates
}

func (o *Objects) workloads() []workload {
	var ws []workload
	rep := func(p *int32) int32 {
		if p == nil {
			return 1
		}
		return *p
	}
	for _, d := range o.Deployments {
		ws = append(ws, workload{kind: "Deployment", name: d.Name, replicas: rep(d.Spec.Replicas),
			recreate: d.Spec.Strategy.Type == "Recreate", pod: d.Spec.Template})
	}
	for _, s := range o.StatefulSets {
		w := workload{kind: "StatefulSet", name: s.Name, replicas: rep(s.Spec.Replicas), recreate: true, pod: s.Spec.Template}
		for _, c := range s.Spec.VolumeClaimTemplates {
			w.claims = append(w.claims, c.Name)
		}
		ws = append(ws, w)
	}
	return ws
}

// container is a clicktrail container with what it is given.
type container struct {
	w    workload
	c    corev1.Container
	what string
	cmd  *flagsref.Command
	n    int // words of Args naming the command
	env  map[string]string
}

func isClicktrail(c corev1.Container) bool {
	return strings.HasPrefix(c.Image, "clicktrail:") || strings.Contains(c.Image, "/clicktrail:")
}

// Check reports the faults of the manifests o for the image img.
func Check(o *Objects, img *dockerfile.Image, fl *flagsref.Flags, source string) []error {
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(source+": "+format, a...)) }
	cms := map[string]map[string]string{}
	for _, cm := range o.ConfigMaps {
		cms[cm.Name] = cm.Data
	}
	st := stack.Stack{Source: source}
	var cts []container
	for _, w := range o.workloads() {
		errs = append(errs, checkPod(w, source)...)
		// init containers too: migrate runs as one, before the sink
		for _, c := range append(append([]corev1.Container(nil), w.pod.Spec.InitContainers...), w.pod.Spec.Containers...) {
			if !isClicktrail(c) {
				continue
			}
			ct := container{w: w, c: c, what: fmt.Sprintf("%s %s container %s", w.kind, w.name, c.Name), env: map[string]string{}}
			for _, ef := range c.EnvFrom {
				if ef.ConfigMapRef != nil {
					data, ok := cms[ef.ConfigMapRef.Name]
					if !ok {
						fail("%s: envFrom ConfigMap %s is not in the manifests", ct.what, ef.ConfigMapRef.Name)
					}
					for k, v := range data {
						ct.env[k] = v
					}
				}
			}
			for _, e := range c.Env {
				ct.env[e.Name] = e.Value
			}
			if len(c.Command) > 0 && img != nil && !slices.Equal(c.Command, img.Entrypoint) {
				fail("%s: command %v is not the image's entrypoint %v", ct.what, c.Command, img.Entrypoint)
			}
			ct.cmd, ct.n = fl.Command(c.Args)
			if ct.cmd == nil {
				fail("%s: args %v name no clicktrail command", ct.what, c.Args)
				continue
			}
			cts = append(cts, ct)
			svc := stack.Service{Name: ct.what, Args: c.Args, Env: map[string]string{}}
			// explicit env is checked against the command; a shared
			// ConfigMap's keys only need a reader among its consumers
			for _, e := range c.Env {
				svc.Env[e.Name] = e.Value
			}
			for _, k := range []string{"CLICKTRAIL_DATA_DIR", "CLICKTRAIL_DEFAULT_DOMAIN"} {
				if v, ok := ct.env[k]; ok {
					if _, reads := ct.cmd.Env[k]; reads {
						svc.Env[k] = v
					}
				}
			}
			for _, m := range c.VolumeMounts {
				if !m.ReadOnly && persistent(w, m.Name) {
					svc.Dirs = append(svc.Dirs, m.MountPath)
				}
			}
			st.Services = append(st.Services, svc)
			errs = append(errs, checkProbes(ct, source)...)
			errs = append(errs, checkGeoIP(ct, source)...)
		}
	}
	errs = append(errs, st.Check(fl)...)
	for _, cm := range o.ConfigMaps {
		for k := range cm.Data {
			if !strings.HasPrefix(k, "CLICKTRAIL_") {
				continue
			}
			read := false
			for _, ct := range cts {
				if _, ok := ct.cmd.Env[k]; ok && usesConfigMap(ct.c, cm.Name) {
					read = true
				}
			}
			if !read {
				fail("ConfigMap %s: %s is read by none of the containers given it", cm.Name, k)
			}
		}
	}
	errs = append(errs, checkAPI(o, cts, source)...)
	return errs
}

func usesConfigMap(c corev1.Container, name string) bool {
	for _, ef := range c.EnvFrom {
		if ef.ConfigMapRef != nil && ef.ConfigMapRef.Name == name {
			return true
		}
	}
	return false
}

// persistent reports whether the volume named name outlives the pod.
func persistent(w workload, name string) bool {
	if slices.Contains(w.claims, name) {
		return true
	}
	for _, v := range w.pod.Spec.Volumes {
		if v.Name == name {
			return v.PersistentVolumeClaim != nil
		}
	}
	return false
}

// checkPod: nobody runs as root, and a writable volume is the pod's group's.
func checkPod(w workload, source string) []error {
	var errs []error
	what := fmt.Sprintf("%s %s", w.kind, w.name)
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(source+": "+what+": "+format, a...)) }
	psc := w.pod.Spec.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot {
		fail("pod securityContext.runAsNonRoot is not true")
	}
	if psc != nil && psc.RunAsUser != nil && *psc.RunAsUser == 0 {
		fail("pod securityContext.runAsUser is 0 (root)")
	}
	writable := false
	for _, c := range append(append([]corev1.Container(nil), w.pod.Spec.InitContainers...), w.pod.Spec.Containers...) {
		sc := c.SecurityContext
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			fail("container %s: securityContext.allowPrivilegeEscalation is not false", c.Name)
		}
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			fail("container %s: securityContext.readOnlyRootFilesystem is not true", c.Name)
		}
		if sc != nil && sc.RunAsUser != nil && *sc.RunAsUser == 0 {
			fail("container %s: runs as root", c.Name)
		}
		for _, m := range c.VolumeMounts {
			if !m.ReadOnly && (persistent(w, m.Name) || emptyDir(w, m.Name)) {
				writable = true
			}
		}
	}
	if writable && (psc == nil || psc.FSGroup == nil || *psc.FSGroup == 0) {
		fail("a non-root container writes a volume, but the pod sets no securityContext.fsGroup: the volume stays owned by root")
	}
	return errs
}

func emptyDir(w workload, name string) bool {
	for _, v := range w.pod.Spec.Volumes {
		if v.Name == name {
			return v.EmptyDir != nil
		}
	}
	return false
}

// containerPort resolves a probe's or Service's target port.
func containerPort(c corev1.Container, p intstr.IntOrString) (int32, bool) {
	if p.Type == intstr.Int {
		return p.IntVal, true
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return cp.ContainerPort, true
		}
	}
	return 0, false
}

// listenPort returns the port of the address the container's variable env
// sets (or its flag's default when unset) and whether it listens beyond
// loopback.
func listenPort(ct container, env, def string) (port string, public bool) {
	addr, ok := ct.env[env]
	if !ok {
		addr = def
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", false
	}
	ip := net.ParseIP(host)
	return port, host != "localhost" && (ip == nil || !ip.IsLoopback())
}

func checkProbes(ct container, source string) []error {
	var errs []error
	for name, p := range map[string]*corev1.Probe{"readinessProbe": ct.c.ReadinessProbe, "livenessProbe": ct.c.LivenessProbe, "startupProbe": ct.c.StartupProbe} {
		if p == nil || p.HTTPGet == nil {
			continue
		}
		port, ok := containerPort(ct.c, p.HTTPGet.Port)
		served := false
		for env, paths := range stack.Served[ct.cmd.Name] {
			lp, _ := listenPort(ct, env, "")
			if ok && lp == fmt.Sprint(port) && slices.Contains(paths, p.HTTPGet.Path) {
				served = true
			}
		}
		if !served {
			errs = append(errs, fmt.Errorf("%s: %s: %s: GET %s on port %s: `clicktrail %s` serves no such path there (served: %v)",
				source, ct.what, name, p.HTTPGet.Path, p.HTTPGet.Port.String(), ct.cmd.Name, stack.Served[ct.cmd.Name]))
		}
	}
	return errs
}

// checkGeoIP: a GeoIP database (tens of MB) cannot come from a ConfigMap
// or Secret (1 MiB at most); an emptyDir must be filled by an init
// container.
func checkGeoIP(ct container, source string) []error {
	db := ""
	for i, a := range ct.c.Args {
		if a == "--geoip-db" && i+1 < len(ct.c.Args) {
			db = ct.c.Args[i+1]
		}
	}
	if db == "" {
		db = ct.env["CLICKTRAIL_GEOIP_DB"]
	}
	if db == "" {
		return nil
	}
	for _, m := range ct.c.VolumeMounts {
		if !strings.HasPrefix(path.Clean(db), path.Clean(m.MountPath)+"/") {
			continue
		}
		if slices.Contains(ct.w.claims, m.Name) {
			return nil
		}
		for _, v := range ct.w.pod.Spec.Volumes {
			if v.Name != m.Name {
				continue
			}
			switch {
			case v.ConfigMap != nil || v.Secret != nil:
				return []error{fmt.Errorf("%s: %s: the GeoIP database %s is on volume %s from a ConfigMap/Secret, which holds at most 1 MiB (a City database is tens of MB): use a volume an init container fills, or a PVC", source, ct.what, db, v.Name)}
			case v.EmptyDir != nil:
				for _, ic := range ct.w.pod.Spec.InitContainers {
					for _, im := range ic.VolumeMounts {
						if im.Name == v.Name && !im.ReadOnly {
							return nil
						}
					}
				}
				return []error{fmt.Errorf("%s: %s: the GeoIP database %s is on emptyDir %s that no init container fills", source, ct.what, db, v.Name)}
			}
			return nil
		}
	}
	return []error{fmt.Errorf("%s: %s: the GeoIP database %s is on no volume", source, ct.what, db)}
}

// checkAPI: the link API runs on one node today (its keys, workspaces and
// jobs live in that node's pebble store: a key created on one pod is a 401
// on another). Every container that serves the API beyond loopback must be
// the one replica behind a Service of its own, and the webhook sink, whose
// endpoint registry is one process's, runs once too.
func checkAPI(o *Objects, cts []container, source string) []error {
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(source+": "+format, a...)) }
	behind := map[string]bool{}
	for _, s := range o.Services {
		sel := labels.SelectorFromSet(s.Spec.Selector)
		for _, sp := range s.Spec.Ports {
			tp := sp.TargetPort
			if tp.Type == intstr.Int && tp.IntVal == 0 {
				tp = intstr.FromInt32(sp.Port)
			}
			var api []container
			for _, ct := range cts {
				if !sel.Matches(labels.Set(ct.w.pod.Labels)) {
					continue
				}
				lp, public := listenPort(ct, "CLICKTRAIL_API_ADDR", "127.0.0.1:8081")
				if _, reads := ct.cmd.Env["CLICKTRAIL_API_ADDR"]; !reads {
					continue
				}
				if p, ok := containerPort(ct.c, tp); ok && public && fmt.Sprint(p) == lp {
					api = append(api, ct)
				}
			}
			if len(api) == 0 {
				continue
			}
			total := int32(0)
			for _, ct := range api {
				total += ct.w.replicas
				behind[ct.what] = true
				if !ct.w.recreate {
					fail("Service %s port %s: %s serves the link API with a rolling update: two API pods would run at once (use a StatefulSet or strategy Recreate)", s.Name, sp.Name, ct.what)
				}
			}
			if total != 1 {
				fail("Service %s port %s: routes to the link API on %d replicas; the API must run on one node (a key created on one pod is a 401 on the others)", s.Name, sp.Name, total)
			}
		}
	}
	for _, ct := range cts {
		if _, reads := ct.cmd.Env["CLICKTRAIL_API_ADDR"]; reads {
			if _, public := listenPort(ct, "CLICKTRAIL_API_ADDR", "127.0.0.1:8081"); public && !behind[ct.what] {
				fail("%s: serves the link API on a non-loopback address behind no Service: a second API (set CLICKTRAIL_API_ADDR to 127.0.0.1 on redirect-only nodes)", ct.what)
			}
		}
		if ct.cmd.Name == "sink webhook" && ct.w.replicas != 1 {
			fail("%s: the webhook sink keeps its endpoint registry in one process's data dir: replicas must be 1, got %d", ct.what, ct.w.replicas)
		}
	}
	return errs
}

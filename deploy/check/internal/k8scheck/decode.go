// Package k8scheck decodes every document of deploy/k8s/*.yaml into the
// Kubernetes API's own types, strictly (a field the type does not have is an
// error, as kubectl's server-side validation would say), and checks the
// invariants of a clicktrail deployment: images that do not run as root,
// the link API on a single replica behind its own Service, probes on paths
// the process serves, GeoIP databases and data on volumes that can hold
// them, volumes the non-root user can write.
package k8scheck

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// Objects are the decoded documents, by kind.
type Objects struct {
	ConfigMaps   []*corev1.ConfigMap
	Services     []*corev1.Service
	Deployments  []*appsv1.Deployment
	StatefulSets []*appsv1.StatefulSet
}

var docSep = regexp.MustCompile(`(?m)^---\s*$`)

// Load decodes every *.yaml file of dir.
func Load(dir string) (*Objects, []error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, []error{fmt.Errorf("%s: no manifests (%v)", dir, err)}
	}
	sort.Strings(files)
	objs := &Objects{}
	var errs []error
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for i, doc := range docSep.Split(string(b), -1) {
			if len(bytes.TrimSpace(stripComments([]byte(doc)))) == 0 {
				continue
			}
			if err := objs.decode([]byte(doc)); err != nil {
				errs = append(errs, fmt.Errorf("%s: document %d: %w", f, i+1, err))
			}
		}
	}
	return objs, errs
}

func (o *Objects) decode(doc []byte) error {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return err
	}
	var obj any
	switch tm.APIVersion + "/" + tm.Kind {
	case "v1/ConfigMap":
		c := &corev1.ConfigMap{}
		o.ConfigMaps, obj = append(o.ConfigMaps, c), c
	case "v1/Service":
		s := &corev1.Service{}
		o.Services, obj = append(o.Services, s), s
	case "apps/v1/Deployment":
		d := &appsv1.Deployment{}
		o.Deployments, obj = append(o.Deployments, d), d
	case "apps/v1/StatefulSet":
		s := &appsv1.StatefulSet{}
		o.StatefulSets, obj = append(o.StatefulSets, s), s
	case "v1/Secret":
		obj = &corev1.Secret{}
	case "v1/PersistentVolumeClaim":
		obj = &corev1.PersistentVolumeClaim{}
	case "v1/ServiceAccount":
		obj = &corev1.ServiceAccount{}
	case "policy/v1/PodDisruptionBudget":
		obj = &policyv1.PodDisruptionBudget{}
	default:
		return fmt.Errorf("apiVersion %q kind %q: not a kind the check knows", tm.APIVersion, tm.Kind)
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return fmt.Errorf("%s: %w", tm.Kind, err)
	}
	return nil
}

func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

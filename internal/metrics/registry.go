package metrics

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kprom"
)

// Namespace is the first word of every clicktrail metric.
const Namespace = "clicktrail"

// Registry holds one process's metrics: the Go runtime's and the
// process's, clicktrail's own, and franz-go's per Kafka client (kprom).
// Its methods are safe for concurrent use; on a nil *Registry they record
// nothing and the wrappers return what they wrap.
type Registry struct {
	reg *prometheus.Registry

	mu    sync.Mutex
	kafka map[string]*kafkaClient // client name -> its kprom metrics
	vecs  map[string]prometheus.Collector
}

type kafkaClient struct {
	m   *kprom.Metrics
	reg *prometheus.Registry
}

// New returns a registry with the Go runtime and process collectors.
func New() *Registry {
	r := &Registry{reg: prometheus.NewRegistry(), kafka: map[string]*kafkaClient{}, vecs: map[string]prometheus.Collector{}}
	r.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// MustRegister registers collectors read at scrape time (a component's
// own counters). It panics on a name registered twice, as Prometheus does.
func (r *Registry) MustRegister(cs ...prometheus.Collector) {
	if r != nil {
		r.reg.MustRegister(cs...)
	}
}

// Handler serves the registry in the Prometheus text format.
func (r *Registry) Handler() http.Handler {
	if r == nil {
		return promhttp.HandlerFor(prometheus.NewRegistry(), promhttp.HandlerOpts{})
	}
	return promhttp.HandlerFor(prometheus.GathererFunc(r.gather), promhttp.HandlerOpts{})
}

func (r *Registry) gather() ([]*dto.MetricFamily, error) {
	gs := prometheus.Gatherers{r.reg}
	r.mu.Lock()
	for _, k := range r.kafka {
		gs = append(gs, k.reg)
	}
	r.mu.Unlock()
	return gs.Gather()
}

// KafkaHooks returns the hooks of the Kafka client named client (a
// producer, a consumer of a group and topic): franz-go's kprom metrics
// under clicktrail_kafka_, labelled client. A client made again under the
// same name (a consumer rejoining its group) reuses them.
func (r *Registry) KafkaHooks(client string) []kgo.Hook {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k := r.kafka[client]
	if k == nil {
		k = &kafkaClient{reg: prometheus.NewRegistry()}
		k.m = kprom.NewMetrics(Namespace, kprom.Subsystem("kafka"), kprom.Registry(k.reg),
			kprom.WithStaticLabel(prometheus.Labels{"client": client}),
			kprom.FetchAndProduceDetail(kprom.ByNode, kprom.ByTopic, kprom.Records, kprom.UncompressedBytes))
		r.kafka[client] = k
	}
	return []kgo.Hook{k.m}
}

// vec returns the collector registered under name, registering the one
// make returns the first time: wrappers made more than once in a process
// (one per stage input) share their vectors.
func vec[T prometheus.Collector](r *Registry, name string, make func() T) T {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.vecs[name]; ok {
		return c.(T)
	}
	c := make()
	r.reg.MustRegister(c)
	r.vecs[name] = c
	return c
}

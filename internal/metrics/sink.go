package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Writer is a sink's writer of rows of T (sinks/clickhouse.Writer's Write,
// the dev file's): nil only once the rows are durable.
type Writer[T any] interface {
	Write(ctx context.Context, rows []T) error
}

// SinkWriter wraps w, the writer of sink (clickhouse, jsonfile):
//
//	clicktrail_sink_insert_rows{sink}                    histogram of rows per write
//	clicktrail_sink_insert_duration_seconds{sink,result} time of a write (an insert), ok or error
func SinkWriter[T any](r *Registry, sink string, w Writer[T]) Writer[T] {
	if r == nil {
		return w
	}
	rows := vec(r, "sink_insert_rows", func() *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: "sink", Name: "insert_rows",
			Help: "Rows per sink write (one ClickHouse insert).", Buckets: batchBuckets}, []string{"sink"})
	}).WithLabelValues(sink)
	durs := vec(r, "sink_insert_duration_seconds", func() *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: "sink", Name: "insert_duration_seconds",
			Help: "Time of a sink write until the store acknowledged it (result error: the batch is retried)."}, []string{"sink", "result"})
	})
	return &sinkWriter[T]{w: w, rows: rows, ok: durs.WithLabelValues(sink, resultOK), failed: durs.WithLabelValues(sink, resultError)}
}

type sinkWriter[T any] struct {
	w          Writer[T]
	rows       prometheus.Observer
	ok, failed prometheus.Observer
}

func (s *sinkWriter[T]) Write(ctx context.Context, rows []T) error {
	start := time.Now()
	err := s.w.Write(ctx, rows)
	took := time.Since(start).Seconds()
	if err != nil {
		s.failed.Observe(took)
		return err
	}
	s.rows.Observe(float64(len(rows)))
	s.ok.Observe(took)
	return nil
}

package web

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// MetricsSource is what /metrics reads from the engine.
type MetricsSource interface {
	Metrics() *engine.Metrics
	ActiveInstances() int
}

// httpMetrics counts answered requests by status class.
type httpMetrics struct {
	byClass [6]atomic.Int64 // index = status / 100
}

// countRequests counts every answered request (after the error handler ran).
func (s *Server) countRequests(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		// Answer the error here, so the status is known when counting.
		if herr := s.errorHandler(c, err); herr != nil {
			return herr
		}
	}
	if cls := c.Response().StatusCode() / 100; cls >= 1 && cls <= 5 {
		s.http.byClass[cls].Add(1)
	}
	return nil
}

// metrics handles GET /metrics in the Prometheus text format. It carries counts only,
// no names or data, and needs no credentials (like /healthz).
func (s *Server) metrics(c *fiber.Ctx) error {
	var b strings.Builder
	metric := func(name, help, typ string, lines ...string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
	}
	for cls := 1; cls <= 5; cls++ {
		if cls == 1 {
			fmt.Fprintf(&b, "# HELP flowcraft_http_requests_total HTTP requests answered, by status class.\n# TYPE flowcraft_http_requests_total counter\n")
		}
		fmt.Fprintf(&b, "flowcraft_http_requests_total{code=\"%dxx\"} %d\n", cls, s.http.byClass[cls].Load())
	}
	if src := s.deps.Metrics; src != nil {
		m := src.Metrics()
		metric("flowcraft_instances_started_total", "Process instances started.", "counter",
			fmt.Sprintf("flowcraft_instances_started_total %d", m.Started.Load()))
		var ended []string
		for i, st := range engine.EndedStatuses() {
			if st == engine.StatusSkipped {
				continue
			}
			ended = append(ended, fmt.Sprintf("flowcraft_instances_ended_total{status=%q} %d", st, m.Ended[i].Load()))
		}
		metric("flowcraft_instances_ended_total", "Process instances ended, by final status.", "counter", ended...)
		metric("flowcraft_steps_committed_total", "Execution steps committed by the standard engine.", "counter",
			fmt.Sprintf("flowcraft_steps_committed_total %d", m.Steps.Load()))
		metric("flowcraft_fast_instances_written_total", "Fast-engine instances queued for writing.", "counter",
			fmt.Sprintf("flowcraft_fast_instances_written_total %d", m.FastWritten.Load()))
		metric("flowcraft_jobs_claimed_total", "Timer, retry and continuation jobs claimed.", "counter",
			fmt.Sprintf("flowcraft_jobs_claimed_total %d", m.JobsClaimed.Load()))
		metric("flowcraft_human_tasks_created_total", "Human tasks created by approvals.", "counter",
			fmt.Sprintf("flowcraft_human_tasks_created_total %d", m.TasksCreated.Load()))
		metric("flowcraft_instance_states_total", "Instance states an actor took up: read from the store, or kept in memory while the instance waited.", "counter",
			fmt.Sprintf("flowcraft_instance_states_total{source=\"store\"} %d", m.StatesLoaded.Load()),
			fmt.Sprintf("flowcraft_instance_states_total{source=\"memory\"} %d", m.StatesKept.Load()))
		metric("flowcraft_instances_active", "Instances executing right now.", "gauge",
			fmt.Sprintf("flowcraft_instances_active %d", src.ActiveInstances()))
	}
	c.Set(fiber.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
	return c.SendString(b.String())
}

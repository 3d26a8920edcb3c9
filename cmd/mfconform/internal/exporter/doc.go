// Package exporter is `mfconform exporter`: mfconform as a Prometheus
// exporter in blackbox_exporter's multi-target pattern. Prometheus
// schedules, stores and alerts; GET /probe?target=NAME[&module=M] runs
// one conformance check of a configured target and answers its outcome in
// the text exposition format from a registry made for that probe alone;
// GET /metrics is the exporter's own.
//
// The process model is the batch's (cmd/mfconform targets.go): a run is
// one Ginkgo suite and Ginkgo runs once per process, so each probe is its
// own `mfconform run` process attached to one long-lived Chromium the
// exporter shares (each run in isolated browser contexts, disposed of when
// it disconnects). This package holds what does not depend on how a run
// is started — the metrics of a probe, the exporter's own metrics, the
// scheduling (minimum interval, concurrency, the scrape's deadline), the
// browser's supervision and the HTTP handlers — and takes the run itself
// as a function (Scheduler.Run) from the command.
package exporter

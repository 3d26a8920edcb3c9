// Package result is mfconform's result model: what a run found and how it
// ended. Specs produce it (diagnostics, evidence, how far a spec could
// judge), the runner assembles it (spec results, verdict, waivers) and the
// renderers in reports show it. It holds data and the rules that derive one
// field from another (a verdict from the states, a waived state from a
// waiver); it never judges a deployment and imports nothing of mfconform's.
package result

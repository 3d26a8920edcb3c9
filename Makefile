# mfconform — the two commands: `make run` and `make test`.
GO      ?= go
BIN     := bin/mfconform
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# The binary looks for browser bundles it does not embed in the checkout it was built from.
CHECKOUT_LDFLAGS := -X 'github.com/mfconform/mfconform/harness/clientsite.checkoutDir=$(CURDIR)'
# Compiles in the bundles scripts/bundles.sh copied into harness/clientsite/embedded/.
EMBED   := -tags mfconform_embed
REPORTS ?= reports/out
# SSR_BUNDLE is @supabase/ssr's createBrowserClient (with the supabase-js it imports) as one browser
# script, pinned in harness/clientsite/bundles.lock and embedded like supabase-js.
SSR_BUNDLE := build/browser/supabase-ssr.js
SSR_ENTRY  := harness/clientsite/ssr/entry.mjs
# Per fuzz target, as counts of executions (-fuzztime=Nx): make fuzz runs each for FUZZTIME,
# make fuzz-short for FUZZTIME_SHORT. Neither is part of make test (discovery is random).
FUZZTIME       ?= 200000x
FUZZTIME_SHORT ?= 5000x

.PHONY: all deps bundles bundles-lock build run test vet fmt-check fuzz fuzz-short docs report-screenshot bench soak clean dist pin-release image image-test

all: build

## deps: install what the run and the tests need and is missing (Chromium, Debian's Python packages
## for the snippet and JUnit tests and Debian's prometheus with promtool for the exporter's tests
## through apt-get; supabase-js, @supabase/ssr and the Node snippet packages through npm; the
## @supabase/ssr browser bundle built with the pinned esbuild)
deps: node_modules/.package-lock.json $(SSR_BUNDLE)
	@./scripts/install-chromium.sh
	@./scripts/install-test-python.sh
	@./scripts/install-prometheus.sh

# npm ci only when node_modules is missing or older than package.json/package-lock.json
# (npm writes node_modules/.package-lock.json on every install; touch marks it fresh).
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: install Node.js and npm (Debian: sudo apt-get install -y nodejs npm)" >&2; exit 3; }
	npm ci --no-audit --no-fund
	@touch $@

# The bundle is rebuilt when the installed packages or the entry change. esbuild comes pinned in
# package-lock.json with its native binary inside its npm package (@esbuild/<platform>); its output
# is deterministic, so the same lockfile gives the same bytes — bundles.lock pins its digest.
$(SSR_BUNDLE): node_modules/.package-lock.json $(SSR_ENTRY)
	@mkdir -p $(dir $@)
	node_modules/.bin/esbuild $(SSR_ENTRY) --bundle --format=iife --global-name=supabaseSsr \
		--platform=browser --target=es2020 --minify --log-level=warning --outfile=$@

## bundles: check the pinned browser bundles (harness/clientsite/bundles.lock) and stage them for embedding
bundles: node_modules/.package-lock.json $(SSR_BUNDLE)
	@./scripts/bundles.sh embed

## bundles-lock: after a deliberate version bump in package.json, pin the new versions and digests
bundles-lock: node_modules/.package-lock.json $(SSR_BUNDLE)
	./scripts/bundles.sh lock

## build: compile bin/mfconform with the pinned browser bundles embedded
build: bundles
	$(GO) build $(EMBED) -ldflags "$(LDFLAGS) $(CHECKOUT_LDFLAGS)" -o $(BIN) ./cmd/mfconform

## dist: release archives dist/mfconform_VERSION_OS_ARCH.tar.gz and dist/SHA256SUMS
dist: bundles
	VERSION=$(VERSION) COMMIT=$(COMMIT) GO=$(GO) ./scripts/dist.sh

## pin-release: append dist/SHA256SUMS (make dist) to release-digests.sha256, the digests the GitHub
## Action checks a downloaded release against; commit it and tag that commit with the release
pin-release:
	@test -f dist/SHA256SUMS || { echo "pin-release: run make dist first" >&2; exit 3; }
	@while read -r line; do grep -qxF -- "$$line" release-digests.sha256 || echo "$$line" >>release-digests.sha256; done <dist/SHA256SUMS
	@echo "pinned: $$(wc -l <dist/SHA256SUMS) archives in release-digests.sha256"

## image: the container image (podman or buildah; installs them with apt-get when missing);
## BASE=… builds on another Debian bookworm image, IMAGE=… names the result
image: bundles
	$(if $(IMAGE),IMAGE=$(IMAGE)) VERSION=$(VERSION) COMMIT=$(COMMIT) GO=$(GO) ./scripts/image.sh build $(BASE)

## image-test: build a Debian base with debootstrap (cached in .cache/image), the image on it, and run
## the default job and a run by URL inside it (TestImage in scripts/; skipped where images cannot run;
## MFCONFORM_IMAGE_TEST=require makes that a failure)
image-test: bundles
	MFCONFORM_IMAGE_TEST=$${MFCONFORM_IMAGE_TEST:-1} VERSION=$(VERSION) COMMIT=$(COMMIT) GO=$(GO) \
		$(GO) test -count=1 -timeout 60m -v -run '^TestImage$$' ./scripts

## run: the main job — both modes against the embedded reference deployment; reports in reports/out
run: deps build
	./$(BIN) run --report-dir $(REPORTS)

## test: every test — formatting, vet, unit tests, end-to-end runs of the binary in real Chromium (the
## hostile target among them), every fuzz target's committed corpus replayed (deterministic: no
## random discovery gates a run; that is make fuzz)
test: deps fmt-check vet
	@mkdir -p $(REPORTS)
	MFCONFORM_MATRIX_OUT=$(CURDIR)/$(REPORTS)/fixture-matrix.txt $(GO) test -count=1 -timeout 30m ./...
	@cat $(REPORTS)/fixture-matrix.txt
	$(MAKE) image-test

## fuzz: discovery — every native Go fuzz target for FUZZTIME executions each (default 200000x); a
## failing input lands in its package's testdata/fuzz/FuzzXxx/ — commit it with the fix
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) ./scripts/fuzz.sh

## fuzz-short: a quick discovery pass, FUZZTIME_SHORT executions per target (default 5000x) from the
## committed corpus only
fuzz-short:
	FUZZTIME=$(FUZZTIME_SHORT) FUZZCORPUS=committed GO=$(GO) ./scripts/fuzz.sh

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin build dist $(REPORTS) harness/clientsite/embedded

## docs: regenerate the generated sections of README.md and docs/*.md (each section once across them)
docs: build
	./$(BIN) docs README.md $(wildcard docs/*.md)

## report-screenshot: run a broken fixture and regenerate docs/reports.md's example report: docs/report-example.json, its
## screenshot docs/report-example.png and docs/report-example.html.sha256 (checked by TestReportExampleIsCurrent)
report-screenshot: deps build
	./scripts/report-screenshot.sh $(BIN) docs/report-example.png

## soak: the exporter's soak (cmd/mfconform TestExporterSoak) — SOAK_PROBES probes (default 500) of the
## embedded reference and a broken fixture through one exporter, two at a time; its RSS, goroutines and
## open files and Chromium's process count must not grow. Minutes; not part of make test
soak: deps
	MFCONFORM_SOAK=1 MFCONFORM_SOAK_PROBES=$(or $(SOAK_PROBES),500) $(GO) test -count=1 -timeout 2h -v -run '^TestExporterSoak$$' ./cmd/mfconform

## bench: time the default run against a bare Chromium start (7 interleaved samples each)
bench: deps build
	$(GO) run ./cmd/mfbench --bin $(BIN) --n $(or $(N),7)

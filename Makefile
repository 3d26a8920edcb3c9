# mfconform — the two commands: `make run` and `make test`.
GO      ?= go
BIN     := bin/mfconform
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
REPORTS ?= reports/out
# SSR_BUNDLE is @supabase/ssr's createBrowserClient (with the supabase-js it imports) as one browser
# script; harness/clientsite FindSSRBundle looks for it here (or at $$MFCONFORM_SUPABASE_SSR_JS).
SSR_BUNDLE := build/browser/supabase-ssr.js
SSR_ENTRY  := harness/clientsite/ssr/entry.mjs

.PHONY: all deps build run test vet fmt-check docs report-screenshot bench clean

all: build

## deps: install what the run needs and is missing (Chromium through apt-get, supabase-js and
## @supabase/ssr through npm, the @supabase/ssr browser bundle built with the pinned esbuild)
deps: node_modules/.package-lock.json $(SSR_BUNDLE)
	@./scripts/install-chromium.sh

# npm ci only when node_modules is missing or older than package.json/package-lock.json
# (npm writes node_modules/.package-lock.json on every install; touch marks it fresh).
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: install Node.js and npm (Debian: sudo apt-get install -y nodejs npm)" >&2; exit 3; }
	npm ci --no-audit --no-fund
	@touch $@

# The bundle is rebuilt when the installed packages or the entry change. esbuild comes pinned in
# package-lock.json with its native binary inside its npm package (@esbuild/<platform>); its output
# is deterministic, so the same lockfile gives the same bytes.
$(SSR_BUNDLE): node_modules/.package-lock.json $(SSR_ENTRY)
	@mkdir -p $(dir $@)
	node_modules/.bin/esbuild $(SSR_ENTRY) --bundle --format=iife --global-name=supabaseSsr \
		--platform=browser --target=es2020 --minify --log-level=warning --outfile=$@

## build: compile bin/mfconform
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/mfconform

## run: the main job — JWT-mode conformance run against the embedded reference deployment
run: deps build
	./$(BIN) run --report-dir $(REPORTS)

## test: every test — formatting, vet, unit tests, end-to-end runs of the binary in real Chromium
test: deps fmt-check vet
	@mkdir -p $(REPORTS)
	MFCONFORM_MATRIX_OUT=$(CURDIR)/$(REPORTS)/fixture-matrix.txt $(GO) test -count=1 -timeout 30m ./...
	@cat $(REPORTS)/fixture-matrix.txt

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin build $(REPORTS)

## docs: regenerate the generated sections of README.md
docs: build
	./$(BIN) docs README.md

## report-screenshot: regenerate docs/report-example.png (the README's example report with a failure)
report-screenshot: deps build
	./scripts/report-screenshot.sh $(BIN) docs/report-example.png

## bench: time the default run against a bare Chromium start (7 interleaved samples each)
bench: deps build
	$(GO) run ./cmd/mfbench --bin $(BIN) --n $(or $(N),7)

# Thin wrappers around dotnet; see README.md.
DOTNET ?= dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT = 1
export DOTNET_NOLOGO = 1

.PHONY: build run test test-fast test-long bench load compare small soak slow publish clean

build:
	$(DOTNET) build RawZipServer.sln -c Release

# Release build, embedded demo configuration, http://127.0.0.1:8080
run:
	$(DOTNET) run -c Release --project src/RawZipServer

# Every test, the long ZIP64 ones included; ends with "N passed, N failed".
test: tests/browser/node_modules
	bash tools/run-tests.sh

# playwright-core for the browser test (it drives Debian's /usr/bin/chromium; no browser download).
tests/browser/node_modules: tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund
	touch $@

# Everything except the tests tagged [Trait("Category", "Long")] (multi-GiB archives).
test-fast: tests/browser/node_modules
	bash tools/run-tests.sh --filter "Category!=Long"

test-long:
	bash tools/run-tests.sh --filter "Category=Long"

# Self-contained single-file Linux x64 build in dist/ (rawzip + appsettings.json + demo/); needs no dotnet to run.
publish:
	rm -rf dist
	$(DOTNET) publish src/RawZipServer -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -p:DebugType=embedded -o dist

bench:
	$(DOTNET) run -c Release --project perf/RawZipServer.Benchmarks -- --filter '*'

# Load driver against the Release server, which streams a 4 × 1 GiB stored archive from an HTTP origin (Debian's
# nginx serving a corpus generated on disk; installed through apt when missing): 1 download, then 4 concurrent,
# 3 runs each, medians. Loopback only; bounded to 5 minutes. See perf/README.md.
load:
	timeout 300 bash perf/compare.sh load

# The same side by side with an ASP.NET Core + ZipArchive baseline and nginx proxying the same bytes, all from the
# same origin, then `make small`. Bounded to 20 minutes.
compare:
	timeout 1200 bash perf/compare.sh compare

# Many small files: 1000 × 1 MiB vs the 4 × 1 GiB archive through an origin adding 2 ms per request
# (perf/FaultyOrigin), with Upstream:Prefetch=0 and the default; prints small ÷ big. Bounded to 10 minutes.
small:
	timeout 600 bash perf/compare.sh small

# Bounded soak: 200 concurrent verified downloads (fast, slow, disconnecting clients) against a faulty origin
# (perf/FaultyOrigin) and the synthetic one for SOAK_MINUTES (default 10); corrupt archives must be 0.
# Loopback only; the whole target is bounded to SOAK_MINUTES + 5 minutes. See perf/README.md.
SOAK_MINUTES ?= 10
soak:
	SOAK_MINUTES=$(SOAK_MINUTES) timeout $$(( $(SOAK_MINUTES) * 60 + 300 )) bash perf/soak.sh

# 1000 clients reading 64 KiB/s each for 90 s (SLOW_CLIENTS, SLOW_SECONDS, SLOW_RATE, SLOW_ORIGIN=synthetic|http):
# server RSS every second, its peak and its growth over the second half. Loopback only; bounded to SLOW_SECONDS + 180 s.
SLOW_SECONDS ?= 90
slow:
	SLOW_SECONDS=$(SLOW_SECONDS) timeout $$(( $(SLOW_SECONDS) + 180 )) bash perf/slow-clients.sh

clean:
	$(DOTNET) clean RawZipServer.sln
	rm -rf TestResults BenchmarkDotNet.Artifacts dist

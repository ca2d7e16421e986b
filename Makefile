# Headroom — build, test, run and benchmark. Every target installs what it needs on a fresh
# Debian machine (run as root there; elsewhere the apt step is skipped when nothing is missing).
SWIFT ?= swift
# Debian packages: SQLite for the run store (GRDB, linked), and OpenBLAS's shared library (with
# LAPACK) for the calibration harness, opened at run time (dlopen), so its -dev package is not needed.
APT_PACKAGES ?= libsqlite3-dev libopenblas0
SCENARIO ?= scenarios/quickstart.yaml

.PHONY: measured-profiles all deps browser-deps fuzz fuzz-build profile build release run run-one test notebook-test report-test docs docs-check bench bench-machine bench-peer distributed-test slurm-test k8s-job-test completions cuda cuda-check clean

all: build

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "error: the Swift toolchain ($(SWIFT)) is not on PATH; install Swift 6.1 or later"; exit 1; }

# Headless Chromium (Debian's package) for the report check.
browser-deps:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# SwiftPM 6.3 can leave a module's dependents unbuilt after a change to the engine's inlinable
# code (swiftlang/swift-package-manager#10502): their specialised copies then read the old layout
# (a `headroom bench` segfaulted so). When a HeadroomEngine source is newer than the configuration's
# binary, the Headroom modules of that configuration are rebuilt from clean (a fresh clone has
# nothing to clean). Its argument: debug or release.
define fresh-dependents
@if [ -e .build/$(1)/headroom ] && [ -n "$$(find Sources/HeadroomEngine -name '*.swift' -newer .build/$(1)/headroom | head -1)" ]; then \
  echo "HeadroomEngine changed: rebuilding the $(1) Headroom modules from clean"; \
  rm -rf .build/$(1)/Headroom*.build .build/$(1)/Modules/Headroom* .build/$(1).yaml; \
fi
endef

build: deps
	$(call fresh-dependents,debug)
	$(SWIFT) build

# Swift's runtime and Foundation linked in (`--static-swift-stdlib`): a process starts ~5 ms sooner
# (no dynamic symbol binding; `headroom --version` 6 ms instead of 11 on the README's machine),
# which sweeps and short runs pay every time. The binary grows from ~40 to ~110 MB.
# Link-time optimization over all the modules (LTO=full, SwiftPM's `--experimental-lto-mode`):
# calls between modules inline (the engine's, the collections'); the KPA day's first 6 hours
# -3.6 % CPU (8 of 10 interleaved pairs), the fleet's first 4 minutes -5 to -6 % (median pair
# ratio of two sets of 8 and 10 pairs; 11 of 18 faster), 2 % fewer instructions; same results.
# It costs the link: a clean release build ~5 min instead of ~3.3, a rebuild after any change
# ~2.7 min, ~3 GB of memory. `make release LTO=` builds without it. (Thin LTO fails to link
# the static runtime here; profile-guided optimization crashes Swift 6.3.1's optimizer.)
LTO ?= full
ifneq ($(filter-out full,$(LTO)),)
$(error LTO=$(LTO): use LTO=full (the default) or LTO= (none); thin LTO fails to link the static Swift runtime)
endif
release: deps
	$(call fresh-dependents,release)
	$(SWIFT) build -c release --static-swift-stdlib $(if $(LTO),--experimental-lto-mode=$(LTO))

# The main job: the shipped sweep comparing the four scaling signals over three seeds, stored in
# headroom.sqlite (a re-run resumes it), then the comparison table.
run: release
	.build/release/headroom sweep scenarios/sweeps/signals.yaml --resume
	.build/release/headroom compare --sweep signals --baseline kpa-concurrency

# One scenario (SCENARIO=...), not stored.
run-one: release
	.build/release/headroom run $(SCENARIO) --no-store

# The whole suite, debug build with internal invariant checks on (the process tests run the
# `headroom` binary, so it is built first).
test: deps
	$(call fresh-dependents,debug)
	$(SWIFT) build
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) report-test
	$(MAKE) docs-check
	$(MAKE) distributed-test

# The measured profiles in profiles/, one per model × GPU × TP of the shared measured tables
# (MEASUREMENTS: a folder with vidur/ and llmservingsim/, see measurements/README.md; configurations
# whose weights do not fit and models of unknown shape are skipped with the reason), then the
# built-ins compiled into the binary (Sources/Headroom/Serving/MeasuredProfiles+Generated.swift: each
# profile less its samples), and a build with them. Run from the tables' parent so that the
# profiles' sources name them by their relative path. Not part of `make test`, which checks that the
# generated file agrees with profiles/.
MEASUREMENTS ?= ../shared/measurements
measured-profiles: build
	cd $(MEASUREMENTS)/.. && $(CURDIR)/.build/debug/headroom profile generate --input measurements -o $(CURDIR)/profiles
	.build/debug/headroom profile embed --folder profiles -o Sources/Headroom/Serving/MeasuredProfiles+Generated.swift
	$(SWIFT) build

# Every output block and figure the README quotes (marked `<!-- docs: COMMAND -->`) is printed by
# the current binary: `make docs` rewrites them; `make docs-check` (part of `make test`) fails when
# one differs, wall-clock times aside. Release build: the quoted sweeps take minutes in debug.
docs: release
	python3 Tests/Docs/readme_figures.py --binary .build/release/headroom --write README.md

docs-check: release
	python3 Tests/Docs/test_readme_figures.py
	python3 Tests/Docs/readme_figures.py --binary .build/release/headroom --check README.md

# The notebook runs top to bottom on a store shaped like `make run`'s (a short sweep).
notebook-test: build
	python3 -m pip install --quiet --disable-pip-version-check -r notebooks-data/requirements.txt
	rm -f .build/notebook-test.sqlite*
	.build/debug/headroom sweep notebooks-data/notebook-test-sweep.yaml --db .build/notebook-test.sqlite
	mkdir -p .build/notebook-figures
	cd notebooks-data && HEADROOM_DB=../.build/notebook-test.sqlite HEADROOM_FIGURES=../.build/notebook-figures python3 run_notebook.py headroom-runs.ipynb
	for f in csv jsonl parquet; do rm -rf .build/export-test/$$f; \
	  .build/debug/headroom export --db .build/notebook-test.sqlite --sweep notebook-test --format $$f -o .build/export-test/$$f >/dev/null || exit 1; done
	python3 notebooks-data/check_export.py .build/notebook-test.sqlite .build/export-test

# The HTML reports of the notebook-test store (a sweep, and one run in full), opened in headless
# Chromium: charts rendered, no console message, colours on the screenshot.
report-test: browser-deps notebook-test
	mkdir -p .build/report-test
	.build/debug/headroom report --db .build/notebook-test.sqlite --sweep notebook-test -o .build/report-test/sweep.html
	.build/debug/headroom report --db .build/notebook-test.sqlite --run 1 -o .build/report-test/run-1.html
	python3 Tests/Browser/check_report.py $(CURDIR)/.build/report-test/sweep.html $(CURDIR)/.build/report-test/run-1.html

# Release-build benchmarks, headed by the machine they ran on: the engine alone, then the README's
# Performance tables (Tests/Bench/performance.py): B1 synthetic and replayed from the Python peer's
# trace in four formats (rows/s read alone); the KPA day; the fleet at 1 %, 10 % and 100 % (the same
# traffic per replica: µs per request should stay flat); the churn day (0 ↔ 1,000 replicas every
# 20 minutes) hour by hour; a week of the Azure trace; MB per simulated hour of a stored day; a sweep at 1 and 2 jobs. Last,
# B1 beside its reference Python peer (PEERS: a folder with b1_heapq.py and b1_common.py; needs
# python3 with numpy, else skipped) and the ratio of their wall times.
PEERS ?= ../shared/peers
bench: release bench-machine
	.build/release/headroom bench scenarios/benchmark-fixed-fleet.yaml --duration 6h --engine-events 1000000
	for s in b1 scale store sweep; do python3 Tests/Bench/performance.py --binary .build/release/headroom --section $$s || exit 1; echo; done
	$(MAKE) --no-print-directory bench-peer

bench-machine:
	@echo "machine: $$(nproc) CPUs ($$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $$(awk '/MemTotal/ {printf "%.0f GB", $$2 / 1048576}' /proc/meminfo), $$(uname -sr), $$($(SWIFT) --version 2>/dev/null | grep -o 'Swift version [0-9.]*'), load $$(cut -d' ' -f1-3 /proc/loadavg)"

bench-peer: release
	@if command -v python3 >/dev/null; then python3 Tests/Bench/b1_vs_peer.py --binary .build/release/headroom --peers $(PEERS); \
	else echo "B1 vs the Python peer: skipped (no python3)"; fi

# Past one machine, for real: the README's Slurm array recipe end to end on a one-node Slurm
# cluster started by the test (Debian's slurm-wlm, installed when missing and root; skipped, saying
# why, where its daemons cannot start), and the README's Kubernetes Indexed Job validated against
# the batch/v1 Job schema (kubernetes-validate, pinned, into .build/k8s-validate) without a cluster.
KUBERNETES_VALIDATE ?= kubernetes-validate==1.37.0
distributed-test: slurm-test k8s-job-test

slurm-test: build
	Tests/Distributed/slurm-array.sh .build/debug/headroom

k8s-job-test:
	@test -f .build/k8s-validate/.installed-$(KUBERNETES_VALIDATE) || { rm -rf .build/k8s-validate && \
	  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target .build/k8s-validate $(KUBERNETES_VALIDATE) && \
	  touch .build/k8s-validate/.installed-$(KUBERNETES_VALIDATE); }
	PYTHONPATH=.build/k8s-validate python3 Tests/Distributed/validate_k8s_job.py README.md

# Where the time goes, counted in instructions (reproducible on a noisy machine): callgrind on 10
# simulated minutes of the KPA day, top functions. Valgrind cannot read Swift's release debug
# info, so it profiles a copy without it (function names come from the symbol table).
profile: release
	@command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
	cp .build/release/headroom .build/headroom-profiled && strip -g .build/headroom-profiled
	valgrind --tool=callgrind --callgrind-out-file=.build/callgrind.out .build/headroom-profiled run scenarios/benchmark-day-kpa.yaml --duration 10m --no-store >/dev/null
	callgrind_annotate .build/callgrind.out | head -40

# libFuzzer on every user input (scenario YAML, the four trace formats, profiles, and the paths
# naming them: directories, FIFOs, unreadable and missing files given to every loader) with
# AddressSanitizer, FUZZ_SECONDS per target (default 60), seeded with the shipped files. Findings go
# to .build/fuzz-findings/; fixed ones are kept in Tests/FuzzRegressions/ and replayed by `make test`.
fuzz-build: deps
	HEADROOM_FUZZ=1 $(SWIFT) build -c release --build-path .build/fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --product HeadroomFuzz

fuzz: fuzz-build
	Tests/Fuzz/run.sh

# Shell completion for bash, zsh and fish (generated by swift-argument-parser), installed under
# PREFIX (default /usr/local; DESTDIR for packaging). Open a new shell afterwards.
PREFIX ?= /usr/local
completions: release
	mkdir -p .build/completions
	.build/release/headroom --generate-completion-script bash > .build/completions/headroom.bash
	.build/release/headroom --generate-completion-script zsh > .build/completions/_headroom
	.build/release/headroom --generate-completion-script fish > .build/completions/headroom.fish
	install -D -m 644 .build/completions/headroom.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/headroom
	install -D -m 644 .build/completions/_headroom $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_headroom
	install -D -m 644 .build/completions/headroom.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/headroom.fish
	@echo "installed completions under $(DESTDIR)$(PREFIX)/share"

# The CUDA probe, built with the machine's nvcc and cuBLAS (a GPU machine).
NVCC ?= nvcc
CUDA_ARCHS ?= -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90
cuda:
	mkdir -p .build
	$(NVCC) -O3 -std=c++17 $(CUDA_ARCHS) Sources/CUDAProbe/probe.cu -lcublas -o .build/headroom-probe

# Compile-only check of the probe without a GPU: nvcc, the CUDA headers and cuBLAS's headers from
# PyPI (about 570 MB of wheels, cuBLAS's library included), into .build/cuda.
CUDA_WHEELS = nvidia-cuda-nvcc nvidia-cuda-runtime nvidia-cuda-crt nvidia-cuda-cccl nvidia-nvvm nvidia-cublas
cuda-check:
	@test -x .build/cuda/nvidia/cu13/bin/nvcc || { \
	  python3 -m pip download --quiet --disable-pip-version-check --no-deps -d .build/cuda-wheels $(CUDA_WHEELS) && \
	  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target .build/cuda .build/cuda-wheels/*.whl; }
	PATH=$(CURDIR)/.build/cuda/nvidia/cu13/bin:$$PATH CUDA_HOME=$(CURDIR)/.build/cuda/nvidia/cu13 \
	  nvcc -std=c++17 $(CUDA_ARCHS) -c Sources/CUDAProbe/probe.cu -o .build/probe.o
	@echo "the CUDA probe compiles for sm_80 and sm_90"

clean:
	rm -rf .build

# vppd — build, test, benchmark, install. See README.md.
SHELL := /bin/bash
PREFIX ?= /usr/local
DESTDIR ?=
APT_PACKAGES := libmodbus-dev libmosquitto-dev mosquitto mosquitto-clients pkg-config libsystemd-dev systemd coinor-libclp-dev sqlite3 curl chromium
SWIFT_BUILD := swift build --build-tests
BIN_DEBUG := .build/debug

.PHONY: setup build test test-browser bench release demo install format clean-state fuzz fuzz-api fuzz-parsers fuzz-short

## setup: install the Debian packages vppd needs (only those missing)
setup:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "all system packages present"; fi

## build: debug build of everything, tests included (one consistent command, DESIGN §11)
build:
	$(SWIFT_BUILD)

## test: build once, then run every test against the built binaries. Suites run one after another: the
## integration tests start real brokers, simulators and daemons, and on a 2-core machine running them in
## parallel starves the timing-sensitive fault tests. First, the module graph is checked against DESIGN §2
## (scripts/check-modules.py: forbidden imports and target edges, and no tooling linked into vppd).
## Then the dashboard's browser test (README "Dashboard"): headless chromium against a real vppd on 1,000 simulated
## devices; it fails, never skips, when chromium is missing (`make setup` and .ci/run install it).
test: build
	python3 scripts/check-modules.py
	swift test --skip-build --no-parallel
	scripts/browser-test.sh

## test-browser: the dashboard's browser test alone (BROWSER_SCREENSHOT=docs/dashboard.png refreshes the README's image)
test-browser: build
	scripts/browser-test.sh

## fuzz: the whole hostile-input pass (README "Fuzzing"): Schemathesis against a real vppd (every phase, every
## check, four roles, FUZZ_EXAMPLES per operation and phase) and every libFuzzer target (FUZZ_RUNS inputs each)
fuzz: fuzz-api fuzz-parsers

fuzz-api: build
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} scripts/fuzz-api.sh

fuzz-parsers:
	FUZZ_RUNS=$${FUZZ_RUNS:-1000000} scripts/fuzz-parsers.sh

## fuzz-short: the bounded pass CI runs after the tests (about 1 min of Schemathesis, 20 s per libFuzzer target)
fuzz-short: build
	FUZZ_EXAMPLES=10 FUZZ_MAX_TIME=12 scripts/fuzz-api.sh
	FUZZ_SECONDS=20 scripts/fuzz-parsers.sh

## release: optimised binaries in .build/release
release:
	swift build -c release

## bench: run every benchmark suite on release binaries
bench: release
	.build/release/vppbench devices
	.build/release/vppbench api
	.build/release/vppbench market
	.build/release/vppbench dispatch
	.build/release/vppbench dr
	.build/release/vppbench flood

## demo: set up and start the demo on embedded defaults (simulated fleet + mosquitto + vppd)
demo: setup build
	scripts/demo.sh

## install: binaries, profiles and systemd units under $(DESTDIR)$(PREFIX)
install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/vppd/DeviceProfiles $(DESTDIR)$(PREFIX)/share/vppd/MarketProfiles \
	  $(DESTDIR)$(PREFIX)/share/vppd/Dashboard
	install -m 0755 .build/release/vppd .build/release/vppctl .build/release/vppsim $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 DeviceProfiles/*.yaml $(DESTDIR)$(PREFIX)/share/vppd/DeviceProfiles/
	install -m 0644 MarketProfiles/*.yaml $(DESTDIR)$(PREFIX)/share/vppd/MarketProfiles/
	install -m 0644 Dashboard/* $(DESTDIR)$(PREFIX)/share/vppd/Dashboard/
	install -D -m 0644 systemd/vppd.service $(DESTDIR)/etc/systemd/system/vppd.service
	install -D -m 0644 systemd/vppd.sysusers $(DESTDIR)/usr/lib/sysusers.d/vppd.conf
	install -D -m 0644 systemd/vppd.tmpfiles $(DESTDIR)/usr/lib/tmpfiles.d/vppd.conf
	install -D -m 0640 examples/vppd.yaml $(DESTDIR)/etc/vppd/vppd.yaml.example

format:
	swift format -i -r Sources Tests Package.swift

# drover's tasks. Everything needs only the Swift toolchain (and python3 for the example).
SWIFT   ?= swift
PREFIX  ?= /usr/local
RELEASE := .build/release/drover

.PHONY: build test start install bench clean

build:
	$(SWIFT) build

# Debug build of everything, then every test (unit, system, end to end).
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test

# Release build, then the example formation in the foreground (Ctrl-C stops it).
start:
	$(SWIFT) build -c release
	$(RELEASE) start -f Procfile.example -e .env.example

# A release binary with the Swift runtime linked in, so it runs without a toolchain.
install:
	$(SWIFT) build -c release --static-swift-stdlib
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(RELEASE) $(DESTDIR)$(PREFIX)/bin/drover

# Release build (as installed: static Swift runtime), then the benchmark's table of medians.
bench:
	$(SWIFT) build -c release --static-swift-stdlib --product drover
	$(SWIFT) build -c release --product drover-bench
	.build/release/drover-bench --drover $(RELEASE) $(if $(PEERS),--peers) $(BENCH_FLAGS)

clean:
	rm -rf .build

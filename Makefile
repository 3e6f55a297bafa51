# drover's tasks. Everything needs only the Swift toolchain (and python3 for the example).
SWIFT   ?= swift
PREFIX  ?= /usr/local
RELEASE := .build/release/drover
# The installed binary is fully static: no Swift toolchain, no libstdc++, nothing
# but the kernel needed, and 5-6 MB resident with 100 processes instead of 8. The
# linker warns that the static Swift runtime references dlopen; drover never loads
# a library, so that warning cannot apply. Own scratch path: other flags, no rebuilds.
STATIC_FLAGS := -c release --static-swift-stdlib -Xswiftc -static-executable --scratch-path .build-static
STATIC  := .build-static/release/drover

.PHONY: build test lint format start install bench fuzz soak clean

build:
	$(SWIFT) build

# Lint first (a style finding fails the run), then a debug build of everything and
# every test (unit, system, end to end).
test: lint
	$(SWIFT) build --build-tests
	$(SWIFT) test

# The toolchain's formatter, with the house style in .swift-format.
FORMAT_PATHS := Package.swift Sources Tests
lint:
	$(SWIFT) format lint --strict --parallel --recursive $(FORMAT_PATHS)

format:
	$(SWIFT) format format --in-place --parallel --recursive $(FORMAT_PATHS)

# Release build, then the example formation in the foreground (Ctrl-C stops it).
start:
	$(SWIFT) build -c release
	$(RELEASE) start -f Procfile.example -e .env.example

# The fully static binary (see STATIC_FLAGS).
install:
	$(SWIFT) build $(STATIC_FLAGS) --product drover
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(STATIC) $(DESTDIR)$(PREFIX)/bin/drover

# drover as installed (fully static), then the benchmark's table of medians.
bench:
	$(SWIFT) build $(STATIC_FLAGS) --product drover
	$(SWIFT) build -c release --product drover-bench
	.build/release/drover-bench --drover $(STATIC) $(if $(PEERS),--peers) $(BENCH_FLAGS)

# libFuzzer over the core's parsers, FUZZ_SECONDS each; crashes land in .build-fuzz/.
FUZZ_SECONDS ?= 60
fuzz:
	bash Tests/Fuzz/run.sh $(FUZZ_SECONDS)

# A formation with restart policies under random kills, scaling and garbage, SOAK_SECONDS long.
SOAK_SECONDS ?= 120
soak:
	$(SWIFT) build -c release --product drover
	$(SWIFT) build -c release --product drover-soak
	.build/release/drover-soak --drover .build/release/drover --seconds $(SOAK_SECONDS)

clean:
	rm -rf .build .build-static .build-fuzz

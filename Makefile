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

.PHONY: build test lint format start install uninstall man bench fuzz soak clean

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

# Where install puts the binary, the man page and the three completion scripts.
BIN_FILE  = $(DESTDIR)$(PREFIX)/bin/drover
MAN_FILE  = $(DESTDIR)$(PREFIX)/share/man/man1/drover.1
BASH_FILE = $(DESTDIR)$(PREFIX)/share/bash-completion/completions/drover
ZSH_FILE  = $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_drover
FISH_FILE = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/drover.fish
COMPLETIONS := .build-static/completions

# The fully static binary (see STATIC_FLAGS), stripped (about a third of its size is
# symbols), with the committed man page and completions the binary itself writes.
install:
	$(SWIFT) build $(STATIC_FLAGS) --product drover
	mkdir -p $(COMPLETIONS)
	$(STATIC) completion bash > $(COMPLETIONS)/drover.bash
	$(STATIC) completion zsh > $(COMPLETIONS)/_drover
	$(STATIC) completion fish > $(COMPLETIONS)/drover.fish
	install -d $(dir $(BIN_FILE)) $(dir $(MAN_FILE)) $(dir $(BASH_FILE)) $(dir $(ZSH_FILE)) $(dir $(FISH_FILE))
	install -m 755 -s $(STATIC) $(BIN_FILE)
	install -m 644 docs/drover.1 $(MAN_FILE)
	install -m 644 $(COMPLETIONS)/drover.bash $(BASH_FILE)
	install -m 644 $(COMPLETIONS)/_drover $(ZSH_FILE)
	install -m 644 $(COMPLETIONS)/drover.fish $(FISH_FILE)

# Exactly what install put there; the directories stay (others' files live in them).
uninstall:
	rm -f $(BIN_FILE) $(MAN_FILE) $(BASH_FILE) $(ZSH_FILE) $(FISH_FILE)

# docs/drover.1 from the help texts, through the hidden 'drover help --man'; a test
# fails when the committed page is not what this writes.
man:
	$(SWIFT) build --product drover
	$$($(SWIFT) build --show-bin-path)/drover help --man > docs/drover.1.tmp
	mv docs/drover.1.tmp docs/drover.1

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

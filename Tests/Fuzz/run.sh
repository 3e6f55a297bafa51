#!/usr/bin/env bash
# `make fuzz`: builds each libFuzzer target in Tests/Fuzz and runs it for SECONDS
# (default 60), one after the other. Needs only bash, coreutils and the Swift toolchain.
#
#   bash Tests/Fuzz/run.sh [SECONDS]
#   FUZZ_TARGETS="dotenv control" bash Tests/Fuzz/run.sh 600
#
# Everything it writes is under .build-fuzz/: binaries, a working corpus per target
# (seeded from Tests/Fuzz/Corpus, which is never written to), logs, and crashes.
# Exits 1 if any target crashed, leaked, timed out or ran out of memory.
set -euo pipefail

seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
    echo "usage: $0 [SECONDS]" >&2
    exit 64
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
fuzz=Tests/Fuzz
out=.build-fuzz
swiftc=${SWIFTC:-swiftc}

# One target per Swift file here, unless FUZZ_TARGETS picks some.
if [[ -n ${FUZZ_TARGETS:-} ]]; then
    read -r -a targets <<<"$FUZZ_TARGETS"
else
    targets=()
    for file in "$fuzz"/*.swift; do
        name=${file##*/}
        targets+=("${name%.swift}")
    done
fi

# The core is compiled into each fuzzer's module, so internal API is visible to it.
# Found at run time: the core's folder layout may change.
mapfile -t core < <(find Sources/DroverCore -name '*.swift' | LC_ALL=C sort)
if ((${#core[@]} == 0)); then
    echo "fuzz: no Swift files under Sources/DroverCore" >&2
    exit 1
fi

# -O: several times more runs per second; bounds and overflow checks stay on.
# lld: gold prints a warning for every ASan symbol it cannot export.
flags=(-swift-version 6 -warnings-as-errors -sanitize=fuzzer,address -parse-as-library -O -wmo -g -use-ld=lld)

# Rebuilds only when the target, the core or this script changed, or the file set did.
build() {
    local target=$1 binary=$out/$1
    local list=$out/$1.sources
    local wanted
    wanted=$(printf '%s\n' "${core[@]}" "$fuzz/$target.swift")
    if [[ -x $binary && -f $list && $(<"$list") == "$wanted" ]] &&
        [[ -z $(find "${core[@]}" "$fuzz/$target.swift" "$fuzz/run.sh" -newer "$binary" -print -quit) ]]; then
        return 0
    fi
    echo "fuzz: building $target"
    # From inside $out: with -g the driver leaves a module file in the current directory.
    (cd "$out" && "$swiftc" "${flags[@]}" -module-name "Fuzz_$target" \
        "${core[@]/#/$root/}" "$root/$fuzz/$target.swift" -o "$target") || return 1
    printf '%s\n' "$wanted" >"$list"
}

mkdir -p "$out/logs"
status=0
summary=()
for target in "${targets[@]}"; do
    if [[ ! -f $fuzz/$target.swift ]]; then
        echo "fuzz: no target $target ($fuzz/$target.swift)" >&2
        exit 64
    fi
    if ! build "$target"; then
        summary+=("$target: build failed")
        status=1
        continue
    fi

    corpus=$out/corpus/$target
    crashes=$out/crashes/$target
    log=$out/logs/$target.log
    mkdir -p "$corpus" "$crashes"
    # The working corpus keeps what earlier runs found; the repo's seeds are only read.
    if [[ -d $fuzz/Corpus/$target ]]; then
        cp -R "$fuzz/Corpus/$target/." "$corpus/"
    fi
    marker=$out/logs/$target.started
    : >"$marker"

    echo "fuzz: running $target for ${seconds}s (log: $log)"
    # -timeout: no input of a few KiB should take a second; 10 s leaves room for a loaded machine.
    # -rss_limit_mb: the parsers need a few MiB; 2 GiB catches runaway growth before the machine does.
    set +e
    SWIFT_BACKTRACE=enable=no "$out/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$crashes/" -print_final_stats=1 \
        "$corpus" >"$log" 2>&1
    code=$?
    set -e

    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    coverage=$(grep -o ' cov: [0-9]*' "$log" | tail -n 1 | tr -dc '0-9')
    features=$(grep -o ' ft: [0-9]*' "$log" | tail -n 1 | tr -dc '0-9')
    slowest=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log" | tail -n 1)
    found=$(find "$crashes" -type f -newer "$marker" | LC_ALL=C sort)
    count=$(grep -c . <<<"$found" || true)
    summary+=("$target: ${seconds}s, ${runs:-?} runs, cov ${coverage:-?}, ft ${features:-?}, slowest input ${slowest:-?}s, crashes $count, exit $code")
    if ((code != 0 || count > 0)); then
        status=1
        while read -r artifact; do
            [[ -n $artifact ]] && echo "fuzz: $target found $artifact (replay: $out/$target $artifact)"
        done <<<"$found"
        if ((count == 0)); then
            echo "fuzz: $target exited $code without an artifact; see $log" >&2
        fi
    fi
done

printf '%s\n' "${summary[@]}"
exit "$status"

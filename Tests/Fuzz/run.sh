#!/bin/bash
# Runs every libFuzzer target for FUZZ_SECONDS each (default 60), seeded with the shipped files
# (scenarios, trace heads, profiles) and the saved regression inputs. Findings (crash-*, timeout-*,
# oom-*) land in .build/fuzz-findings/TARGET/; copy each into Tests/FuzzRegressions/TARGET/ once
# fixed, so the suite replays it. Prints executions and findings per target; exits 1 on a finding.
set -u
cd "$(dirname "$0")/../.."
BIN=.build/fuzz/release/HeadroomFuzz
# A trap is reported by libFuzzer itself; Swift's backtracer under ASan only adds noise (and can hang).
export SWIFT_BACKTRACE=enable=no
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-scenario azure mooncake burstgpt csv profile path}
JOBS=${FUZZ_JOBS:-1}
seed() {
  local target=$1 dir=.build/fuzz-corpus/$1/seeds
  rm -rf "$dir"; mkdir -p "$dir"
  case $target in
    scenario) find scenarios notebooks-data -name '*.yaml' -exec cp {} "$dir"/ \; ;;
    azure) head -c 6000 notebooks-data/traces/AzureLLMInferenceTrace_code_2023.csv > "$dir/azure.csv" ;;
    mooncake) head -c 6000 notebooks-data/traces/mooncake_synthetic_trace.jsonl > "$dir/mooncake.jsonl" ;;
    burstgpt) cp Tests/Fuzz/seeds/burstgpt.csv "$dir"/ ;;
    csv) cp Tests/Fuzz/seeds/generic.csv "$dir"/ ;;
    profile) cp profiles/*.json "$dir"/ ;;
    # Byte 0 picks the kind of path (file, directory, FIFO, unreadable, missing, links), byte 1 the
    # loader, the rest is a regular file's contents: one seed per kind and loader.
    path) for k in 0 1 2 3 4 5 6 7; do for l in 0 1 2 3 4 5 6 7 8; do
            { printf "\\$(printf %o $k)\\$(printf %o $l)"; head -c 400 Tests/Fuzz/seeds/burstgpt.csv; } > "$dir/path-$k-$l"; done; done ;;
  esac
  if [ -d Tests/FuzzRegressions/$target ]; then cp Tests/FuzzRegressions/$target/* "$dir"/ 2>/dev/null; fi
}
found=0
ROOT=$(pwd)
for target in $TARGETS; do
  seed "$target"
  work=$ROOT/.build/fuzz-findings/$target
  rm -rf "$work"; mkdir -p "$work" .build/fuzz-corpus/$target/live
  # With FUZZ_JOBS > 1 libFuzzer writes one log per worker (fuzz-N.log) into the working folder.
  (cd "$work" && HEADROOM_FUZZ_TARGET=$target "$ROOT/$BIN" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=4096 \
    -max_len=8192 -print_final_stats=1 -artifact_prefix="$work/" $( [ "$JOBS" -gt 1 ] && echo "-jobs=$JOBS -workers=$JOBS" ) \
    "$ROOT/.build/fuzz-corpus/$target/live" "$ROOT/.build/fuzz-corpus/$target/seeds" > "$work/main.log" 2>&1)
  # With workers, main.log repeats their final stats: count the workers' logs only.
  logs=$(ls "$work"/fuzz-*.log 2>/dev/null || echo "$work/main.log")
  runs=$(cat $logs | grep 'stat::number_of_executed_units' | awk '{s+=$2} END {print s+0}')
  findings=$(ls "$work" | grep -c -E '^(crash|timeout|oom|leak|slow-unit)-' || true)
  echo "$target: $runs executions in ${SECONDS_EACH}s with $JOBS worker(s), $findings findings (logs: $work)"
  [ "$findings" -gt 0 ] && found=1
done
exit $found

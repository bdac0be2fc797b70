#!/usr/bin/env bash
# Fuzz smoke: every cargo-fuzz target for a fixed, deterministic number of runs, starting from
# its committed seeds (fuzz/seeds/TARGET/) plus the locally grown corpus (fuzz/corpus/TARGET/)
# when there is one. Fails (non-zero exit) when cargo-fuzz cannot be installed, when the
# targets cannot be built, when a target has no seeds, and on any crash; never skips.
# Called from .ci/run; run by hand with `bash fuzz/smoke.sh`. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")"

runs=${FUZZ_SMOKE_RUNS:-3000}

# cargo-fuzz passes nightly-only flags; the stable toolchain accepts them with RUSTC_BOOTSTRAP=1.
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz smoke: installing cargo-fuzz"
  if ! cargo install cargo-fuzz --locked --quiet; then
    echo "fuzz smoke: FAILED: cargo-fuzz could not be installed" >&2
    exit 1
  fi
fi

echo "fuzz smoke: building the targets ($(cargo fuzz --version))"
if ! cargo fuzz build --release; then
  echo "fuzz smoke: FAILED: the cargo-fuzz targets do not build" >&2
  exit 1
fi

targets=$(cargo fuzz list)
if [ -z "$targets" ]; then
  echo "fuzz smoke: FAILED: cargo fuzz list names no target" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for target in $targets; do
  seeds="seeds/$target"
  if [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
    echo "fuzz smoke: FAILED: $seeds/ is missing or empty" >&2
    exit 1
  fi
  # Work on a copy: the run adds inputs to its corpus folder, and the seeds stay as committed.
  dir="$work/$target"
  mkdir -p "$dir"
  cp -r "$seeds/." "$dir/"
  from="$(ls -A "$seeds" | wc -l) seeds"
  if [ -d "corpus/$target" ]; then
    cp -r "corpus/$target/." "$dir/"
    from="$from + $(ls -A "corpus/$target" | wc -l) grown corpus inputs"
  fi
  echo "fuzz smoke: $target ($from, $runs runs)"
  if ! cargo fuzz run --release "$target" "$dir" -- -runs="$runs" -seed=1 -max_len=4096; then
    echo "fuzz smoke: FAILED: $target crashed; the input is in fuzz/artifacts/$target/ (see fuzz/README.md)" >&2
    exit 1
  fi
  rm -rf "$dir"
done

echo "fuzz smoke: all targets passed"

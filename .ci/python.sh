#!/usr/bin/env bash
# The Python package for tests/python.rs: a fresh venv in target/python-venv, the package
# installed exactly as the README says (`pip install ./python`, a release build through
# maturin), plus what the pytest suite uses (pytest, pandas, SALib; pyarrow and polars read
# the Parquet outputs; submitit runs examples/python/fan_out.py). PyPI must be reachable.
set -euo pipefail
cd "$(dirname "$0")/.."

py=${PYTHON:-python3}
if ! "$py" -c 'import sys; assert sys.version_info >= (3, 9)' 2>/dev/null; then
  echo "$py is missing or older than 3.9: the Python package needs CPython >= 3.9" >&2
  exit 1
fi
if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
fi
venv=target/python-venv
rm -rf "$venv"
"$py" -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q ./python
"$venv/bin/pip" install -q pytest pandas SALib pyarrow polars submitit
"$venv/bin/python" -c 'import needlesim; print("needlesim", needlesim.__version__, "installed in", "'"$venv"'")'

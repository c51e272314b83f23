#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the PostgreSQL server (and tmux) from
# the OS packages when missing (tests start throwaway clusters of their own), then runs
# every test. Usage: bash scripts/test.sh [extra cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-postgres.sh
ensure_packages tmux
cargo test --locked "$@"

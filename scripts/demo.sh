#!/usr/bin/env bash
# The main job on a fresh machine: installs PostgreSQL's server from the OS packages when
# missing, builds bellows, and opens `bellows demo` (a throwaway database with 200,000
# rows, a live application load, a planned rename plus type change, and the console).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-postgres.sh
ensure_packages
cargo build --release --locked --quiet
exec ./target/release/bellows demo

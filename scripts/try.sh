#!/usr/bin/env bash
# The main job on a fresh machine: build bellows, plan the flagship example (renaming a
# column on a live table) against the example schema, and print the review document.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
out="$(mktemp -d)/rename-email.toml"
./target/release/bellows plan examples/changes/01-rename-column.sql --schema examples/schema/small.sql --out "$out"
echo
./target/release/bellows explain "$out"

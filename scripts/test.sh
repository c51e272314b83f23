#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the PostgreSQL server from the OS
# packages when it is missing (tests start throwaway clusters of their own), then runs
# every test. Usage: bash scripts/test.sh [extra cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

have_server() {
    command -v initdb >/dev/null 2>&1 && return 0
    command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ] && return 0
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && return 0
    compgen -G "/usr/pgsql-*/bin/initdb" >/dev/null && return 0
    return 1
}

if ! have_server; then
    echo "PostgreSQL server not found: installing it from the OS packages"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    if command -v apt-get >/dev/null 2>&1; then
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql postgresql-contrib >/dev/null
    elif command -v dnf >/dev/null 2>&1; then
        $sudo dnf install -y -q postgresql-server postgresql-contrib
    elif command -v brew >/dev/null 2>&1; then
        brew install postgresql
    else
        echo "error: cannot install PostgreSQL here; install its server package and re-run" >&2
        exit 2
    fi
    have_server || { echo "error: PostgreSQL installed but initdb still not found" >&2; exit 2; }
fi

cargo test --locked "$@"

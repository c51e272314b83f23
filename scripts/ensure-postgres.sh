#!/usr/bin/env bash
# Sourced by the other scripts: install the PostgreSQL server (and tmux, for the console's
# end-to-end test) from the OS packages when they are missing.

have_pg_server() {
    command -v initdb >/dev/null 2>&1 && return 0
    command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ] && return 0
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && return 0
    compgen -G "/usr/pgsql-*/bin/initdb" >/dev/null && return 0
    return 1
}

ensure_packages() {
    local want_tmux="${1:-}"
    local missing=()
    have_pg_server || missing+=(postgres)
    if [ -n "$want_tmux" ] && ! command -v tmux >/dev/null 2>&1; then missing+=(tmux); fi
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing from the OS packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    if command -v apt-get >/dev/null 2>&1; then
        local pkgs=()
        for m in "${missing[@]}"; do
            case "$m" in postgres) pkgs+=(postgresql postgresql-contrib) ;; tmux) pkgs+=(tmux) ;; esac
        done
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
    elif command -v dnf >/dev/null 2>&1; then
        $sudo dnf install -y -q postgresql-server postgresql-contrib tmux
    elif command -v brew >/dev/null 2>&1; then
        brew install postgresql tmux
    else
        echo "error: cannot install ${missing[*]} here; install them and re-run" >&2
        exit 2
    fi
    have_pg_server || { echo "error: PostgreSQL installed but initdb still not found" >&2; exit 2; }
}

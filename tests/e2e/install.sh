#!/bin/sh
# Installs what the end-to-end suite needs, idempotently, from package registries only:
#   tests/e2e/node_modules   the Claude Code CLI pinned in tests/e2e/package.json (npm ci)
#   <repo>/.deps/venv        a Python venv with pytest (shared with scripts/install-test-deps)
# A second run only verifies and prints one line per part.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv=$repo/.deps/venv
PYTEST_VERSION=9.2.0

say() { printf 'e2e install: %s\n' "$*"; }

# --- Claude Code --------------------------------------------------------------
cd "$here"
want=$(node -p "require('./package.json').dependencies['@anthropic-ai/claude-code']")
pkg=node_modules/@anthropic-ai/claude-code
installed() {
    node -p "try { require('./$pkg/package.json').version } catch (e) { '' }"
}
# The package's bin is a small stub until install.cjs links the native binary
# from the per-platform optional dependency over it.
answers() {
    out=$(./node_modules/.bin/claude --version 2>/dev/null) || return 1
    case $out in "$want "*) return 0 ;; *) return 1 ;; esac
}

if [ "$(installed)" != "$want" ] || ! answers; then
    if [ "$(installed)" != "$want" ]; then
        say "installing @anthropic-ai/claude-code@$want with npm ci"
        # Scripts off: the only one, install.cjs, runs explicitly below.
        npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    fi
    if ! answers; then
        say "linking the native claude binary (install.cjs)"
        (cd "$pkg" && node install.cjs)
    fi
    if ! answers; then
        say "claude --version does not report $want after install" >&2
        ./node_modules/.bin/claude --version >&2 || true
        exit 1
    fi
fi
say "claude $want ready ($here/node_modules/.bin/claude)"

# --- pytest -------------------------------------------------------------------
if [ ! -x "$venv/bin/python" ]; then
    say "creating venv $venv"
    mkdir -p "$repo/.deps"
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import pytest' 2>/dev/null; then
    say "installing pytest==$PYTEST_VERSION into $venv"
    "$venv/bin/python" -m pip --disable-pip-version-check --quiet install "pytest==$PYTEST_VERSION"
fi
say "pytest ready ($venv)"

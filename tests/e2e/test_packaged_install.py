"""The plugin as a user without Rust gets it: the tree from scripts/package, installed by the
real Claude Code CLI from a git ref and from a real npm registry on 127.0.0.1, into a throwaway
HOME, with no cargo and no rustc on PATH. The very first session must already refuse a broken
litestream.yml edit and an in-place restore: no build, no wait, no notice that checks are off.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import CLAUDE, PLUGIN_NAME, REPO, path_without_cargo
from packaging import RELEASE_REF, Verdaccio, host_platform, marketplace, package_tree, publish_to_git
from test_plugin_e2e import DANGEROUS_RESTORE, PRIMARY_REPLICA, bash, edit, kamal_calls, read, say

VERSION = json.loads((REPO / ".claude-plugin" / "plugin.json").read_text())["version"]


@pytest.fixture(scope="session")
def packaged(tmp_path_factory) -> Path:
    """One tree for the whole run. Tests copy it before doing anything to it."""
    return package_tree(tmp_path_factory.mktemp("package") / "majestic-rails")


def cli(home: Path, path: str, *args: str) -> subprocess.CompletedProcess:
    env = {
        "HOME": str(home),
        "PATH": path,
        "LANG": "C.UTF-8",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
    }
    return subprocess.run(
        [str(CLAUDE), *args], cwd=str(home), env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL
    )


def install(home: Path, path: str, market: Path) -> Path:
    """`claude plugin marketplace add` + `claude plugin install`, as a user types them; returns
    the installed copy."""
    name = json.loads((market / ".claude-plugin" / "marketplace.json").read_text())["name"]
    added = cli(home, path, "plugin", "marketplace", "add", str(market))
    assert added.returncode == 0, added.stdout + added.stderr
    installed = cli(home, path, "plugin", "install", f"{PLUGIN_NAME}@{name}")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    records = json.loads((home / ".claude" / "plugins" / "installed_plugins.json").read_text())
    [record] = records["plugins"][f"{PLUGIN_NAME}@{name}"]
    assert record["version"] == VERSION
    return Path(record["installPath"])


def assert_first_session_is_guarded(claude, home: Path, project: Path, kamal_log: Path, copy: Path, path: str, market: str):
    platform = host_platform()
    shipped = copy / "bin" / platform / "litestream-guard"
    assert shipped.is_file() and os.access(shipped, os.X_OK), f"the install lost {shipped} or its exec bit"
    assert not (copy / "target").exists() and not (copy / "node_modules").exists()
    assert not (copy / ".selected").exists(), "the installed tree came with a fast-path link"

    config = project / "config" / "litestream.yml"
    before = config.read_text()
    run = claude(
        "Make the primary database sync more often, then restore it from the backup.",
        [
            read(config),  # 0
            edit(config, PRIMARY_REPLICA, PRIMARY_REPLICA.replace("5s", "5")),  # 1: denied
            bash(DANGEROUS_RESTORE),  # 2: denied
            bash("command -v litestream-guard && litestream-guard --version"),  # 3
            say("done"),
        ],
        plugin_dir=None,
        path=path,
    )

    assert run.returncode == 0, run.describe()
    plugins = {p["name"]: p for p in run.init["plugins"]}
    assert plugins[PLUGIN_NAME]["source"] == f"{PLUGIN_NAME}@{market}", run.init["plugins"]
    run.assert_no_hook_errors()
    assert run.tool_result(1).get("is_error") is True and run.denied_by_hook(1), run.describe()
    assert "sync-interval" in run.result_text(1)
    assert config.read_text() == before, "the denied edit reached the file"
    assert run.tool_result(2).get("is_error") is True and run.denied_by_hook(2), run.describe()
    assert kamal_calls(kamal_log) == [], "the restore ran"
    # The Bash tool finds the plugin's launcher on PATH, and it runs the shipped binary.
    assert run.result_text(3).splitlines() == [str(copy / "bin" / "litestream-guard"), f"litestream-guard {VERSION}"]

    # No build and no wait: the shipped binary served from SessionStart on. The data folder holds
    # no build, no lock, no log, and nobody was told that checks are off.
    data = home / ".claude" / "plugins" / "data" / f"{PLUGIN_NAME}-{market}"
    leftovers = sorted(p.name for p in data.iterdir()) if data.exists() else []
    assert not [n for n in leftovers if n.startswith("build") or n == "bin"], leftovers
    assert not [m for m in run.system_messages() if "litestream-guard" in m or "OFF" in m], run.system_messages()
    fast = copy / ".selected" / "litestream-guard"
    assert os.readlink(fast) == f"../bin/{platform}/litestream-guard"


def test_the_packaged_tree_is_a_valid_plugin_with_verified_binaries(packaged, home):
    platform = host_platform()
    sums = (packaged / "SHA256SUMS").read_text().splitlines()
    assert f"bin/{platform}/litestream-guard" in [line.split("  ", 1)[1] for line in sums]
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=packaged, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for absent in ("target", "tests", "examples", "node_modules", ".selected", ".deps", "scripts"):
        assert not (packaged / absent).exists(), absent
    meta = json.loads((packaged / "package.json").read_text())
    assert meta["version"] == VERSION
    # Claude Code installs the package's files and nothing else: no dependencies, no scripts.
    for key in ("dependencies", "optionalDependencies", "peerDependencies", "scripts", "bin"):
        assert key not in meta, key
    assert not (packaged / "package-lock.json").exists(), "a lockfile makes Claude Code run npm ci at install"

    proc = subprocess.run(
        [str(CLAUDE), "plugin", "validate", "--strict", "--json", ".claude-plugin/plugin.json"],
        cwd=packaged,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["manifest"]["errors"] == [] and report["manifest"]["warnings"] == [], report["manifest"]
    # Only the launcher lands on the Bash tool's PATH; the per-platform binaries and the
    # checksums stay out of it.
    assert report["provides"]["bin"] == ["litestream-guard"]


def test_first_session_from_a_git_ref_is_guarded_without_rust(claude, packaged, home, project, kamal_log, tmp_path):
    """A marketplace entry pointing at the `release` ref of a git repository that holds the
    packaged tree (on GitHub: {"source": "github", "repo": …, "ref": "release"})."""
    bare = publish_to_git(packaged, tmp_path)
    market = marketplace(
        tmp_path / "marketplace", {"source": "url", "url": bare.as_uri(), "ref": RELEASE_REF}, name="git-marketplace"
    )
    path = path_without_cargo(tmp_path)
    copy = install(home, path, market)
    assert not (copy / ".git").exists()
    assert_first_session_is_guarded(claude, home, project, kamal_log, copy, path, "git-marketplace")


def test_first_session_from_an_npm_registry_is_guarded_without_rust(claude, packaged, home, project, kamal_log, tmp_path):
    """A marketplace entry {"source": "npm", "package": …}: Claude Code installs the package from
    the user's default registry, here a verdaccio on 127.0.0.1 set in the test HOME's .npmrc."""
    meta = json.loads((packaged / "package.json").read_text())
    with Verdaccio(tmp_path / "verdaccio") as registry:
        tree = tmp_path / "to-publish"
        shutil.copytree(packaged, tree, symlinks=True)
        registry.publish(tree, tmp_path)
        (home / ".npmrc").write_text(f"registry={registry.url}\n")
        market = marketplace(
            tmp_path / "marketplace",
            {"source": "npm", "package": meta["name"], "version": meta["version"]},
            name="npm-marketplace",
        )
        path = path_without_cargo(tmp_path)
        copy = install(home, path, market)
    assert (copy / "package.json").is_file() and not (copy / "node_modules").exists()
    assert_first_session_is_guarded(claude, home, project, kamal_log, copy, path, "npm-marketplace")

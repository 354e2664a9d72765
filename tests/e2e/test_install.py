"""The plugin as users get it: `claude plugin validate`, and an install from the
repo as a marketplace into a throwaway HOME, then a session that uses it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import CLAUDE, GUARD, MARKETPLACE, PLUGIN_NAME, REPO, export_plugin_tree
from test_plugin_e2e import PRIMARY_REPLICA, bash, edit, read, say


def cli(home: Path, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {
        "HOME": str(home),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
    }
    return subprocess.run(
        [str(CLAUDE), *args], cwd=str(cwd), env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


@pytest.mark.parametrize("target", [".", ".claude-plugin/plugin.json"], ids=["marketplace", "plugin"])
def test_validate_strict_passes_without_warnings(home, target):
    proc = cli(home, "plugin", "validate", "--strict", "--json", target)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["success"] is True
    assert report["manifest"]["errors"] == [] and report["manifest"]["warnings"] == [], report["manifest"]
    for item in report.get("contents", []):
        assert item.get("errors") == [] and item.get("warnings") == [], item
    if target != ".":
        provides = report["provides"]
        assert provides["skills"] == [f"{PLUGIN_NAME}:litestream"]
        assert sorted(provides["commands"]) == [
            f"{PLUGIN_NAME}:litestream-restore",
            f"{PLUGIN_NAME}:litestream-setup",
            f"{PLUGIN_NAME}:litestream-status",
        ]
        assert provides["agents"] == [f"{PLUGIN_NAME}:litestream-setup"]
        assert provides["bin"] == ["litestream-guard"]


def test_marketplace_install_in_a_throwaway_home_then_use(claude, home, project, tmp_path):
    market = export_plugin_tree(tmp_path / "majestic-marketplace-src")

    added = cli(home, "plugin", "marketplace", "add", str(market))
    assert added.returncode == 0, added.stdout + added.stderr
    installed = cli(home, "plugin", "install", f"{PLUGIN_NAME}@{MARKETPLACE}")
    assert installed.returncode == 0, installed.stdout + installed.stderr

    settings = json.loads((home / ".claude" / "settings.json").read_text())
    assert settings["enabledPlugins"][f"{PLUGIN_NAME}@{MARKETPLACE}"] is True
    records = json.loads((home / ".claude" / "plugins" / "installed_plugins.json").read_text())
    [record] = records["plugins"][f"{PLUGIN_NAME}@{MARKETPLACE}"]
    version = json.loads((REPO / ".claude-plugin" / "plugin.json").read_text())["version"]
    assert record["version"] == version
    copy = Path(record["installPath"])
    for part in ("bin/litestream-guard", "hooks/hooks.json", "skills/litestream/SKILL.md", "agents/litestream-setup.md"):
        assert (copy / part).is_file(), part
    assert os.access(copy / "bin" / "litestream-guard", os.X_OK)
    # No package.json at the plugin root, so the install ran no npm ci.
    assert not (copy / "node_modules").exists()

    # A build of this version in the plugin's data folder, as the launcher's
    # background build would leave it: the binary and the checksum it recorded.
    data = home / ".claude" / "plugins" / "data" / f"{PLUGIN_NAME}-{MARKETPLACE}"
    (data / "bin").mkdir(parents=True)
    build = data / "bin" / f"litestream-guard-{version}"
    shutil.copy2(GUARD, build)
    (data / "bin" / f"litestream-guard-{version}.sha256").write_text(hashlib.sha256(build.read_bytes()).hexdigest() + "\n")

    config = project / "config" / "litestream.yml"
    before = config.read_text()
    run = claude(
        "Check the version, then tune the sync interval.",
        [
            bash("litestream-guard --version"),
            read(config),
            edit(config, PRIMARY_REPLICA, PRIMARY_REPLICA.replace("5s", "5")),
            say("done"),
        ],
        plugin_dir=None,
    )

    assert run.returncode == 0, run.describe()
    plugins = {p["name"]: p for p in run.init["plugins"]}
    assert plugins[PLUGIN_NAME]["source"] == f"{PLUGIN_NAME}@{MARKETPLACE}"
    run.assert_no_hook_errors()
    # The plugin's bin/ is on the Bash tool's PATH and finds the data build.
    assert run.result_text(0).strip() == f"litestream-guard {version}", run.result_text(0)
    # The hooks of the installed plugin are live.
    assert run.tool_result(2).get("is_error") is True and run.denied_by_hook(2), run.describe()
    assert config.read_text() == before
    assert not [m for m in run.system_messages() if "litestream-guard" in m]

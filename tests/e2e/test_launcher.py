"""bin/litestream-guard, the launcher every hook and Bash call goes through.

These run the launcher directly (no Claude Code): resolution order, no external
commands on the hot path, never exit 2, one background build at a time.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

from conftest import GUARD, REPO

LAUNCHER = REPO / "bin" / "litestream-guard"
HOOK_COMMAND = '"${CLAUDE_PLUGIN_ROOT}/bin/litestream-guard" hook'


def launcher_version() -> str:
    match = re.search(r"^VERSION=(\S+)$", LAUNCHER.read_text(), re.M)
    assert match, "no VERSION= line in the launcher"
    return match.group(1)


@pytest.fixture
def plugin(tmp_path) -> Path:
    """A plugin folder holding only the launcher (and a Cargo.toml so it could build)."""
    root = tmp_path / "plugin"
    (root / "bin").mkdir(parents=True)
    shutil.copy2(LAUNCHER, root / "bin" / "litestream-guard")
    (root / "Cargo.toml").write_text("[workspace]\n")
    return root


def stub(path: Path, name: str) -> Path:
    """An executable that uses shell builtins only and says who it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\necho "{name} $*"\n')
    path.chmod(0o755)
    return path


def launch(plugin: Path, *args: str, env: dict, stdin: str | bytes = b"") -> subprocess.CompletedProcess:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(
        [str(plugin / "bin" / "litestream-guard"), *args],
        env=env,
        input=data,
        capture_output=True,
        timeout=30,
    )


def event(name: str, session: str = "s-1", **extra) -> str:
    return json.dumps({"session_id": session, "transcript_path": "/nonexistent", "cwd": "/", "hook_event_name": name, **extra})


def test_version_is_the_same_everywhere():
    version = launcher_version()
    assert json.loads((REPO / ".claude-plugin/plugin.json").read_text())["version"] == version
    market = json.loads((REPO / ".claude-plugin/marketplace.json").read_text())
    assert [p["version"] for p in market["plugins"] if p["name"] == "majestic-rails"] == [version]
    crate = tomllib.loads((REPO / "hook-bin" / "Cargo.toml").read_text())
    crate_version = crate["package"]["version"]
    if isinstance(crate_version, dict):  # version.workspace = true
        crate_version = tomllib.loads((REPO / "Cargo.toml").read_text())["workspace"]["package"]["version"]
    assert crate_version == version
    out = subprocess.run([str(GUARD), "--version"], capture_output=True, text=True, timeout=30).stdout
    assert out.strip() == f"litestream-guard {version}"


def test_hooks_json_routes_every_hook_through_the_launcher():
    config = json.loads((REPO / "hooks" / "hooks.json").read_text())["hooks"]
    seen = set()
    for event_name, groups in config.items():
        for group in groups:
            for handler in group["hooks"]:
                assert handler["type"] == "command"
                assert handler["command"] == HOOK_COMMAND
                assert 1 <= handler["timeout"] <= 60, "timeouts are seconds and should be short"
            seen.add((event_name, group.get("matcher", "")))
    assert seen == {
        ("SessionStart", ""),
        ("PreToolUse", "Edit|Write|MultiEdit"),
        ("PostToolUse", "Edit|Write|MultiEdit"),
        ("PreToolUse", "Bash"),
        ("PostToolUse", "Bash"),
    }


def test_resolution_order_env_then_data_then_checkout(plugin, tmp_path):
    version = launcher_version()
    data = tmp_path / "data"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CLAUDE_PLUGIN_DATA": str(data)}
    stub(plugin / "target" / "release" / "litestream-guard", "checkout")
    assert launch(plugin, "check", env=env).stdout.decode().strip() == "checkout check"

    stub(data / "bin" / f"litestream-guard-{version}", "data")
    stub(data / "bin" / "litestream-guard-0.0.0", "old")
    assert launch(plugin, "check", env=env).stdout.decode().strip() == "data check"

    own = stub(tmp_path / "mine" / "litestream-guard", "env")
    assert launch(plugin, "hook", env={**env, "LITESTREAM_GUARD_BIN": str(own)}).stdout.decode().strip() == "env hook"
    # A LITESTREAM_GUARD_BIN that is not executable is skipped.
    assert launch(plugin, "x", env={**env, "LITESTREAM_GUARD_BIN": str(tmp_path / "nope")}).stdout.decode().strip() == "data x"


def test_hot_path_runs_no_external_command(plugin, tmp_path):
    """With PATH empty, only shell builtins and the final exec can work."""
    version = launcher_version()
    data = tmp_path / "data"
    stub(data / "bin" / f"litestream-guard-{version}", "data")
    env = {"PATH": "/nonexistent", "HOME": str(tmp_path), "CLAUDE_PLUGIN_DATA": str(data)}
    proc = launch(plugin, "hook", env=env, stdin=event("PreToolUse"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().strip() == "data hook"


def test_bash_tool_finds_the_build_without_plugin_data_env(tmp_path):
    """The Bash tool gets no CLAUDE_PLUGIN_DATA; the launcher still finds the data build."""
    version = launcher_version()
    config = tmp_path / "home" / ".claude"
    for root in (
        config / "plugins" / "cache" / "majestic-marketplace" / "majestic-rails" / version,
        tmp_path / "somewhere" / "majestic-rails",  # a directory marketplace is used in place
    ):
        (root / "bin").mkdir(parents=True)
        shutil.copy2(LAUNCHER, root / "bin" / "litestream-guard")
        stub(config / "plugins" / "data" / "majestic-rails-majestic-marketplace" / "bin" / f"litestream-guard-{version}", "data")
        env = {"PATH": f"{root / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path / "home")}
        proc = subprocess.run(["sh", "-c", "litestream-guard --version"], env=env, capture_output=True, text=True, timeout=30)
        assert proc.stdout.strip() == "data --version", (root, proc.stderr)


@pytest.mark.parametrize(
    "stdin",
    [b"", b"not json", b"\xff\xfe\x00binary", b"{" * 100000, event("SessionStart").encode(), event("PreToolUse", tool_name="Bash").encode()],
    ids=["empty", "garbage", "binary", "huge", "session-start", "pre-tool-use"],
)
def test_without_binary_hooks_never_block_and_never_exit_2(plugin, tmp_path, stdin):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CLAUDE_PLUGIN_DATA": str(tmp_path / "data")}
    proc = launch(plugin, "hook", env=env, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode().strip()
    if out:
        payload = json.loads(out)
        assert set(payload) == {"systemMessage"}, payload
        assert "cargo was not found" in payload["systemMessage"]


def test_without_binary_the_notice_comes_once_per_session(plugin, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CLAUDE_PLUGIN_DATA": str(tmp_path / "data")}
    outputs = [
        launch(plugin, "hook", env=env, stdin=event(name, "abc")).stdout.decode().strip()
        for name in ("SessionStart", "PreToolUse", "PostToolUse", "PreToolUse")
    ]
    assert [bool(o) for o in outputs] == [True, False, False, False], outputs
    other = launch(plugin, "hook", env=env, stdin=event("PreToolUse", "def")).stdout.decode().strip()
    assert "systemMessage" in other


def test_without_binary_the_cli_says_why_and_exits_127(plugin, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CLAUDE_PLUGIN_DATA": str(tmp_path / "data")}
    proc = launch(plugin, "check", ".", env=env)
    assert proc.returncode == 127
    assert b"cargo was not found" in proc.stderr and b"LITESTREAM_GUARD_BIN" in proc.stderr


def test_session_start_builds_once_in_the_background_then_uses_the_build(plugin, tmp_path):
    version = launcher_version()
    data = tmp_path / "data"
    tools = tmp_path / "tools"
    calls = tmp_path / "cargo-calls"
    cargo = tools / "cargo"
    tools.mkdir()
    # A stand-in cargo: slow, logs each call, and produces a binary in --target-dir.
    cargo.write_text(
        "#!/bin/sh\n"
        f"echo \"$*\" >> '{calls}'\n"
        "td=''\n"
        'while [ $# -gt 0 ]; do [ "$1" = --target-dir ] && td=$2; shift; done\n'
        "sleep 2\n"
        'mkdir -p "$td/release"\n'
        "printf '#!/bin/sh\\necho built \"$*\"\\n' > \"$td/release/litestream-guard\"\n"
        'chmod +x "$td/release/litestream-guard"\n'
    )
    cargo.chmod(0o755)
    env = {"PATH": f"{tools}:/usr/bin:/bin", "HOME": str(tmp_path), "CLAUDE_PLUGIN_DATA": str(data)}

    start = time.monotonic()
    first = launch(plugin, "hook", env=env, stdin=event("SessionStart", "one"))
    second = launch(plugin, "hook", env=env, stdin=event("SessionStart", "two"))
    assert time.monotonic() - start < 2, "SessionStart waited for the build"
    for proc in (first, second):
        assert proc.returncode == 0
        assert "being built" in json.loads(proc.stdout)["systemMessage"]

    built = data / "bin" / f"litestream-guard-{version}"
    deadline = time.monotonic() + 20
    while not built.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert built.exists(), (data / f"build-{version}.log").read_text()
    assert len(calls.read_text().splitlines()) == 1, "two builds ran at once"
    assert f"--manifest-path {plugin}/Cargo.toml" in calls.read_text()

    # The next hook uses the fresh build.
    later = launch(plugin, "hook", env=env, stdin=event("PreToolUse", "one"))
    assert later.stdout.decode().strip() == "built hook"
    # The build releases its lock right after publishing the binary; allow it that moment.
    deadline = time.monotonic() + 5
    while (data / "build.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (data / "build.lock").exists()


def test_bash_tool_without_a_known_data_folder_leaves_the_build_to_the_hooks(plugin, tmp_path):
    """Outside a hook and a cache install the data folder is a guess: say so, build nothing."""
    tools = tmp_path / "tools"
    tools.mkdir()
    cargo = tools / "cargo"
    cargo.write_text(f"#!/bin/sh\necho called > '{tmp_path / 'cargo-called'}'\n")
    cargo.chmod(0o755)
    env = {"PATH": f"{tools}:/usr/bin:/bin", "HOME": str(tmp_path / "home")}
    proc = launch(plugin, "check", env=env)
    assert proc.returncode == 127
    assert b"Start a new Claude Code session" in proc.stderr
    time.sleep(0.5)
    assert not (tmp_path / "cargo-called").exists()
    assert not (tmp_path / "home").exists()

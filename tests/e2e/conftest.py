"""Harness for driving the real Claude Code CLI against the scripted mock API.

Each test gets a throwaway HOME, a copy of an example Rails app as the project,
a stub `kamal` on PATH, and a `claude` runner that returns what really happened:
the stream-json events, the requests the mock received, and the project files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

from mock_api import MockServer  # noqa: E402

CLAUDE = HERE / "node_modules" / ".bin" / "claude"
GUARD = REPO / "target" / "release" / "litestream-guard"
EXAMPLE_APP = REPO / "examples" / "shopfront"
CLEAN_OVERLAY = HERE / "fixtures" / "clean"
PLUGIN_NAME = "majestic-rails"
MARKETPLACE = "majestic-marketplace"
# The parts of the repo that make up the plugin when it is installed.
PLUGIN_PATHS = [".claude-plugin", "hooks", "bin", "skills", "commands", "agents"]
RUN_TIMEOUT = 180


def pytest_sessionstart(session):
    missing = []
    if not CLAUDE.exists():
        missing.append(f"{CLAUDE} (run tests/e2e/install.sh)")
    if not (GUARD.is_file() and os.access(GUARD, os.X_OK)):
        missing.append(f"{GUARD} (run 'cargo build --release' at the repo root)")
    if missing:
        pytest.exit("the e2e suite needs: " + "; ".join(missing), returncode=1)


# --- what a run produced ----------------------------------------------------------


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    events: list[dict]
    requests: list[dict]  # every request the mock received, in order
    cwd: Path
    home: Path

    @property
    def main_requests(self) -> list[dict]:
        return [r["body"] for r in self.requests if r.get("main")]

    @property
    def init(self) -> dict:
        for e in self.events:
            if e.get("type") == "system" and e.get("subtype") == "init":
                return e
        raise AssertionError("no init event in the stream:\n" + self.describe())

    @property
    def result(self) -> dict:
        for e in reversed(self.events):
            if e.get("type") == "result":
                return e
        raise AssertionError("no result event in the stream:\n" + self.describe())

    def tool_uses(self) -> dict[str, dict]:
        uses = {}
        for e in self.events:
            if e.get("type") == "assistant":
                for block in e["message"].get("content", []):
                    if block.get("type") == "tool_use":
                        uses[block["id"]] = block
        return uses

    def tool_result(self, step: int) -> dict:
        """The tool_result block answering the mock's tool call number `step`."""
        tool_use_id = f"toolu_e2e_{step:03d}"
        for e in self.events:
            if e.get("type") != "user":
                continue
            content = e.get("message", {}).get("content", [])
            if not isinstance(content, list):
                continue
            for block in content:
                if block.get("type") == "tool_result" and block.get("tool_use_id") == tool_use_id:
                    return block
        raise AssertionError(f"no tool_result for {tool_use_id}:\n" + self.describe())

    def permission(self, step: int) -> dict:
        """How Claude Code decided on tool call `step`: {"decision": "accept"|"reject",
        "source": "hook"|"config"|...}. A hook deny has source "hook"; in -p mode a
        hook "ask" ends as a reject with source "config" (nobody to ask)."""
        tool_use_id = f"toolu_e2e_{step:03d}"
        for e in self.events:
            for meta in e.get("tool_result_meta") or []:
                if meta.get("id") == tool_use_id:
                    return dict(meta.get("permission_decision") or {}, kind=meta.get("non_execution_kind"))
        return {}

    def denied_by_hook(self, step: int) -> bool:
        p = self.permission(step)
        return p.get("decision") == "reject" and p.get("source") == "hook"

    def result_text(self, step: int) -> str:
        content = self.tool_result(step).get("content", "")
        if isinstance(content, list):
            return "\n".join(c.get("text", "") for c in content if isinstance(c, dict))
        return str(content)

    def hook_responses(self) -> list[dict]:
        return [e for e in self.events if e.get("type") == "system" and e.get("subtype") == "hook_response"]

    def system_messages(self) -> list[str]:
        """Every hook systemMessage the user was shown, however it reached the stream."""
        messages = []
        for e in self.hook_responses():
            for line in (e.get("stdout") or "").splitlines():
                line = line.strip()
                if line.startswith("{"):
                    try:
                        payload = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(payload, dict) and payload.get("systemMessage"):
                        messages.append(payload["systemMessage"])
        for e in self.events:
            if e.get("type") == "system" and e.get("subtype") == "informational":
                messages.append(e.get("content", ""))
        return messages

    def describe(self) -> str:
        lines = [f"exit code {self.returncode}", "stderr:", self.stderr[-3000:], "events:"]
        for e in self.events:
            lines.append(json.dumps(e)[:700])
        return "\n".join(lines)

    def assert_no_hook_errors(self) -> None:
        for e in self.hook_responses():
            assert e.get("exit_code") == 0 and e.get("outcome") == "success", (
                "hook failed: " + json.dumps(e)[:2000]
            )
        blob = self.stdout
        for marker in ("hook error: [", "Failed with non-blocking status code", "hook_error"):
            assert marker not in blob, f"{marker!r} in the stream:\n" + self.describe()


# --- fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def mock():
    with MockServer() as server:
        yield server


@pytest.fixture
def home(tmp_path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the example app, with a clean (check-passing) backup config laid over
    its deliberately broken one."""
    assert (EXAMPLE_APP / "config" / "database.yml").exists(), f"{EXAMPLE_APP} is missing"
    dest = tmp_path / "shopfront"
    shutil.copytree(EXAMPLE_APP, dest)
    shutil.copytree(CLEAN_OVERLAY, dest, dirs_exist_ok=True)
    (dest / "storage").mkdir(exist_ok=True)
    return dest


@pytest.fixture
def stub_bin(tmp_path) -> Path:
    """A folder with a `kamal` that succeeds and logs its arguments."""
    folder = tmp_path / "stub-bin"
    folder.mkdir()
    log = tmp_path / "kamal.log"
    kamal = folder / "kamal"
    kamal.write_text(
        "#!/bin/sh\n"
        f"printf '%s\\n' \"$*\" >> '{log}'\n"
        "echo \"stub kamal: $*\"\n"
        "exit 0\n"
    )
    kamal.chmod(0o755)
    return folder


@pytest.fixture
def kamal_log(tmp_path, stub_bin) -> Path:
    return tmp_path / "kamal.log"


def base_path() -> str:
    return "/usr/local/bin:/usr/bin:/bin"


@pytest.fixture
def claude(mock, home, project, stub_bin, tmp_path):
    """Run `claude -p` once against the mock with a scripted list of steps."""

    def run(
        prompt: str,
        script: list[dict],
        *,
        plugin_dir: Path | None = REPO,
        cwd: Path | None = None,
        path: str | None = None,
        env: dict | None = None,
        allowed_tools: tuple[str, ...] = ("Bash", "Read", "Edit", "Write", "Skill", "Agent"),
    ) -> Run:
        mock.set_script(script)
        run_env = {
            "HOME": str(home),
            "PATH": f"{stub_bin}:{path or base_path()}",
            "LANG": "C.UTF-8",
            "TMPDIR": str(tmp_path),
            "ANTHROPIC_BASE_URL": mock.url,
            "ANTHROPIC_API_KEY": "sk-ant-test",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
        }
        run_env.update(env or {})
        args = [str(CLAUDE), "-p", prompt, "--output-format", "stream-json", "--verbose"]
        if plugin_dir is not None:
            args += ["--plugin-dir", str(plugin_dir)]
        args += ["--allowedTools", *allowed_tools]
        proc = subprocess.run(
            args,
            cwd=str(cwd or project),
            env=run_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
        events = []
        for line in proc.stdout.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    events.append(json.loads(line))
                except ValueError:
                    pass
        with mock.state.lock:
            requests = list(mock.state.requests)
        log = tmp_path / "mock-requests.jsonl"
        with log.open("a", encoding="utf-8") as fh:
            for r in requests:
                fh.write(json.dumps(r) + "\n")
        return Run(proc.returncode, proc.stdout, proc.stderr, events, requests, cwd or project, home)

    return run


def export_plugin_tree(dest: Path) -> Path:
    """Copy the repo as a user gets it: tracked and unignored files only, so no
    target/ and no node_modules/."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        listed = []
    names = [n for n in listed if n and (REPO / n).is_file()]
    if not names:  # not a git checkout: fall back to the plugin's own folders
        names = [str(p.relative_to(REPO)) for d in PLUGIN_PATHS for p in (REPO / d).rglob("*") if p.is_file()]
        names += [n for n in ("Cargo.toml", "Cargo.lock") if (REPO / n).exists()]
    for name in names:
        src = REPO / name
        dst = dest / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    return dest


def path_without_cargo(tmp_path: Path) -> str:
    """A PATH with the usual system folders but no cargo, even if a distro put it in /usr/bin."""
    folders = ["/usr/local/bin", "/usr/bin", "/bin"]
    if not any((Path(f) / "cargo").exists() for f in folders):
        return ":".join(folders)
    shadow = tmp_path / "sysbin-no-cargo"
    shadow.mkdir(exist_ok=True)
    for folder in folders:
        for entry in Path(folder).iterdir():
            if entry.name.startswith(("cargo", "rustc", "rustup")):
                continue
            target = shadow / entry.name
            if not target.exists():
                target.symlink_to(entry)
    return str(shadow)

"""Helpers for the packaging tests: the installable tree, a git repository holding it, and a
real npm registry (verdaccio) on 127.0.0.1.

The tree comes from scripts/package, the same code the release workflow runs. The workflow,
which builds the binaries on their own runners, passes its assembled tree in E2E_PACKAGED_TREE
so that the tests check exactly what it publishes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from conftest import REPO

HERE = Path(__file__).resolve().parent
VERDACCIO = HERE / "registry" / "node_modules" / "verdaccio" / "bin" / "verdaccio"
RELEASE_REF = "release"


def host_platform() -> str:
    out = subprocess.run(["sh", str(REPO / "bin" / "litestream-guard"), "launcher-platform"], capture_output=True, text=True)
    return out.stdout.strip()


def package_tree(dest: Path) -> Path:
    """The installable tree at dest: E2E_PACKAGED_TREE's copy, or a fresh scripts/package run."""
    given = os.environ.get("E2E_PACKAGED_TREE")
    if given:
        shutil.copytree(given, dest, symlinks=True)
        return dest
    proc = subprocess.run([str(REPO / "scripts" / "package"), str(dest)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, "scripts/package failed:\n" + proc.stdout + proc.stderr
    return dest


def git(*args: str, cwd: Path) -> str:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(cwd),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "e2e",
        "GIT_AUTHOR_EMAIL": "e2e@example.invalid",
        "GIT_COMMITTER_NAME": "e2e",
        "GIT_COMMITTER_EMAIL": "e2e@example.invalid",
    }
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def publish_to_git(tree: Path, work: Path, ref: str = RELEASE_REF) -> Path:
    """A bare repository whose branch `ref` holds the tree as one commit, as the release workflow
    pushes it (the source branch never carries the binaries)."""
    checkout = work / "tree-checkout"
    shutil.copytree(tree, checkout, symlinks=True)
    git("init", "-q", "-b", ref, cwd=checkout)
    git("add", "-A", cwd=checkout)
    git("commit", "-q", "-m", "packaged tree", cwd=checkout)
    bare = work / "majestic-rails.git"
    git("clone", "-q", "--bare", str(checkout), str(bare), cwd=work)
    return bare


def marketplace(folder: Path, source: dict, name: str = "e2e-marketplace") -> Path:
    """A directory marketplace, like majestic-marketplace, with one entry for the plugin."""
    (folder / ".claude-plugin").mkdir(parents=True)
    doc = {
        "name": name,
        "owner": {"name": "e2e"},
        "plugins": [{"name": "majestic-rails", "source": source}],
    }
    (folder / ".claude-plugin" / "marketplace.json").write_text(json.dumps(doc, indent=2))
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Verdaccio:
    """A real npm registry on 127.0.0.1 with no uplink: it serves only what is published to it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Verdaccio":
        assert VERDACCIO.exists(), f"{VERDACCIO} is missing (run tests/e2e/install.sh)"
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "config.yaml"
        config.write_text(
            f"storage: {self.folder / 'storage'}\n"
            "auth:\n"
            "  htpasswd:\n"
            f"    file: {self.folder / 'htpasswd'}\n"
            "    max_users: 10\n"
            "uplinks: {}\n"
            "packages:\n"
            "  '**':\n"
            "    access: $all\n"
            "    publish: $authenticated\n"
            "web:\n"
            "  enable: false\n"
            "log: { type: stdout, format: pretty, level: warn }\n"
        )
        self.log = (self.folder / "verdaccio.log").open("w")
        self.proc = subprocess.Popen(
            ["node", str(VERDACCIO), "--config", str(config), "--listen", f"127.0.0.1:{self.port}"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.folder)},
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "-/ping", timeout=2).read()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise AssertionError("verdaccio did not start:\n" + (self.folder / "verdaccio.log").read_text())
                time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def token(self, user: str = "e2e") -> str:
        body = json.dumps({"name": user, "password": "e2e-password-only-for-loopback"}).encode()
        request = urllib.request.Request(
            f"{self.url}-/user/org.couchdb.user:{user}", data=body, method="PUT", headers={"content-type": "application/json"}
        )
        return json.loads(urllib.request.urlopen(request, timeout=10).read())["token"]

    def publish(self, tree: Path, work: Path) -> None:
        """`npm publish` of the tree, as the release workflow publishes it to npmjs."""
        home = work / "publisher-home"
        home.mkdir(parents=True)
        host = self.url.removeprefix("http:")
        (home / ".npmrc").write_text(f"registry={self.url}\n{host}:_authToken={self.token()}\n")
        proc = subprocess.run(
            ["npm", "publish", "--no-audit", "--no-fund"],
            cwd=tree,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)},
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert proc.returncode == 0, "npm publish failed:\n" + proc.stdout + proc.stderr

"""The release pipeline and the ways to use the binary outside Claude Code: the workflow passes
actionlint and builds what scripts/package ships, the crate is publishable, the smoke test
tells a good binary from a bad one, and the pre-commit hook and README snippets work."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from conftest import CLEAN_OVERLAY, EXAMPLE_APP, GUARD, REPO

BIN = REPO / ".deps" / "venv" / "bin"
WORKFLOW = REPO / ".github" / "workflows" / "release.yml"
README = (REPO / "README.md").read_text()


def load_package_script():
    loader = importlib.machinery.SourceFileLoader("package_script", str(REPO / "scripts" / "package"))
    spec = importlib.util.spec_from_loader("package_script", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    assert (BIN / "actionlint").exists(), "run tests/e2e/install.sh (it installs actionlint)"
    return subprocess.run(
        [str(BIN / "actionlint"), "-shellcheck", str(BIN / "shellcheck"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def readme_block(after: str, lang: str) -> str:
    """The first ```lang block after the heading or sentence `after` in README.md."""
    start = README.index(after)
    match = re.compile(rf"```{lang}\n(.*?)```", re.S).search(README, start)
    assert match, f"no ```{lang} block after {after!r} in README.md"
    return match.group(1)


def test_every_workflow_passes_actionlint():
    workflows = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    assert WORKFLOW in workflows
    proc = actionlint(*workflows)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_is_live(tmp_path):
    broken = tmp_path / "release.yml"
    broken.write_text(WORKFLOW.read_text().replace("${{ matrix.os }}", "${{ matrix.oss }}", 1))
    proc = actionlint(broken)
    assert proc.returncode == 1 and "oss" in proc.stdout, proc.stdout


def test_the_workflow_builds_every_platform_that_scripts_package_knows():
    package = load_package_script()
    text = WORKFLOW.read_text()
    rows = re.findall(r"\{ platform: ([\w-]+), os: ([\w.-]+), target: ([\w-]+), experimental: (true|false) \}", text)
    assert {r[0] for r in rows} == set(package.PLATFORMS)
    assert sorted(r[0] for r in rows if r[3] == "false") == sorted(package.REQUIRED)
    for platform, _, target, _ in rows:
        os_name = platform.split("-")[0]
        assert {"linux": "-linux-", "darwin": "-apple-darwin", "windows": "-windows-"}[os_name] in target
        assert target.startswith(platform.split("-")[1])
    # What CI tests is what users get: the same scripts, and the e2e suite on the same tree.
    for used in ("scripts/build-release --target", "scripts/smoke-test", "scripts/package dist/majestic-rails --release"):
        assert used in text, used
    assert "E2E_PACKAGED_TREE" in text and "tests/e2e/run" in text
    assert re.search(r"tags: \[\"v", text)


def test_the_crate_is_publishable():
    crate = tomllib.loads((REPO / "hook-bin" / "Cargo.toml").read_text())["package"]
    assert "publish" not in crate
    for key in ("description", "repository", "homepage", "readme", "keywords", "categories"):
        assert crate.get(key), key
    assert len(crate["keywords"]) <= 5
    listed = subprocess.run(
        ["cargo", "package", "--list", "--allow-dirty", "--locked", "-p", "litestream-guard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert listed.returncode == 0, listed.stderr
    files = listed.stdout.split()
    assert {"Cargo.toml", "Cargo.lock", "README.md", "src/main.rs", "src/lib.rs"} <= set(files)
    assert not [f for f in files if f.startswith("tests/")]


def test_the_smoke_test_accepts_the_binary_and_refuses_a_wrong_one(tmp_path):
    ok = subprocess.run([str(REPO / "scripts" / "smoke-test"), str(GUARD)], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    impostor = tmp_path / "litestream-guard"
    impostor.write_text("#!/bin/sh\necho litestream-guard 0.0.0\n")
    impostor.chmod(0o755)
    bad = subprocess.run([str(REPO / "scripts" / "smoke-test"), str(impostor)], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "--version says" in bad.stderr


def git(*args: str, cwd: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_the_pre_commit_hook_checks_a_rails_app(tmp_path):
    assert subprocess.run([str(BIN / "pre-commit"), "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")]).returncode == 0
    app = tmp_path / "app"
    shutil.copytree(EXAMPLE_APP, app)
    git("init", "-q", cwd=app)
    git("add", "-A", cwd=app)
    path_dir = tmp_path / "path"
    path_dir.mkdir()
    (path_dir / "litestream-guard").symlink_to(GUARD)
    env = {"PATH": f"{path_dir}:{BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "PRE_COMMIT_HOME": str(tmp_path / "cache")}

    def try_repo() -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "pre-commit"), "try-repo", str(REPO), "litestream-guard", "--all-files"],
            cwd=app, env=env, capture_output=True, text=True, timeout=300,
        )

    broken = try_repo()
    assert broken.returncode == 1 and "error[L007]" in broken.stdout, broken.stdout + broken.stderr
    shutil.copytree(CLEAN_OVERLAY, app, dirs_exist_ok=True)
    git("add", "-A", cwd=app)
    clean = try_repo()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    # The README's .pre-commit-config.yaml is a valid config.
    config = tmp_path / "config.yaml"
    config.write_text(readme_block("### pre-commit", "yaml"))
    assert subprocess.run([str(BIN / "pre-commit"), "validate-config", str(config)], env=env).returncode == 0


def test_the_readme_github_actions_snippet_passes_actionlint(tmp_path):
    workflow = tmp_path / ".github" / "workflows" / "litestream.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(readme_block("### GitHub Actions", "yaml"))
    proc = actionlint(workflow)
    assert proc.returncode == 0, proc.stdout
    text = workflow.read_text()
    assert "pull_request" in text and "--format github" in text and "SHA256SUMS" in text


@pytest.mark.parametrize("needle", ["cargo install litestream-guard", "--format sarif", "--format github", "lefthook.yml"])
def test_the_readme_shows_each_way_to_use_the_binary(needle):
    assert needle in README

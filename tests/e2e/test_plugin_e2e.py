"""The plugin inside the real Claude Code CLI, with the mock as the model.

Every test scripts the model's tool calls and then checks what really happened:
the stream-json events, the requests the mock received, and the files on disk.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

from conftest import GUARD, PLUGIN_NAME, REPO, export_plugin_tree, path_without_cargo

# The primary database's replica block in tests/e2e/fixtures/clean/config/litestream.yml.
PRIMARY_REPLICA = (
    "path: production\n"
    "      endpoint: https://fsn1.your-objectstorage.com\n"
    "      region: fsn1\n"
    "      force-path-style: true\n"
    "      sync-interval: 5s"
)
DANGEROUS_RESTORE = 'kamal accessory exec litestream "restore /rails/storage/production.sqlite3"'
# The swap step of the restore, as one `sh -c '…'` so that the container's shell reads it all
# (written as `"a && b"`, Kamal's host shell would run `b` on the host: the guard denies that, G011).
SWAP = (
    'kamal app exec --roles web "sh -c \'mkdir -p /rails/storage/pre-restore'
    " && mv /rails/storage/production.sqlite3 /rails/storage/production.sqlite3-wal"
    " /rails/storage/production.sqlite3-shm /rails/storage/.production.sqlite3-litestream /rails/storage/pre-restore/"
    ' && cp /rails/storage/production.sqlite3.restored /rails/storage/production.sqlite3\'"'
)


def read(path: Path) -> dict:
    return {"tool": "Read", "input": {"file_path": str(path)}}


def edit(path: Path, old: str, new: str) -> dict:
    return {
        "tool": "Edit",
        "input": {"file_path": str(path), "old_string": old, "new_string": new, "replace_all": False},
    }


def write(path: Path, content: str) -> dict:
    return {"tool": "Write", "input": {"file_path": str(path), "content": content}}


def bash(command: str) -> dict:
    return {"tool": "Bash", "input": {"command": command, "description": "e2e step"}}


def say(text: str) -> dict:
    return {"text": text}


def kamal_calls(log: Path) -> list[str]:
    """What the stub kamal was called with, one line per call (arguments joined by spaces)."""
    return log.read_text().splitlines() if log.exists() else []


def as_logged(command: str) -> str:
    return " ".join(shlex.split(command)[1:])


def request_for_step(run, step: int) -> dict:
    """The main-thread request the mock answered with script step `step`."""
    for r in run.requests:
        if r.get("main") and r.get("step") == step:
            return r["body"]
    raise AssertionError(f"the mock never received step {step}:\n" + run.describe())


def tool_result_in_request(body: dict, step: int) -> dict:
    wanted = f"toolu_e2e_{step:03d}"
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, list):
            for block in content:
                if block.get("type") == "tool_result" and block.get("tool_use_id") == wanted:
                    return block
    raise AssertionError(f"no tool_result {wanted} in the request")


def flatten(content) -> str:
    if isinstance(content, list):
        return "\n".join(c.get("text", "") for c in content if isinstance(c, dict))
    return str(content)


def test_the_project_fixture_is_clean(project):
    """Tests 2 and 3 rely on a project whose backup config has no findings."""
    proc = subprocess.run([str(GUARD), "check", str(project)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, "tests/e2e/fixtures/clean no longer passes check:\n" + proc.stdout + proc.stderr


# 1 ------------------------------------------------------------------------------


def test_plugin_loads_with_its_components_and_no_hook_errors(claude):
    run = claude("Say hello.", [say("hello")])

    assert run.returncode == 0, run.describe()
    init = run.init
    plugins = {p["name"]: p for p in init["plugins"]}
    assert PLUGIN_NAME in plugins, init["plugins"]
    assert Path(plugins[PLUGIN_NAME]["path"]).resolve() == REPO
    assert plugins[PLUGIN_NAME]["version"] == json.loads((REPO / ".claude-plugin/plugin.json").read_text())["version"]
    for command in ("litestream-setup", "litestream-restore", "litestream-status"):
        assert f"{PLUGIN_NAME}:{command}" in init["slash_commands"]
    assert f"{PLUGIN_NAME}:litestream-setup" in init["agents"]
    assert f"{PLUGIN_NAME}:litestream" in init["skills"]

    started = [e for e in run.hook_responses() if e.get("hook_event") == "SessionStart"]
    assert started, "no SessionStart hook ran:\n" + run.describe()
    run.assert_no_hook_errors()
    # The binary exists (target/release), so the launcher has nothing to warn about.
    assert not [m for m in run.system_messages() if "litestream-guard" in m], run.system_messages()
    assert run.result.get("subtype") == "success", run.describe()


# 2 ------------------------------------------------------------------------------


def test_edit_that_introduces_an_error_is_denied_with_the_finding(claude, project):
    config = project / "config" / "litestream.yml"
    before = config.read_text()
    assert before.count(PRIMARY_REPLICA) == 1

    run = claude(
        "Make the primary database sync more often.",
        [read(config), edit(config, PRIMARY_REPLICA, PRIMARY_REPLICA.replace("5s", "5")), say("done")],
    )

    assert run.returncode == 0, run.describe()
    run.assert_no_hook_errors()
    assert run.tool_result(0).get("is_error") in (False, None), run.result_text(0)
    denied = run.tool_result(1)
    assert denied.get("is_error") is True and run.denied_by_hook(1), run.describe()
    reason = run.result_text(1)
    assert "litestream.yml" in reason and "sync-interval" in reason, reason
    assert config.read_text() == before, "the denied edit reached the file"

    # The model got the finding: it is in the next request the mock received.
    seen = tool_result_in_request(request_for_step(run, 2), 1)
    assert seen.get("is_error") is True
    assert "sync-interval" in flatten(seen.get("content"))


# 3 ------------------------------------------------------------------------------


def test_write_of_a_valid_config_is_allowed_and_lands(claude, project):
    config = project / "config" / "litestream.yml"
    new = config.read_text().replace("shopfront-backups", "shopfront-db-backups")
    new = new.replace("# Litestream 0.5 for shopfront", "# Litestream 0.5 for shopfront, new bucket")

    run = claude("Move the backups to the new bucket.", [read(config), write(config, new), say("done")])

    assert run.returncode == 0, run.describe()
    run.assert_no_hook_errors()
    result = run.tool_result(1)
    assert result.get("is_error") in (False, None), run.result_text(1)
    assert config.read_text() == new
    # PostToolUse re-checked the file and had nothing to block.
    assert "error[" not in flatten(tool_result_in_request(request_for_step(run, 2), 1).get("content"))


# 4 ------------------------------------------------------------------------------


def test_bash_guard_denies_a_live_restore_and_allows_the_swap_once_stopped(claude, project, kamal_log):
    run = claude(
        "Restore the production database from the backup.",
        [
            bash(DANGEROUS_RESTORE),  # 0: in place, app running: denied
            bash(SWAP),  # 1: the swap before anything was stopped: denied
            bash("kamal app stop"),  # 2
            bash("kamal accessory stop litestream"),  # 3
            bash(SWAP),  # 4: now allowed
            say("done"),
        ],
    )

    assert run.returncode == 0, run.describe()
    run.assert_no_hook_errors()
    for step in (0, 1):
        assert run.tool_result(step).get("is_error") is True, f"step {step} ran:\n" + run.describe()
        assert run.denied_by_hook(step), f"step {step} was not denied by the hook: {run.permission(step)}"
    assert "restore" in run.result_text(0).lower()
    for step in (2, 3, 4):
        assert run.tool_result(step).get("is_error") in (False, None), f"step {step}: " + run.result_text(step)
        assert run.permission(step).get("decision") == "accept", run.permission(step)
    assert "stub kamal: app exec" in run.result_text(4)
    assert kamal_calls(kamal_log) == ["app stop", "accessory stop litestream", as_logged(SWAP)], kamal_calls(kamal_log)


# 5 ------------------------------------------------------------------------------


def test_setup_command_expands_with_its_arguments(claude):
    run = claude(f"/{PLUGIN_NAME}:litestream-setup hetzner my-bucket fsn1", [say("On it.")])

    assert run.returncode == 0, run.describe()
    body = run.main_requests[0]
    text = json.dumps(body["messages"], ensure_ascii=False)
    assert f"/{PLUGIN_NAME}:litestream-setup" in text
    assert "Requested storage provider: `hetzner`" in text
    assert "Requested bucket: `my-bucket`" in text
    # The region the command asks for can be given up front too.
    assert "Requested region: `fsn1`" in text
    assert "All arguments as typed: `hetzner my-bucket fsn1`" in text
    # The command calls the plugin's own copy, by the path Claude Code substitutes.
    assert f'\\"{REPO}/bin/litestream-guard\\" init --provider' in text, text
    assert "${CLAUDE_PLUGIN_ROOT}" not in text
    assert str(REPO / "skills" / "litestream" / "SKILL.md") in text


def test_restore_command_reads_database_and_time_and_leaves_missing_ones_visible(claude):
    run = claude(f"/{PLUGIN_NAME}:litestream-restore primary", [say("On it.")])

    assert run.returncode == 0, run.describe()
    text = json.dumps(run.main_requests[0]["messages"], ensure_ascii=False)
    assert "Database to restore: `primary`" in text
    # No second argument: the placeholder stays, and the prompt says what that means.
    assert "Point in time: `$1`" in text
    assert str(REPO / "skills" / "litestream" / "references" / "restore-runbook.md") in text


# 6 ------------------------------------------------------------------------------


def test_skill_and_agent_are_offered_and_load(claude):
    agent_prompt = "Audit the Litestream setup of this app."
    run = claude(
        "Check my Litestream backups.",
        [
            {"tool": "Skill", "input": {"skill": f"{PLUGIN_NAME}:litestream"}},
            {
                "tool": "Agent",
                "input": {
                    "description": "Audit Litestream setup",
                    "prompt": agent_prompt,
                    "subagent_type": f"{PLUGIN_NAME}:litestream-setup",
                    "run_in_background": False,
                },
            },
            say("done"),
        ],
    )

    assert run.returncode == 0, run.describe()
    first = json.dumps(run.main_requests[0], ensure_ascii=False)
    assert f"{PLUGIN_NAME}:litestream: This skill should be used when" in first
    assert f"{PLUGIN_NAME}:litestream-setup: Use this agent to set up Litestream backups" in first
    # Commands that change files or production are not offered for the model to call by itself.
    assert f"{PLUGIN_NAME}:litestream-restore:" not in first

    assert run.tool_result(0).get("is_error") in (False, None), run.result_text(0)
    after_skill = json.dumps(request_for_step(run, 1), ensure_ascii=False)
    assert "Litestream backups for Rails apps on SQLite" in after_skill  # the SKILL.md body
    assert "${LITESTREAM_ACCESS_KEY_ID}" in after_skill  # and its own ${...} text is left alone
    assert f'\\"{REPO}/bin/litestream-guard\\" check' in after_skill  # the plugin's own copy

    sub = [
        r["body"]
        for r in run.requests
        if not r.get("main") and "You set up and audit Litestream backups" in json.dumps(r["body"].get("system", ""))
    ]
    assert sub, "the litestream-setup agent never ran:\n" + run.describe()
    tools = {t["name"] for t in sub[0].get("tools", [])}
    assert {"Read", "Grep", "Glob", "Edit", "Write", "Bash"} >= tools - {"DeferredToolPlaceholder", "ToolSearch"}, tools
    assert agent_prompt in json.dumps(sub[0]["messages"])
    assert run.tool_result(1).get("is_error") in (False, None), run.result_text(1)


# 7 ------------------------------------------------------------------------------


def test_without_binary_or_cargo_hooks_let_everything_through_and_say_why_once(
    claude, project, kamal_log, tmp_path
):
    plugin = export_plugin_tree(tmp_path / "plugin-no-binary")
    assert not (plugin / "target").exists()
    config = project / "config" / "litestream.yml"
    broken = config.read_text().replace(PRIMARY_REPLICA, PRIMARY_REPLICA.replace("5s", "5"))

    run = claude(
        "Change the sync interval, then restore.",
        [
            read(config),
            edit(config, PRIMARY_REPLICA, PRIMARY_REPLICA.replace("5s", "5")),
            bash(DANGEROUS_RESTORE),
            say("done"),
        ],
        plugin_dir=plugin,
        path=path_without_cargo(tmp_path),
    )

    assert run.returncode == 0, run.describe()
    run.assert_no_hook_errors()
    assert run.tool_result(1).get("is_error") in (False, None), run.result_text(1)
    assert config.read_text() == broken
    assert run.tool_result(2).get("is_error") in (False, None), run.result_text(2)
    assert kamal_calls(kamal_log) == [as_logged(DANGEROUS_RESTORE)]

    notices = [m for m in run.system_messages() if "litestream-guard" in m]
    assert len(notices) == 1, run.system_messages()
    assert "cargo was not found" in notices[0]
    assert "LITESTREAM_GUARD_BIN" in notices[0] and "rustup" in notices[0]

    # Claude was told too, not only the user: from SessionStart on (in the first request), and
    # again by the first hook about the backup setup (the edit), in the request after it.
    told = "safety checks are OFF"
    assert told in json.dumps(run.main_requests[0]), "SessionStart's additionalContext never reached the model"
    after_edit = json.dumps(request_for_step(run, 2))
    assert after_edit.count(told) == 2, "the first relevant hook did not remind the model"


# 7 ------------------------------------------------------------------------------

GUARD_PATH = f'"{REPO}/bin/litestream-guard"'
# The read-only steps /litestream-status and /litestream-restore take on the server.
READ_ONLY_KAMAL = [
    "kamal app details",
    "kamal accessory details litestream",
    "kamal accessory logs litestream -n 500",
    'kamal accessory exec litestream "ltx -level all /rails/storage/production.sqlite3"',
    'kamal accessory exec litestream "databases"',
    'kamal accessory exec litestream "generations /rails/storage/production.sqlite3"',
]


def frontmatter_tools(rel: str) -> list[str]:
    text = (REPO / rel).read_text()
    line = next(l for l in text.splitlines() if l.startswith(("allowed-tools:", "tools:")))
    return [t.strip() for t in line.split(":", 1)[1].split(", ")]


def test_plugin_texts_list_only_tools_the_cli_has(claude):
    """Tools that 2.1.332 does not offer (Glob, Grep) would fail with `No such tool available`."""
    run = claude(
        "List the config files.",
        [{"tool": "Glob", "input": {"pattern": "config/*.yml"}}, say("done")],
    )
    offered = {t.get("name") for t in run.main_requests[0].get("tools", [])}
    assert "No such tool available: Glob" in run.result_text(0)  # the premise still holds
    for rel in ["skills/litestream/SKILL.md", "commands/litestream-status.md", "commands/litestream-restore.md",
                "commands/litestream-setup.md", "agents/litestream-setup.md"]:
        for t in frontmatter_tools(rel):
            name = t.split("(", 1)[0]
            assert name in offered, f"{rel} lists {t}, which the CLI does not offer ({sorted(offered)})"


def run_command_steps(claude, command: str, steps: list[str]):
    """The slash command with nothing pre-approved by the session (only its own allowed-tools)."""
    return claude(f"/{PLUGIN_NAME}:{command}", [bash(c) for c in steps] + [say("done")], allowed_tools=("Skill",))


def test_status_runs_its_read_only_steps_without_a_prompt_and_nothing_else(claude, kamal_log):
    steps = [f"{GUARD_PATH} check", *READ_ONLY_KAMAL]
    risky = [
        "kamal app stop",
        f"{GUARD_PATH} init --provider aws --bucket b --region eu-west-1 --dry-run",
        'kamal accessory exec litestream "restore -o /tmp/x.sqlite3 /rails/storage/production.sqlite3"',
        # A pre-approved prefix must not carry a host command: Kamal's host shell runs `touch`.
        'kamal accessory exec litestream "ltx /x; touch /tmp/litestream-e2e-host"',
    ]
    run = run_command_steps(claude, "litestream-status", steps + risky)
    assert run.returncode == 0, run.describe()
    for i, c in enumerate(steps):
        assert run.permission(i).get("decision") == "accept", f"{c}: {run.permission(i)}\n{run.result_text(i)}"
    for j, c in enumerate(risky, start=len(steps)):
        assert run.permission(j).get("decision") == "reject", f"{c} ran without a prompt: {run.permission(j)}"
    ran = kamal_calls(kamal_log)
    assert not any(c.startswith("app stop") or "restore" in c or "touch" in c for c in ran), ran
    assert not Path("/tmp/litestream-e2e-host").exists()


def test_restore_runs_plan_and_proofs_without_a_prompt_but_every_change_asks(claude, kamal_log):
    steps = [f"{GUARD_PATH} plan-restore", f"{GUARD_PATH} check", "kamal app details", "kamal accessory details litestream"]
    changes = ["kamal app stop", "kamal accessory stop litestream", "kamal app boot", SWAP]
    run = run_command_steps(claude, "litestream-restore", steps + changes)
    assert run.returncode == 0, run.describe()
    for i, c in enumerate(steps):
        assert run.permission(i).get("decision") == "accept", f"{c}: {run.permission(i)}\n{run.result_text(i)}"
    assert "kamal app stop" in run.result_text(0)  # the plan itself came back
    for j, c in enumerate(changes, start=len(steps)):
        assert run.permission(j).get("decision") == "reject", f"{c} ran without a prompt: {run.permission(j)}"
    assert kamal_calls(kamal_log) == ["app details", "accessory details litestream"], kamal_calls(kamal_log)

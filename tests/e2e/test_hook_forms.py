"""What the pinned Claude Code does with a hook command, checked in a real run, because
hooks/hooks.json depends on it: a shell-form command runs under `sh -c` with CLAUDE_PLUGIN_ROOT
in the environment (the fast path in hooks.json reads it there), and `additionalContext` from
SessionStart and PreToolUse reaches the model (how the launcher tells Claude that checks are
off). Exec form (`command` + `args`, no shell) also works in this version; hooks.json does not
use it, since older versions lack it and Windows could not start a sh script without a shell.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_plugin_e2e import bash, say

RECORDER = """#!/bin/sh
cat >/dev/null
{
  printf 'form=%s parent=%s\\n' "$1" "$(ps -o comm= -p "$PPID" | tr -d ' ')"
  printf 'arg2=%s\\n' "$2"
  printf 'root=%s\\n' "$CLAUDE_PLUGIN_ROOT"
} >> "$HOOK_LOG"
case $1 in
  exec) printf '{"hookSpecificOutput":{"hookEventName":"PreToolUse","additionalContext":"CONTEXT-FROM-PRETOOLUSE"}}\\n' ;;
  shell) printf '{"hookSpecificOutput":{"hookEventName":"SessionStart","additionalContext":"CONTEXT-FROM-SESSIONSTART"}}\\n' ;;
esac
exit 0
"""


def probe_plugin(root: Path) -> Path:
    (root / ".claude-plugin").mkdir(parents=True)
    (root / ".claude-plugin" / "plugin.json").write_text(json.dumps({"name": "hook-forms", "version": "0.0.1"}))
    (root / "bin").mkdir()
    recorder = root / "bin" / "record"
    recorder.write_text(RECORDER)
    recorder.chmod(0o755)
    (root / "hooks").mkdir()
    hooks = {
        "hooks": {
            "SessionStart": [
                {"hooks": [{"type": "command", "command": 'exec "${CLAUDE_PLUGIN_ROOT}/bin/record" shell "$0"', "timeout": 10}]}
            ],
            "PreToolUse": [
                {
                    "matcher": "Bash",
                    "hooks": [
                        {
                            "type": "command",
                            "command": "${CLAUDE_PLUGIN_ROOT}/bin/record",
                            "args": ["exec", "${CLAUDE_PLUGIN_ROOT}"],
                            "timeout": 10,
                        }
                    ],
                }
            ],
        }
    }
    (root / "hooks" / "hooks.json").write_text(json.dumps(hooks))
    return root


def test_shell_form_runs_under_sh_exec_form_without_a_shell_and_context_reaches_the_model(claude, tmp_path):
    plugin = probe_plugin(tmp_path / "hook-forms")
    log = tmp_path / "hook.log"
    run = claude("Run it.", [bash("true"), say("done")], plugin_dir=plugin, env={"HOOK_LOG": str(log)})
    assert run.returncode == 0, run.describe()
    lines = log.read_text().splitlines()
    # SessionStart, shell form: `sh -c` exec'd the recorder, so its parent is Claude Code itself,
    # and the script saw $0 of that shell; CLAUDE_PLUGIN_ROOT is in the environment.
    assert lines[0] == "form=shell parent=claude", lines
    assert lines[1].removeprefix("arg2=").endswith("sh"), lines
    assert lines[2] == f"root={plugin}", lines
    # PreToolUse, exec form: started directly, with ${CLAUDE_PLUGIN_ROOT} substituted in args.
    assert lines[3] == "form=exec parent=claude", lines
    assert lines[4] == f"arg2={plugin}", lines
    requests = json.dumps(run.main_requests)
    assert "CONTEXT-FROM-SESSIONSTART" in requests
    assert "CONTEXT-FROM-PRETOOLUSE" in requests

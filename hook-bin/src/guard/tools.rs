//! Commands that stop or start the app and Litestream, or remove the backups: `kamal`, `docker`
//! (volumes, `cp`), and object-storage clients (`aws s3`, `s3cmd`, `rclone`, `mc`, `gsutil`,
//! `gcloud storage`).

use super::ops::{has_flag, operands, Backup, Effect, FileOp, Op, Verb};
use super::words::Arg;

/// Kamal subcommands other than `exec` (which the walker unwraps).
pub(super) fn kamal(args: &[Arg]) -> Vec<Op> {
    let (words, _) = operands(args, &super::wrappers::KAMAL_TAKES);
    let w: Vec<&str> = words.iter().map(|a| a.text.as_str()).collect();
    match w.as_slice() {
        ["app", "stop", ..] | ["app", "remove", ..] => vec![Op::Effect(Effect::AppStop)],
        ["app", "boot" | "start", ..] | ["deploy", ..] | ["redeploy", ..] | ["rollback", ..] => {
            vec![Op::Effect(Effect::AppStart)]
        }
        ["setup", ..] => vec![Op::Effect(Effect::AppStart), Op::Effect(Effect::LitestreamStart)],
        ["accessory", "stop", names @ ..] => names.iter().map(|n| accessory(n, false)).collect(),
        ["accessory", "boot" | "start" | "reboot" | "restart", names @ ..] => {
            names.iter().map(|n| accessory(n, true)).collect()
        }
        ["accessory", "remove", names @ ..] => {
            let mut out: Vec<Op> = names
                .iter()
                .map(|n| Op::Backup(Backup::AccessoryRemove((*n).to_string())))
                .collect();
            out.extend(names.iter().map(|n| accessory(n, false)));
            out
        }
        ["remove", ..] => vec![
            Op::Backup(Backup::KamalRemove),
            Op::Effect(Effect::AppStop),
            Op::Effect(Effect::LitestreamStop),
        ],
        _ => Vec::new(),
    }
}

fn accessory(name: &str, start: bool) -> Op {
    Op::Accessory {
        start,
        name: name.to_string(),
    }
}

pub(super) fn docker(args: &[Arg]) -> Vec<Op> {
    let w: Vec<&str> = args.iter().map(|a| a.text.as_str()).collect();
    match w.as_slice() {
        ["volume", "rm" | "remove", rest @ ..] => {
            let names: Vec<String> = rest
                .iter()
                .filter(|n| !n.starts_with('-'))
                .map(|n| n.to_string())
                .collect();
            vec![Op::Backup(Backup::VolumeRm(names))]
        }
        ["volume", "prune", ..] => vec![Op::Backup(Backup::VolumePrune)],
        ["system", "prune", rest @ ..] if rest.contains(&"--volumes") => {
            vec![Op::Backup(Backup::VolumePrune)]
        }
        ["cp", rest @ ..] => {
            let (paths, _) = operands(&args[1..], &[]);
            let _ = rest;
            match paths.as_slice() {
                [_, dest] if !dest.text.contains(':') => {
                    let mut op = FileOp::new(Verb::Onto, (*dest).clone(), "docker cp");
                    op.recursive = true;
                    Op::File(op).into_vec()
                }
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

fn objects(tool: &str, target: &Arg, recursive: bool) -> Op {
    Op::Backup(Backup::Objects {
        tool: tool.to_string(),
        target: target.text.clone(),
        recursive,
    })
}

pub(super) fn aws(args: &[Arg]) -> Vec<Op> {
    let (words, opts) = operands(
        args,
        &[
            "--profile",
            "--region",
            "--endpoint-url",
            "--exclude",
            "--include",
            "--output",
            "--query",
        ],
    );
    let w: Vec<&str> = words.iter().map(|a| a.text.as_str()).collect();
    let recursive = opts.contains(&"--recursive");
    match w.as_slice() {
        ["s3", "rm", ..] => words[2..].iter().map(|t| objects("aws s3 rm", t, recursive)).collect(),
        ["s3", "rb", ..] if opts.contains(&"--force") => words[2..]
            .iter()
            .map(|t| objects("aws s3 rb --force", t, true))
            .collect(),
        _ => Vec::new(),
    }
}

pub(super) fn s3cmd(args: &[Arg]) -> Vec<Op> {
    let (words, opts) = operands(args, &["-c", "--config", "--exclude", "--include"]);
    let recursive = has_flag(&opts, 'r', &["recursive"]);
    match words.split_first() {
        Some((cmd, targets)) if matches!(cmd.text.as_str(), "del" | "rm") => {
            targets.iter().map(|t| objects("s3cmd del", t, recursive)).collect()
        }
        Some((cmd, targets)) if cmd.text == "rb" => targets.iter().map(|t| objects("s3cmd rb", t, true)).collect(),
        _ => Vec::new(),
    }
}

pub(super) fn rclone(args: &[Arg]) -> Vec<Op> {
    let (words, _) = operands(
        args,
        &[
            "--config",
            "--include",
            "--exclude",
            "--filter",
            "--min-age",
            "--max-age",
        ],
    );
    match words.split_first() {
        Some((cmd, targets)) if matches!(cmd.text.as_str(), "purge" | "delete" | "deletefile" | "rmdirs") => targets
            .iter()
            .map(|t| objects(&format!("rclone {}", cmd.text), t, cmd.text != "deletefile"))
            .collect(),
        _ => Vec::new(),
    }
}

pub(super) fn mc(args: &[Arg]) -> Vec<Op> {
    let (words, opts) = operands(args, &["--config-dir", "-C", "--older-than", "--newer-than"]);
    let recursive = opts.iter().any(|o| *o == "--recursive" || *o == "-r");
    match words.split_first() {
        Some((cmd, targets)) if matches!(cmd.text.as_str(), "rm" | "rb") => targets
            .iter()
            .map(|t| objects(&format!("mc {}", cmd.text), t, recursive || cmd.text == "rb"))
            .collect(),
        _ => Vec::new(),
    }
}

pub(super) fn gsutil(args: &[Arg]) -> Vec<Op> {
    let (words, opts) = operands(args, &["-o", "-h"]);
    let recursive = has_flag(&opts, 'r', &[]) || has_flag(&opts, 'R', &[]);
    match words.split_first() {
        Some((cmd, targets)) if cmd.text == "rm" => {
            targets.iter().map(|t| objects("gsutil rm", t, recursive)).collect()
        }
        _ => Vec::new(),
    }
}

pub(super) fn gcloud(args: &[Arg]) -> Vec<Op> {
    let (words, opts) = operands(args, &["--project"]);
    let w: Vec<&str> = words.iter().map(|a| a.text.as_str()).collect();
    let recursive = opts.iter().any(|o| *o == "--recursive" || *o == "-r");
    match w.as_slice() {
        ["storage", "rm", ..] => words[2..]
            .iter()
            .map(|t| objects("gcloud storage rm", t, recursive))
            .collect(),
        _ => Vec::new(),
    }
}

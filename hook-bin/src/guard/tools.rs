//! Commands that stop or start the app and Litestream, or remove the backups: `kamal`, `docker`
//! (volumes), and object-storage clients (`aws s3`/`s3api`, `s3cmd`, `rclone`, `mc`, `gsutil`,
//! `gcloud storage`), including syncs that delete at their destination.

use super::kamal::Call;
use super::ops::{has_flag, operands, Backup, Effect, Holder, Op};
use super::words::Arg;

fn kamal_op(effect: Effect, holder: Holder, call: &Call) -> Op {
    Op::Kamal {
        effect,
        holder,
        scope: call.scope.clone(),
    }
}

/// Kamal subcommands other than `exec` (which the walker follows).
pub(super) fn kamal(call: &Call) -> Vec<Op> {
    let w: Vec<&str> = call.words.iter().map(|a| a.text.as_str()).collect();
    let app = |e| vec![kamal_op(e, Holder::App, call)];
    let acc = |e, n: &str| kamal_op(e, Holder::Accessory(n.to_string()), call);
    match w.as_slice() {
        ["app", "stop" | "remove", ..] => app(Effect::Stop),
        ["app", "boot" | "start", ..] | ["deploy", ..] | ["redeploy", ..] | ["rollback", ..] => app(Effect::Start),
        ["app", "details", ..] => app(Effect::Details),
        ["setup", ..] => vec![kamal_op(Effect::Start, Holder::App, call), acc(Effect::Start, "all")],
        // Kamal has no `all` for stop: "No accessory by the name of 'all'", exit 0, nothing stops.
        ["accessory", "stop", "all", ..] => vec![acc(
            Effect::FailedStop("stops nothing: Kamal has no `all` for `accessory stop` (it prints \"No accessory by the name of 'all'\" and exits 0); stop it by name"),
            "all",
        )],
        ["accessory", "stop", name, ..] => vec![acc(Effect::Stop, name)],
        ["accessory", "boot" | "start" | "reboot" | "restart", name, ..] => vec![acc(Effect::Start, name)],
        ["accessory", "details", name, ..] => vec![acc(Effect::Details, name)],
        ["accessory", "remove", name, ..] => vec![
            Op::Backup(Backup::AccessoryRemove((*name).to_string())),
            acc(Effect::Stop, name),
        ],
        ["remove", ..] => vec![
            Op::Backup(Backup::KamalRemove),
            kamal_op(Effect::Stop, Holder::App, call),
            acc(Effect::Stop, "all"),
        ],
        _ => Vec::new(),
    }
}

pub(super) fn docker(args: &[Arg]) -> Vec<Op> {
    let w: Vec<&str> = args.iter().map(|a| a.text.as_str()).collect();
    match w.as_slice() {
        ["volume", "rm" | "remove", ..] => {
            let (names, _) = operands(&args[2..], &[]);
            vec![Op::Backup(Backup::VolumeRm(names.into_iter().cloned().collect()))]
        }
        ["volume", "prune", ..] => vec![Op::Backup(Backup::VolumePrune)],
        ["system", "prune", rest @ ..] if rest.contains(&"--volumes") => {
            vec![Op::Backup(Backup::VolumePrune)]
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

/// The destination of a sync that deletes what the source lacks (`aws s3 sync --delete SRC DST`).
fn sync_dest<'a>(words: &[&'a Arg]) -> Option<&'a Arg> {
    (words.len() >= 2).then(|| words[words.len() - 1])
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
    let value = |name: &str| {
        args.windows(2)
            .find(|w| w[0].is(name))
            .map(|w| w[1].text.clone())
            .or_else(|| {
                opts.iter()
                    .find_map(|o| o.strip_prefix(&format!("{name}=")))
                    .map(str::to_string)
            })
    };
    match w.as_slice() {
        ["s3", "rm", ..] => words[2..].iter().map(|t| objects("aws s3 rm", t, recursive)).collect(),
        ["s3", "rb", ..] if opts.contains(&"--force") => words[2..]
            .iter()
            .map(|t| objects("aws s3 rb --force", t, true))
            .collect(),
        // Moving objects away deletes them where they were.
        ["s3", "mv", ..] if words.len() >= 4 => vec![objects("aws s3 mv", words[2], recursive)],
        ["s3", "sync", ..] if opts.contains(&"--delete") => sync_dest(&words[2..])
            .map(|t| objects("aws s3 sync --delete", t, true))
            .into_iter()
            .collect(),
        ["s3api", "delete-bucket" | "delete-object" | "delete-objects", ..] => {
            let Some(bucket) = value("--bucket") else {
                return Vec::new();
            };
            let key = value("--key").unwrap_or_default();
            vec![objects(
                &format!("aws s3api {}", w[1]),
                &Arg::lit(&format!("s3://{bucket}/{key}")),
                w[1] != "delete-object",
            )]
        }
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
        // `sync` deletes at the destination what the source lacks; `move` empties the source.
        Some((cmd, targets)) if cmd.is("sync") => sync_dest(targets)
            .map(|t| objects("rclone sync", t, true))
            .into_iter()
            .collect(),
        Some((cmd, targets)) if cmd.is("move") || cmd.is("moveto") => targets
            .first()
            .map(|t| objects(&format!("rclone {}", cmd.text), t, true))
            .into_iter()
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
        Some((cmd, targets)) if cmd.is("mirror") && opts.contains(&"--remove") => sync_dest(targets)
            .map(|t| objects("mc mirror --remove", t, true))
            .into_iter()
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
        Some((cmd, targets)) if cmd.is("rsync") && has_flag(&opts, 'd', &[]) => sync_dest(targets)
            .map(|t| objects("gsutil rsync -d", t, true))
            .into_iter()
            .collect(),
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

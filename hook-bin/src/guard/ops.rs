//! What a plain command (wrappers already removed) does to files, to the app and to the
//! backups: `argv` in, [`Op`]s out. No I/O and no config here: [`super::judge`] decides what the
//! operations mean for this app.

use super::words::{Arg, DYN};
use crate::version::Version;

/// What a file operation does to its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `rm`, `unlink`, `shred`: the path is gone afterwards.
    Delete,
    /// `mv` source: the path is gone afterwards (moved away).
    MoveAway,
    /// `mv`/`cp`/`ln -f`/`rsync`/`dd of=`/`.restore`/`VACUUM INTO` destination: replaced.
    Onto,
    /// `>`, `>>`, `tee`, `truncate`: written into or cut.
    Write,
    /// `litestream reset DB`: Litestream's tracking state of the database is cleared.
    Reset,
    /// `test ! -e PATH` (or `[ ! -e PATH ]`): when it succeeds, nothing is at the path. It
    /// changes nothing, but proves the path is gone (a `-wal` moved aside, or never there).
    Absent,
}

impl Verb {
    pub fn removes(self) -> bool {
        matches!(self, Verb::Delete | Verb::MoveAway | Verb::Absent)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOp {
    pub verb: Verb,
    pub path: Arg,
    /// Directories go too (`rm -r`, `mv dir`, `find … -delete`).
    pub recursive: bool,
    /// For `Onto`: whether `path` is a directory the file lands in (`Some(true)`), a file name
    /// (`Some(false)`), or unknown (`None`: a directory if one exists there).
    pub into_dir: Option<bool>,
    /// For `Onto` into a directory: the name the file gets there.
    pub name: Option<String>,
    /// Only names matching this pattern under `path` (`find -name`).
    pub filter: Option<String>,
    /// The command, for messages (`rm`, `mv`, `sqlite3 .restore`).
    pub tool: String,
    /// The path is on another machine or in a container (`scp x host:/p`, `docker cp x c:/p`).
    pub remote: Option<Remote>,
    /// Names left alone (`git clean -e PATTERN`).
    pub exclude: Vec<String>,
}

/// Where a copy tool's `HOST:PATH` or `CONTAINER:PATH` lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remote {
    Host(String),
    Container(String),
}

impl FileOp {
    pub(super) fn new(verb: Verb, path: Arg, tool: &str) -> FileOp {
        FileOp {
            verb,
            path,
            recursive: false,
            into_dir: None,
            name: None,
            filter: None,
            tool: tool.to_string(),
            remote: None,
            exclude: Vec::new(),
        }
    }
}

/// Something that destroys what a live database holds while the file stays: a Rails task that
/// drops or reloads it, SQL that drops tables or rewrites the file in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataOp {
    pub path: Arg,
    /// What it does, for messages (`bin/rails db:drop drops it`).
    pub what: String,
    /// The command that does it (`bin/rails db:drop`, `sqlite3 … "DROP TABLE orders"`).
    pub tool: String,
}

/// Which `litestream` runs the command, as far as the guard knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Runner {
    /// The version from an image tag (accessory or `docker run`).
    pub version: Option<Version>,
    /// How to write the command for this runner (`kamal accessory exec litestream "…"`), for
    /// corrected commands in messages: the text before and after the litestream arguments.
    pub wrap: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restore {
    /// The output: `-o`, or the database path when there is none (`None` for a URL without
    /// `-o`, which fails before writing anything).
    pub output: Option<Arg>,
    pub force: bool,
    pub dry_run: bool,
    pub if_not_exists: bool,
    /// Flags that came after the path (Go ignores them: `too many arguments`).
    pub late_flags: Vec<String>,
    /// The command with every flag before the path.
    pub corrected: Option<String>,
    /// Flags used (names without dashes).
    pub flags: Vec<String>,
    /// The positional argument (database path or replica URL).
    pub source: Option<Arg>,
    pub runner: Runner,
    /// The litestream arguments (after `restore`) as shown.
    pub shown: String,
}

/// What a Kamal command does to the containers that hold the databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Stop,
    /// A stop that cannot have worked, and why (`kamal accessory stop all`).
    FailedStop(&'static str),
    Start,
    /// `kamal app details` / `kamal accessory details`: its output shows what runs.
    Details,
}

/// Whose containers: the app's roles, or an accessory (`all`: every accessory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    App,
    Accessory(String),
}

/// Something that removes backups or the volume (G005).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backup {
    AccessoryRemove(String),
    KamalRemove,
    VolumeRm(Vec<Arg>),
    VolumePrune,
    /// A delete in object storage: tool, target (`s3://bucket/prefix`, `remote:bucket/prefix`,
    /// `alias/bucket/prefix`) and whether the tool's target names a remote (`rclone`, `mc`).
    Objects {
        tool: String,
        target: String,
        recursive: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    File(FileOp),
    Restore(Restore),
    /// A Kamal stop, start or details, in a destination, for some roles and hosts.
    Kamal {
        effect: Effect,
        holder: Holder,
        scope: super::kamal::Scope,
    },
    Data(DataOp),
    /// A destructive Rails database task, in the environment the command names (if it does).
    RailsTask {
        task: super::rails_task::Task,
        env: Option<String>,
    },
    Backup(Backup),
    /// The litestream image's entrypoint doubled (`litestream litestream …`) or missing
    /// (`restore …` through docker exec): the shown command and the corrected one.
    Entrypoint {
        shown: String,
        corrected: String,
        doubled: bool,
    },
    /// Text the guard cannot follow (eval of unknown text, an unknown command name).
    Unresolved(String),
}

/// The last path segment: `/usr/local/bin/litestream` → `litestream`.
pub fn base(a: &Arg) -> &str {
    a.text.rsplit('/').next().unwrap_or(&a.text)
}

/// Splits `argv` into option words and operands the usual way (`--` ends options). `takes`
/// names the short and long options that take a value.
pub(super) fn operands<'a>(args: &'a [Arg], takes: &[&str]) -> (Vec<&'a Arg>, Vec<&'a str>) {
    let mut ops = Vec::new();
    let mut opts = Vec::new();
    let mut i = 0;
    let mut ended = false;
    while i < args.len() {
        let a = &args[i];
        let t = a.text.as_str();
        if ended || !t.starts_with('-') || t == "-" {
            ops.push(a);
        } else if t == "--" {
            ended = true;
        } else {
            opts.push(t);
            let name = t.split('=').next().unwrap_or(t);
            if !t.contains('=') && takes.contains(&name) {
                i += 1;
                if let Some(v) = args.get(i) {
                    opts.push(&v.text);
                }
            }
        }
        i += 1;
    }
    (ops, opts)
}

pub(super) fn has_flag(opts: &[&str], short: char, long: &[&str]) -> bool {
    opts.iter().any(|o| {
        if let Some(l) = o.strip_prefix("--") {
            long.contains(&l.split('=').next().unwrap_or(l))
        } else if let Some(s) = o.strip_prefix('-') {
            s.chars().all(|c| c.is_ascii_alphanumeric()) && s.contains(short)
        } else {
            false
        }
    })
}

fn opt_value<'a>(args: &'a [Arg], short: &str, long: &str) -> Option<&'a Arg> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a.text == short || a.text == long {
            return it.next();
        }
    }
    None
}

/// The operations of one plain command. `argv[0]` may be a path (`/usr/bin/rm`).
pub fn interpret(argv: &[Arg], runner: &Runner) -> Vec<Op> {
    let Some(first) = argv.first() else {
        return Vec::new();
    };
    if first.dynamic() {
        let text: Vec<String> = argv.iter().map(Arg::show).collect();
        return vec![Op::Unresolved(text.join(" "))];
    }
    let args = &argv[1..];
    match base(first) {
        "rm" | "unlink" | "shred" | "srm" => delete(base(first), args),
        "mv" => move_or_copy("mv", args, true),
        "cp" | "install" => move_or_copy(base(first), args, false),
        "ln" => link(args),
        "rsync" => rsync(args),
        "scp" => scp(args),
        "rails" | "rake" => super::rails_task::interpret(argv),
        "dd" => dd(args),
        "truncate" => truncate(args),
        "tee" => tee(args),
        "sqlite3" | "sqlite" => sqlite(args),
        "litestream" => super::litestream_cmd::litestream(argv, runner),
        "docker" | "podman" => super::tools::docker(args),
        "aws" => super::tools::aws(args),
        "s3cmd" => super::tools::s3cmd(args),
        "rclone" => super::tools::rclone(args),
        "mc" => super::tools::mc(args),
        "gsutil" => super::tools::gsutil(args),
        "gcloud" => super::tools::gcloud(args),
        "find" => find(args),
        "test" => absent(args),
        "[" => absent(args.strip_suffix(&[Arg::lit("]")][..]).unwrap_or(args)),
        n if super::writers::handles(n) => super::writers::interpret(argv),
        _ => Vec::new(),
    }
}

/// `test ! -e PATH` and its spellings (`-f`, `-s`, `-L`, `-h`, `-a`): the proof of absence.
fn absent(args: &[Arg]) -> Vec<Op> {
    match args {
        [not, flag, path]
            if not.text == "!" && matches!(flag.text.as_str(), "-e" | "-f" | "-s" | "-a" | "-L" | "-h") =>
        {
            vec![Op::File(FileOp::new(Verb::Absent, path.clone(), "test"))]
        }
        _ => Vec::new(),
    }
}

fn delete(tool: &str, args: &[Arg]) -> Vec<Op> {
    let (paths, opts) = operands(args, &["-n", "--iterations", "-s", "--size", "--remove"]);
    let recursive = has_flag(&opts, 'r', &["recursive"]) || has_flag(&opts, 'R', &[]);
    paths
        .into_iter()
        .map(|p| {
            let mut op = FileOp::new(Verb::Delete, p.clone(), tool);
            op.recursive = recursive;
            Op::File(op)
        })
        .collect()
}

fn move_or_copy(tool: &str, args: &[Arg], is_move: bool) -> Vec<Op> {
    let takes = [
        "-t",
        "--target-directory",
        "-S",
        "--suffix",
        "-m",
        "--mode",
        "-o",
        "--owner",
        "-g",
        "--group",
        "--backup",
    ];
    let (paths, opts) = operands(args, &takes);
    let target_dir = opt_value(args, "-t", "--target-directory").cloned().or_else(|| {
        opts.iter()
            .find_map(|o| o.strip_prefix("--target-directory="))
            .map(Arg::lit)
    });
    let no_target_dir = has_flag(&opts, 'T', &["no-target-directory"]);
    let recursive = is_move
        || has_flag(&opts, 'r', &["recursive"])
        || has_flag(&opts, 'R', &[])
        || has_flag(&opts, 'a', &["archive"]);
    let (sources, dest): (Vec<&Arg>, Arg) = match target_dir {
        Some(d) => (paths, d),
        None => match paths.split_last() {
            Some((d, s)) if !s.is_empty() => (s.to_vec(), (*d).clone()),
            _ => return Vec::new(),
        },
    };
    let mut out = Vec::new();
    let into_dir = if no_target_dir {
        Some(false)
    } else if sources.len() > 1 || dest.text.ends_with('/') || args.iter().any(|a| a.text == "-t") {
        Some(true)
    } else {
        None
    };
    for s in &sources {
        if is_move {
            let mut op = FileOp::new(Verb::MoveAway, (*s).clone(), tool);
            op.recursive = true;
            out.push(Op::File(op));
        }
        let mut onto = FileOp::new(Verb::Onto, dest.clone(), tool);
        onto.into_dir = into_dir;
        onto.recursive = recursive;
        onto.name = Some(base(s).to_string());
        out.push(Op::File(onto));
    }
    out
}

fn link(args: &[Arg]) -> Vec<Op> {
    let (paths, opts) = operands(args, &["-t", "--target-directory", "-S", "--suffix"]);
    if !has_flag(&opts, 'f', &["force"]) {
        return Vec::new();
    }
    match paths.split_last() {
        Some((d, s)) if !s.is_empty() => s
            .iter()
            .map(|src| {
                let mut op = FileOp::new(Verb::Onto, (*d).clone(), "ln -f");
                op.name = Some(base(src).to_string());
                op.into_dir = (s.len() > 1).then_some(true);
                Op::File(op)
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn rsync(args: &[Arg]) -> Vec<Op> {
    let (paths, opts) = operands(
        args,
        &[
            "-e",
            "--rsh",
            "--exclude",
            "--include",
            "--filter",
            "-f",
            "--files-from",
            "--chown",
            "--chmod",
            "-T",
            "--temp-dir",
            "--rsync-path",
            "--backup-dir",
            "--suffix",
        ],
    );
    let Some((dest, sources)) = paths.split_last() else {
        return Vec::new();
    };
    if sources.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let deletes = opts
        .iter()
        .any(|o| o.starts_with("--delete") || *o == "--remove-source-files");
    for s in sources {
        let mut op = FileOp::new(Verb::Onto, (*dest).clone(), "rsync");
        op.recursive = true;
        op.into_dir = Some(dest.text.ends_with('/') || !s.text.ends_with('/'));
        op.name = Some(base(s).to_string());
        if s.text.ends_with('/') {
            // `rsync src/ dest`: the contents land in dest itself.
            op.into_dir = Some(false);
        }
        // `rsync x host:/path` lands on that server.
        out.push(Op::File(super::writers::at_remote(op)));
    }
    if deletes {
        let mut op = FileOp::new(Verb::Delete, (*dest).clone(), "rsync --delete");
        op.recursive = true;
        out.push(Op::File(super::writers::at_remote(op)));
    }
    out
}

fn scp(args: &[Arg]) -> Vec<Op> {
    // `scp file host:/var/lib/docker/volumes/…` lands on that server; a local destination is a
    // plain copy.
    let (paths, opts) = operands(args, &["-P", "-i", "-o", "-F", "-c", "-l", "-S", "-J"]);
    match paths.split_last() {
        Some((d, s)) if !s.is_empty() => {
            let mut op = FileOp::new(Verb::Onto, (*d).clone(), "scp");
            op.name = s.first().map(|a| base(a).to_string());
            op.recursive = has_flag(&opts, 'r', &[]);
            if s.len() > 1 {
                op.into_dir = Some(true);
            }
            Op::File(super::writers::at_remote(op)).into_vec()
        }
        _ => Vec::new(),
    }
}

impl Op {
    pub(super) fn into_vec(self) -> Vec<Op> {
        vec![self]
    }
}

fn dd(args: &[Arg]) -> Vec<Op> {
    args.iter()
        .filter_map(|a| a.text.strip_prefix("of="))
        .map(|p| {
            let mut op = FileOp::new(Verb::Onto, Arg::lit(p), "dd of=");
            op.into_dir = Some(false);
            Op::File(op)
        })
        .collect()
}

fn truncate(args: &[Arg]) -> Vec<Op> {
    let (paths, _) = operands(args, &["-s", "--size", "-r", "--reference"]);
    paths
        .into_iter()
        .map(|p| Op::File(FileOp::new(Verb::Write, p.clone(), "truncate")))
        .collect()
}

fn tee(args: &[Arg]) -> Vec<Op> {
    let (paths, _) = operands(args, &["--output-error"]);
    paths
        .into_iter()
        .map(|p| Op::File(FileOp::new(Verb::Write, p.clone(), "tee")))
        .collect()
}

/// `sqlite3 [opts] DB [SQL…]`: `.restore` overwrites DB; `.backup FILE`, `.save FILE`,
/// `.clone FILE` and `VACUUM INTO 'FILE'` write FILE. `stdin` is SQL read from standard input.
pub fn sqlite(args: &[Arg]) -> Vec<Op> {
    sqlite_with(args, None)
}

pub fn sqlite_with(args: &[Arg], stdin: Option<&str>) -> Vec<Op> {
    let takes = [
        "-cmd",
        "-init",
        "-separator",
        "-newline",
        "-nullvalue",
        "-vfs",
        "-maxsize",
        "-mmap",
        "-pagecache",
        "-lookaside",
        "-heap",
        "-escape",
        "-A",
    ];
    let mut sql: Vec<String> = Vec::new();
    let mut operands: Vec<&Arg> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let t = args[i].text.as_str();
        if t.starts_with('-') && operands.is_empty() {
            let name = t.trim_start_matches('-');
            if takes.iter().any(|k| k.trim_start_matches('-') == name) {
                if name == "cmd" {
                    if let Some(v) = args.get(i + 1) {
                        sql.push(v.text.clone());
                    }
                }
                i += 1;
            }
        } else {
            operands.push(&args[i]);
        }
        i += 1;
    }
    let db = operands.first().copied();
    sql.extend(operands.iter().skip(1).map(|a| a.text.clone()));
    if let Some(s) = stdin {
        sql.push(s.to_string());
    }
    let mut out = Vec::new();
    for text in &sql {
        for stmt in text.split(['\n', ';']) {
            let s = stmt.trim();
            let lower = s.to_ascii_lowercase();
            let mut words = s.split_whitespace();
            match words.next() {
                Some(".restore") => {
                    if let Some(db) = db {
                        let mut op = FileOp::new(Verb::Onto, db.clone(), "sqlite3 .restore");
                        op.into_dir = Some(false);
                        out.push(Op::File(op));
                    }
                }
                Some(".backup") | Some(".save") | Some(".clone") => {
                    let rest: Vec<&str> = words.filter(|w| !w.starts_with("--")).collect();
                    if let Some(file) = rest.last() {
                        let mut op = FileOp::new(Verb::Onto, Arg::lit(unquote_sql(file)), "sqlite3 .backup");
                        op.into_dir = Some(false);
                        out.push(Op::File(op));
                    }
                }
                _ => {
                    if lower.starts_with("vacuum") {
                        if let Some(pos) = lower.find(" into ") {
                            let file = s[pos + 6..].trim();
                            let mut op = FileOp::new(Verb::Onto, Arg::lit(unquote_sql(file)), "VACUUM INTO");
                            op.into_dir = Some(false);
                            out.push(Op::File(op));
                            continue;
                        }
                    }
                    if let (Some(db), Some(what)) = (db, destroys(&lower)) {
                        out.push(Op::Data(DataOp {
                            path: db.clone(),
                            what: what.to_string(),
                            tool: format!("sqlite3 \"{}\"", s.chars().take(60).collect::<String>()),
                        }));
                    }
                }
            }
        }
    }
    out
}

/// What a SQL statement (lower case) destroys in the database it runs on, if anything: dropped
/// tables, every row of a table, the file rewritten in place (`VACUUM` without `INTO`, which
/// Litestream cannot follow), or WAL mode switched off (Litestream needs it).
fn destroys(sql: &str) -> Option<&'static str> {
    let words: Vec<&str> = sql.split_whitespace().collect();
    match words.as_slice() {
        ["drop", "table", ..] => Some("drops a table of"),
        ["delete", "from", _] => Some("deletes every row of a table of"),
        ["delete", "from", _, next, ..] if *next != "where" => Some("deletes every row of a table of"),
        ["vacuum", ..] => Some("rewrites in place (Litestream cannot follow an in-place VACUUM)"),
        ["pragma", p, ..] if p.contains("journal_mode") => {
            let mode = sql
                .rsplit(['=', '('])
                .next()
                .unwrap_or("")
                .trim_matches(|c: char| !c.is_ascii_alphabetic());
            (mode != "wal" && !mode.is_empty() && sql.contains(['=', '(']))
                .then_some("takes out of WAL mode (Litestream needs WAL) in")
        }
        _ => None,
    }
}

fn unquote_sql(s: &str) -> &str {
    let s = s.trim().trim_end_matches(';').trim();
    s.strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .or_else(|| s.strip_prefix('"').and_then(|x| x.strip_suffix('"')))
        .unwrap_or(s)
}

/// Shell-quotes a word for a corrected command (only when needed).
pub fn quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `find ROOT… [-name PAT] -delete` and `-exec rm …`.
fn find(args: &[Arg]) -> Vec<Op> {
    let mut roots = Vec::new();
    let mut i = 0;
    while i < args.len() && !args[i].text.starts_with('-') && !args[i].text.starts_with('(') && args[i].text != "!" {
        roots.push(args[i].clone());
        i += 1;
    }
    let rest = &args[i..];
    let deletes = rest.iter().any(|a| a.text == "-delete")
        || rest.windows(2).any(|w| {
            matches!(w[0].text.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir")
                && matches!(base(&w[1]), "rm" | "unlink" | "shred")
        });
    if !deletes {
        return Vec::new();
    }
    let filter = rest
        .windows(2)
        .find(|w| matches!(w[0].text.as_str(), "-name" | "-iname"))
        .map(|w| w[1].text.clone());
    if roots.is_empty() {
        roots.push(Arg::lit("."));
    }
    roots
        .into_iter()
        .map(|r| {
            let mut op = FileOp::new(Verb::Delete, r, "find -delete");
            op.recursive = true;
            op.filter = filter.clone();
            Op::File(op)
        })
        .collect()
}

/// True when a text mentions a restore or a database file: the trigger for asking about text
/// the guard cannot follow.
pub fn mentions_database(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    ["restore", ".sqlite", "-wal", "-shm", "-journal", "-litestream", ".db"]
        .iter()
        .any(|k| t.contains(k))
        || t.contains(DYN) && t.contains("storage")
}

/// True when interpreter code mentions a database file together with something that writes,
/// moves or deletes files: the guard cannot read the code, so a person should.
pub fn code_writes_database(code: &str) -> bool {
    let t = code.to_ascii_lowercase();
    mentions_database(&t)
        && [
            "remove", "unlink", "delete", "rmtree", "truncate", "rename", "move", "replace", "copy", "write",
            "restore", "rm ", "'w'", "\"w\"", "vacuum",
        ]
        .iter()
        .any(|k| t.contains(k))
}

#[cfg(test)]
mod tests {
    use super::super::litestream_cmd::wrong_version_flags;
    use super::*;

    fn argv(s: &str) -> Vec<Arg> {
        s.split_whitespace().map(Arg::lit).collect()
    }

    fn restore_of(s: &str) -> Restore {
        match interpret(&argv(s), &Runner::default()).pop() {
            Some(Op::Restore(r)) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn restores() {
        let r =
            restore_of("litestream restore -o /x/new.sqlite3 -timestamp 2024-01-01T00:00:00Z /rails/storage/p.sqlite3");
        assert_eq!(r.output.unwrap().text, "/x/new.sqlite3");
        assert!(r.late_flags.is_empty());
        let r = restore_of("/usr/local/bin/litestream restore /rails/storage/p.sqlite3");
        assert_eq!(r.output.unwrap().text, "/rails/storage/p.sqlite3");
        let r = restore_of("litestream restore /rails/storage/p.sqlite3 -o /x/new.sqlite3");
        assert_eq!(r.late_flags, ["-o"]);
        assert_eq!(
            r.corrected.as_deref(),
            Some("restore -o /x/new.sqlite3 /rails/storage/p.sqlite3")
        );
        assert_eq!(r.output.unwrap().text, "/x/new.sqlite3");
        let r = restore_of("litestream restore --force=true s3://b/p");
        assert!(r.force && r.output.is_none());
        let r = restore_of("litestream restore -generation abc -o /n /p");
        assert_eq!(wrong_version_flags(&r, Version::parse("0.5.17").unwrap()).len(), 1);
        let r = restore_of("litestream restore -force -o /n /p");
        assert_eq!(wrong_version_flags(&r, Version::parse("0.5.11").unwrap()).len(), 1);
        assert!(wrong_version_flags(&r, Version::parse("0.5.12").unwrap()).is_empty());
    }

    #[test]
    fn files() {
        let ops = interpret(&argv("mv a.sqlite3 a.sqlite3-wal old/"), &Runner::default());
        assert_eq!(ops.len(), 4);
        let ops = interpret(&argv("sqlite3 /x/live.db .restore"), &Runner::default());
        assert!(matches!(&ops[0], Op::File(f) if f.verb == Verb::Onto && f.path.text == "/x/live.db"));
        let ops = sqlite_with(&argv("/x/old.db"), Some("VACUUM INTO '/x/live.db';"));
        assert!(matches!(&ops[0], Op::File(f) if f.path.text == "/x/live.db"));
        assert!(interpret(&argv("ln -s a b"), &Runner::default()).is_empty());
        let ops = interpret(&argv("find /rails/storage -name *-wal -delete"), &Runner::default());
        assert!(matches!(&ops[0], Op::File(f) if f.filter.as_deref() == Some("*-wal")));
        assert!(interpret(&argv("find /rails/storage -name *.sqlite3"), &Runner::default()).is_empty());
    }

    #[test]
    fn destructive_sql() {
        let data = |sql: &str| {
            sqlite_with(&argv("/x/live.db"), Some(sql))
                .into_iter()
                .filter(|o| matches!(o, Op::Data(_)))
                .count()
        };
        assert_eq!(data("DROP TABLE orders;"), 1);
        assert_eq!(data("delete from sessions"), 1);
        assert_eq!(data("DELETE FROM sessions WHERE updated_at < 1"), 0);
        assert_eq!(data("VACUUM;"), 1);
        assert_eq!(data("VACUUM INTO '/tmp/x.db'"), 0);
        assert_eq!(data("PRAGMA journal_mode=DELETE"), 1);
        assert_eq!(data("PRAGMA journal_mode"), 0);
        assert_eq!(data("PRAGMA journal_mode = wal"), 0);
        assert_eq!(data("select count(*) from orders; .tables"), 0);
    }

    #[test]
    fn backups() {
        let ops = interpret(&argv("aws s3 rm --recursive s3://b/p"), &Runner::default());
        assert!(matches!(&ops[0], Op::Backup(Backup::Objects { recursive: true, .. })));
        assert!(interpret(&argv("aws s3 ls s3://b/p"), &Runner::default()).is_empty());
    }
}

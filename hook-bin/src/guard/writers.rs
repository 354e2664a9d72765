//! What the tools that write many files at once write, and where: archive extraction (`tar -x`,
//! `unzip`), decompression next to the archive (`gunzip x.gz` writes `x`), in-place edits
//! (`sed -i`), copies onto another machine (`scp`/`rsync HOST:PATH`), and Git deleting the files
//! it does not track (`git clean -x`, `git stash --all`), which include a development database.

use super::ops::{base, has_flag, operands, FileOp, Op, Remote, Verb};
use super::words::Arg;

/// `[user@]host:path` (a colon before any slash), `scp://[user@]host[:port]/path`: the host and
/// the path there. `host::module` (rsync daemon) and local paths give `None`.
pub fn remote_spec(text: &str) -> Option<(String, String)> {
    for scheme in ["scp://", "rsync://", "sftp://"] {
        if let Some(rest) = text.strip_prefix(scheme) {
            let (auth, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = auth.rsplit('@').next()?.split(':').next()?;
            return Some((host.to_string(), format!("/{path}")));
        }
    }
    let i = text.find(':')?;
    let (before, after) = (&text[..i], &text[i + 1..]);
    if before.is_empty() || before.contains('/') || after.starts_with(':') {
        return None;
    }
    let host = before.rsplit('@').next()?;
    Some((host.to_string(), after.to_string()))
}

/// Points a file operation at `host:path` when its path names one.
pub fn at_remote(mut op: FileOp) -> FileOp {
    if let Some((host, path)) = remote_spec(&op.path.text) {
        op.path = Arg::lit(if path.is_empty() { "." } else { &path });
        op.remote = Some(Remote::Host(host));
    }
    op
}

/// `tar -x` (`tar xf`, `--extract`, `-C DIR`, `--directory=DIR`, member names).
pub fn tar(args: &[Arg]) -> Vec<Op> {
    let mut dir: Option<Arg> = None;
    let mut extract = false;
    let mut members: Vec<&Arg> = Vec::new();
    let mut i = 0;
    let mut first = true;
    while i < args.len() {
        let a = &args[i];
        let t = a.text.as_str();
        i += 1;
        if let Some(d) = t.strip_prefix("--directory=") {
            dir = Some(Arg::lit(d));
        } else if t == "-C" || t == "--directory" {
            dir = args.get(i).cloned();
            i += 1;
        } else if t == "--extract" || t == "--get" {
            extract = true;
        } else if matches!(
            t,
            "-f" | "--file" | "-T" | "--files-from" | "-X" | "--exclude-from" | "-b" | "-H"
        ) {
            i += 1;
        } else if t.starts_with("--") {
        } else if let Some(cluster) = t.strip_prefix('-').or(first.then_some(t)) {
            // `-xzf FILE`, or the old style `xzf FILE` as the first word: `f` takes the next word.
            if cluster.chars().all(|c| c.is_ascii_alphabetic()) {
                extract |= cluster.contains('x');
                if cluster.contains('f') {
                    i += 1;
                }
                if cluster.contains('C') {
                    dir = args.get(i).cloned();
                    i += 1;
                }
            } else {
                members.push(a);
            }
        } else {
            members.push(a);
        }
        first = false;
    }
    if !extract {
        return Vec::new();
    }
    let dir = dir.unwrap_or_else(|| Arg::lit("."));
    if members.is_empty() {
        let mut op = FileOp::new(Verb::Onto, dir, "tar -x");
        op.recursive = true;
        op.into_dir = Some(false);
        return vec![Op::File(op)];
    }
    members
        .into_iter()
        .map(|m| {
            let mut op = FileOp::new(Verb::Onto, join(&dir, m), "tar -x");
            op.into_dir = Some(false);
            op.recursive = true;
            Op::File(op)
        })
        .collect()
}

fn join(dir: &Arg, rel: &Arg) -> Arg {
    if rel.text.starts_with('/') {
        return rel.clone();
    }
    Arg {
        text: format!("{}/{}", dir.text.trim_end_matches('/'), rel.text),
        pat: format!("{}/{}", dir.pat.trim_end_matches('/'), rel.pat),
    }
}

/// `unzip ARCHIVE [-d DIR]`: everything lands in DIR (or here).
pub fn unzip(args: &[Arg]) -> Vec<Op> {
    let (ops, opts) = operands(args, &["-d", "-x", "-P"]);
    if has_flag(&opts, 'l', &[]) || has_flag(&opts, 't', &[]) || has_flag(&opts, 'p', &[]) || ops.is_empty() {
        return Vec::new();
    }
    let dir = args
        .windows(2)
        .find(|w| w[0].is("-d"))
        .map(|w| w[1].clone())
        .unwrap_or_else(|| Arg::lit("."));
    let mut op = FileOp::new(Verb::Onto, dir, "unzip");
    op.recursive = true;
    op.into_dir = Some(false);
    vec![Op::File(op)]
}

/// `gunzip x.gz` (`gzip -d`, `zstd -d`, `xz -d`, `bunzip2`, `unzstd`): writes `x` beside it.
pub fn decompress(tool: &str, args: &[Arg]) -> Vec<Op> {
    let (files, opts) = operands(args, &["-o", "-S", "--suffix", "-T", "--threads"]);
    let decompressing = matches!(tool, "gunzip" | "bunzip2" | "unxz" | "unzstd" | "zcat")
        || has_flag(&opts, 'd', &["decompress", "uncompress"]);
    if !decompressing || tool == "zcat" || has_flag(&opts, 'c', &["stdout", "to-stdout"]) {
        return Vec::new();
    }
    // `zstd -d x.zst -o out`.
    if let Some(w) = args.windows(2).find(|w| w[0].is("-o")) {
        let mut op = FileOp::new(Verb::Onto, w[1].clone(), tool);
        op.into_dir = Some(false);
        return vec![Op::File(op)];
    }
    files
        .into_iter()
        .filter_map(|f| {
            let out = [".gz", ".zst", ".xz", ".bz2", ".tgz", ".z"]
                .iter()
                .find_map(|s| f.text.strip_suffix(s))?;
            let mut op = FileOp::new(Verb::Onto, Arg::lit(out), tool);
            op.into_dir = Some(false);
            Some(Op::File(op))
        })
        .collect()
}

/// `sed -i …` / `perl -pi -e …`: every file operand is rewritten in place.
pub fn in_place(tool: &str, args: &[Arg]) -> Vec<Op> {
    let in_place = args.iter().any(|a| {
        let t = a.text.as_str();
        t == "--in-place"
            || t.starts_with("--in-place=")
            || (t.starts_with('-') && !t.starts_with("--") && t.contains('i'))
    });
    if !in_place {
        return Vec::new();
    }
    let (ops, _) = operands(args, &["-e", "--expression", "-f", "--file", "-l"]);
    // sed's first operand is the script unless `-e`/`-f` gave it.
    let scripted = args
        .iter()
        .any(|a| matches!(a.text.as_str(), "-e" | "--expression" | "-f" | "--file"));
    let skip = usize::from(tool == "sed" && !scripted);
    ops.into_iter()
        .skip(skip)
        .map(|p| Op::File(FileOp::new(Verb::Write, p.clone(), &format!("{tool} -i"))))
        .collect()
}

/// `git clean -f -x|-X` deletes untracked and ignored files (a development database is ignored
/// in a Rails app), `git stash --all` stashes them away: both remove them from disk.
pub fn git(args: &[Arg]) -> (Option<String>, Vec<Op>) {
    let mut i = 0;
    let mut chdir: Option<String> = None;
    while i < args.len() && args[i].text.starts_with('-') {
        match args[i].text.as_str() {
            "-C" => {
                chdir = args.get(i + 1).map(|a| a.text.clone());
                i += 1;
            }
            "-c" | "--git-dir" | "--work-tree" | "--namespace" => i += 1,
            _ => {}
        }
        i += 1;
    }
    let Some(sub) = args.get(i) else {
        return (chdir, Vec::new());
    };
    let rest = &args[i + 1..];
    let (paths, opts) = operands(rest, &["-e", "--exclude", "-m", "--message"]);
    let ops = match sub.text.as_str() {
        "clean" => {
            let force = has_flag(&opts, 'f', &["force"]);
            let ignored = has_flag(&opts, 'x', &[]) || has_flag(&opts, 'X', &[]);
            let dry = has_flag(&opts, 'n', &["dry-run"]) || has_flag(&opts, 'i', &["interactive"]);
            if !force || !ignored || dry {
                return (chdir, Vec::new());
            }
            let exclude: Vec<String> = rest
                .windows(2)
                .filter(|w| w[0].is("-e") || w[0].is("--exclude"))
                .map(|w| w[1].text.clone())
                .chain(
                    opts.iter()
                        .filter_map(|o| o.strip_prefix("--exclude="))
                        .map(str::to_string),
                )
                .collect();
            deletes(&paths, "git clean -x", exclude)
        }
        "stash" => {
            let all = has_flag(&opts, 'a', &["all"]);
            let read_only = paths.first().is_some_and(|p| {
                matches!(
                    p.text.as_str(),
                    "list" | "show" | "pop" | "apply" | "drop" | "clear" | "branch"
                )
            });
            if !all || read_only {
                return (chdir, Vec::new());
            }
            let paths: Vec<&Arg> = paths.into_iter().filter(|p| !p.is("push") && !p.is("save")).collect();
            deletes(&paths, "git stash --all", Vec::new())
        }
        _ => Vec::new(),
    };
    (chdir, ops)
}

fn deletes(paths: &[&Arg], tool: &str, exclude: Vec<String>) -> Vec<Op> {
    let roots: Vec<Arg> = if paths.is_empty() {
        vec![Arg::lit(".")]
    } else {
        paths.iter().map(|p| (*p).clone()).collect()
    };
    roots
        .into_iter()
        .map(|r| {
            let mut op = FileOp::new(Verb::Delete, r, tool);
            op.recursive = true;
            op.exclude = exclude.clone();
            Op::File(op)
        })
        .collect()
}

/// The tool names this module reads.
pub fn handles(name: &str) -> bool {
    matches!(
        name,
        "tar"
            | "bsdtar"
            | "gtar"
            | "unzip"
            | "gunzip"
            | "gzip"
            | "zstd"
            | "unzstd"
            | "xz"
            | "unxz"
            | "bunzip2"
            | "bzip2"
            | "sed"
            | "gsed"
            | "perl"
    )
}

pub fn interpret(argv: &[Arg]) -> Vec<Op> {
    let args = &argv[1..];
    match base(&argv[0]) {
        "tar" | "bsdtar" | "gtar" => tar(args),
        "unzip" => unzip(args),
        t @ ("gunzip" | "gzip" | "zstd" | "unzstd" | "xz" | "unxz" | "bunzip2" | "bzip2") => decompress(t, args),
        t @ ("sed" | "gsed" | "perl") => in_place(t, args),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<Arg> {
        s.split_whitespace().map(Arg::lit).collect()
    }

    fn paths(ops: &[Op]) -> Vec<String> {
        ops.iter()
            .filter_map(|o| match o {
                Op::File(f) => Some(f.path.text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn remote_specs() {
        assert_eq!(
            remote_spec("deploy@app1:/var/lib/docker/volumes/x/_data/"),
            Some(("app1".into(), "/var/lib/docker/volumes/x/_data/".into()))
        );
        assert_eq!(
            remote_spec("scp://root@app1:22/srv/x"),
            Some(("app1".into(), "/srv/x".into()))
        );
        assert_eq!(remote_spec("/tmp/a:b"), None);
        assert_eq!(remote_spec("host::module/x"), None);
        assert_eq!(remote_spec("plain"), None);
    }

    #[test]
    fn archives() {
        assert_eq!(
            paths(&tar(&argv("-xzf backup.tgz -C /rails/storage"))),
            ["/rails/storage"]
        );
        assert_eq!(paths(&tar(&argv("xf backup.tar"))), ["."]);
        assert_eq!(paths(&tar(&argv("--extract --file=b.tar --directory=/d"))), ["/d"]);
        assert_eq!(
            paths(&tar(&argv("-xf b.tar -C /rails storage/production.sqlite3"))),
            ["/rails/storage/production.sqlite3"]
        );
        assert!(tar(&argv("-tzf backup.tgz")).is_empty());
        assert!(tar(&argv("-czf out.tgz /rails/storage")).is_empty());
        assert_eq!(paths(&unzip(&argv("-o b.zip -d /rails/storage"))), ["/rails/storage"]);
        assert!(unzip(&argv("-l b.zip")).is_empty());
        assert_eq!(
            paths(&decompress("gunzip", &argv("-f /s/p.sqlite3.gz"))),
            ["/s/p.sqlite3"]
        );
        assert!(decompress("gzip", &argv("/s/p.sqlite3")).is_empty());
        assert!(decompress("gunzip", &argv("-c /s/p.sqlite3.gz")).is_empty());
        assert_eq!(
            paths(&in_place("sed", &argv("-i s/a/b/ /s/p.sqlite3"))),
            ["/s/p.sqlite3"]
        );
        assert!(in_place("sed", &argv("s/a/b/ /s/p.sqlite3")).is_empty());
    }

    #[test]
    fn git_removes_ignored_files() {
        assert_eq!(paths(&git(&argv("clean -fdx")).1), ["."]);
        assert_eq!(paths(&git(&argv("clean -X -f storage")).1), ["storage"]);
        assert!(git(&argv("clean -fd")).1.is_empty(), "ignored files stay");
        assert!(git(&argv("clean -ndx")).1.is_empty());
        assert_eq!(git(&argv("-C /app clean -fdx")).0.as_deref(), Some("/app"));
        assert_eq!(paths(&git(&argv("stash push --all")).1), ["."]);
        assert!(git(&argv("stash -u")).1.is_empty());
        match &git(&argv("clean -fdx -e storage")).1[0] {
            Op::File(f) => assert_eq!(f.exclude, ["storage"]),
            other => panic!("{other:?}"),
        }
    }
}

//! The `litestream-guard` command line. Library code returns typed errors; only this file turns
//! them into messages and exit codes.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use litestream_guard::version::Version;
use litestream_guard::{check, explain, hook, init, litestream, redact, render, rules, verify};

#[derive(Parser)]
#[command(
    name = "litestream-guard",
    version,
    about = "Checks Litestream + Kamal 2 setups of Rails 8 SQLite apps, and guards restore commands."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

/// Reports that are not lists of findings (a restore plan, a verification) come as text or JSON.
#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum LsVersion {
    #[value(name = "0.3")]
    V03,
    #[value(name = "0.5")]
    V05,
    Auto,
}

#[derive(Subcommand)]
enum Command {
    /// Check a Rails app (config/litestream.yml, config/deploy*.yml, .kamal/secrets*, config/database.yml) or single files.
    Check {
        /// App roots or single files (default: the current directory).
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Which Litestream to check against (auto: from the accessory's image tag).
        #[arg(long = "litestream-version", value_enum, default_value = "auto")]
        litestream_version: LsVersion,
        /// Run only these rules (IDs or names, comma-separated).
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// Skip these rules (IDs or names, comma-separated).
        #[arg(long, value_delimiter = ',')]
        ignore: Vec<String>,
    },
    /// List every rule.
    Rules,
    /// Explain a rule: what it checks, why, a bad and a good example, and the fix.
    Explain {
        /// A rule ID (e.g. L007) or name (e.g. invalid-duration), or `runners` for how Litestream runs in Rails apps.
        rule: Option<String>,
        /// Print every rule as Markdown (this is docs/rules.md).
        #[arg(long)]
        markdown: bool,
    },
    /// Print a JSON Schema of litestream.yml for yaml-language-server.
    Schema,
    /// Answer one Claude Code hook event (JSON on stdin). Always exits 0.
    Hook,
    /// Decide about a shell command like the Bash hook does: prints the decision, the rule ID and the reason; exits 0 (allow), 1 (deny) or 3 (ask).
    Guard {
        /// Where the command runs (default: the current directory); the app's config is found from here.
        #[arg(long)]
        cwd: Option<PathBuf>,
        /// A Claude Code transcript (JSONL) to read the session's earlier commands from.
        #[arg(long)]
        transcript: Option<PathBuf>,
        /// A session ID whose PostToolUse state to read.
        #[arg(long)]
        session: Option<String>,
        /// The command (one argument, or several joined by spaces).
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Print the safe restore procedure for this app: numbered commands, each with what its output must show.
    PlanRestore {
        /// The Rails app's root (default: the current directory).
        #[arg(long = "app", value_name = "APP_DIR")]
        app_dir: Option<PathBuf>,
        /// Databases to restore: database.yml names (primary, queue, …), file names or paths (default: all).
        databases: Vec<String>,
        /// Restore to this time (RFC 3339, e.g. 2026-05-01T12:00:00Z) instead of the newest state.
        #[arg(long)]
        timestamp: Option<String>,
        /// The Kamal destination (as for `kamal -d`).
        #[arg(long)]
        destination: Option<String>,
        /// Restore onto a new, empty host before the app's first boot.
        #[arg(long)]
        new_host: bool,
        /// The folder, beside each database, that the old files move into (default: pre-restore-<UTC time>).
        #[arg(long, value_name = "NAME")]
        aside: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Write config/litestream.yml, the Kamal `litestream` accessory and the .kamal/secrets entries.
    Init {
        /// The Rails app's root (default: the current directory).
        app_dir: Option<PathBuf>,
        /// hetzner, b2, digitalocean, aws, r2, minio or custom.
        #[arg(long)]
        provider: String,
        /// The bucket the backups go to (create it first).
        #[arg(long)]
        bucket: String,
        /// The provider's region (defaults: hetzner fsn1, digitalocean nyc3, aws us-east-1; b2 needs it).
        #[arg(long)]
        region: Option<String>,
        /// The S3 endpoint URL (r2, minio and custom need it; the others derive it from the region).
        #[arg(long)]
        endpoint: Option<String>,
        /// Litestream release line: 0.3 or 0.5 (default: the existing accessory's, else 0.5).
        #[arg(long, value_name = "0.3|0.5")]
        litestream: Option<String>,
        /// A folder in the bucket in front of every database's backup path.
        #[arg(long)]
        path_prefix: Option<String>,
        /// Print a unified diff of what would change, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Replace a config/litestream.yml that init did not write.
        #[arg(long)]
        force: bool,
    },
    /// Restore every database's newest backup with the real Litestream, check it, and say how fresh it is. Exits 0 (all ok), 1 (any stale, broken or missing) or 2 (could not run).
    Verify {
        /// The Rails app's root (default: the current directory); Litestream runs here.
        app_dir: Option<PathBuf>,
        /// The Litestream config (default: APP_DIR/config/litestream.yml).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The litestream binary (default: the one on PATH, else the one the app's runner ships).
        #[arg(long)]
        litestream: Option<PathBuf>,
        /// Check only this database (a path from the config, a file name, or a database.yml name); repeatable.
        #[arg(long = "db", value_name = "NAME_OR_PATH")]
        dbs: Vec<String>,
        /// A backup older than this fails (default: from each database's sync and snapshot settings).
        #[arg(long, value_name = "DURATION", value_parser = verify::parse_duration)]
        max_age: Option<std::time::Duration>,
        /// Write a nonce into each local live database (own table, removed afterwards) and wait until a restore has it.
        #[arg(long)]
        sentinel: bool,
        /// Stop a Litestream command that shows no progress for this long.
        #[arg(long, value_name = "DURATION", value_parser = verify::parse_duration, default_value = "2m")]
        timeout: std::time::Duration,
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
}

fn main() -> ExitCode {
    // The hook path skips argument parsing: it runs on every edit and every Bash call.
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 2 && args[1] == "hook" {
        return run_hook();
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        // Usage errors quote the argument they reject, which may be a pasted secret.
        Err(e) => {
            let text = redact::Redactor::patterns().clean(&e.render().to_string());
            if e.use_stderr() {
                eprint!("{text}");
            } else {
                print(&text);
            }
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    match cli.command {
        Command::Check {
            paths,
            format,
            litestream_version,
            select,
            ignore,
        } => run_check(paths, format, litestream_version, rules::Selection { select, ignore }),
        Command::Rules => print(&explain::list()),
        Command::Explain { rule, markdown } => run_explain(rule, markdown),
        Command::Schema => {
            let s = serde_json::to_string_pretty(&litestream::schema::schema()).expect("schema serializes");
            print(&format!("{s}\n"))
        }
        Command::Hook => run_hook(),
        Command::Guard {
            cwd,
            transcript,
            session,
            command,
        } => litestream_guard::guard::cli(cwd, transcript, session, &command),
        Command::PlanRestore {
            app_dir,
            databases,
            timestamp,
            destination,
            new_host,
            aside,
            format,
        } => run_plan(
            app_dir.unwrap_or_else(|| PathBuf::from(".")),
            litestream_guard::restore::Options {
                databases,
                timestamp,
                destination,
                new_host,
                aside,
            },
            format,
        ),
        Command::Init {
            app_dir,
            provider,
            bucket,
            region,
            endpoint,
            litestream,
            path_prefix,
            dry_run,
            force,
        } => run_init(
            init::Options {
                root: app_dir.unwrap_or_else(|| PathBuf::from(".")),
                provider,
                bucket,
                region,
                endpoint,
                litestream,
                path_prefix,
                force,
            },
            dry_run,
        ),
        Command::Verify {
            app_dir,
            config,
            litestream,
            dbs,
            max_age,
            sentinel,
            timeout,
            format,
        } => run_verify(
            verify::Options {
                app_dir: app_dir.unwrap_or_else(|| PathBuf::from(".")),
                config,
                litestream,
                dbs,
                max_age,
                sentinel,
                timeout,
                progress: std::io::stderr().is_terminal(),
            },
            format,
        ),
    }
}

fn run_verify(opts: verify::Options, format: ReportFormat) -> ExitCode {
    let outcome = verify::run(&opts);
    // Every byte goes through the scrubber: Litestream's messages are quoted in reasons.
    let safe = |s: &str| outcome.secrets.scrub(s);
    match outcome.result {
        Ok(report) => {
            let out = match format {
                ReportFormat::Json => report.json(),
                ReportFormat::Text => {
                    let color =
                        std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
                    report.text(color)
                }
            };
            print(&safe(&out));
            ExitCode::from(report.exit)
        }
        Err(verify::Fatal(msg)) => {
            if let ReportFormat::Json = format {
                print(&safe(&format!("{}\n", serde_json::json!({ "error": msg, "exit": 2 }))));
            }
            eprintln!("{}", safe(&format!("litestream-guard verify: {msg}")));
            ExitCode::from(2)
        }
    }
}

fn run_plan(root: PathBuf, opts: litestream_guard::restore::Options, format: ReportFormat) -> ExitCode {
    use litestream_guard::project::{Overrides, Project};
    if !root.is_dir() {
        eprintln!("litestream-guard plan-restore: {}: not a directory", root.display());
        return ExitCode::from(2);
    }
    let mut project = Project::load_app(&root, "", &Overrides::new());
    project.finish(None);
    // The plan quotes the app's files (paths, commands, names): it goes through the redaction
    // layer like every other output.
    let red = redact::Redactor::for_project(&project);
    match litestream_guard::restore::plan(&project, &opts) {
        Ok(plan) => print(&red.clean(&match format {
            ReportFormat::Json => litestream_guard::restore::json(&plan),
            ReportFormat::Text => litestream_guard::restore::text(&plan),
        })),
        Err(e) => {
            eprintln!("litestream-guard plan-restore: {}", red.clean(&e.to_string()));
            ExitCode::from(2)
        }
    }
}

fn run_init(opts: init::Options, dry_run: bool) -> ExitCode {
    // Everything init prints may quote the app's files (diff context, errors): it goes through
    // the redaction layer with what the app's secrets files hold.
    let red = redact::Redactor::for_app(Some(&opts.root));
    let fail = |e: init::InitError| {
        eprintln!("litestream-guard init: {}", red.clean(&e.to_string()));
        ExitCode::from(2)
    };
    match init::recover(&opts.root, dry_run) {
        Ok(notes) => notes.iter().for_each(|n| eprintln!("note: {}", red.clean(n))),
        Err(e) => return fail(e),
    }
    let plan = match init::plan(&opts) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    if dry_run {
        // The diff alone on stdout, so that `init --dry-run > setup.patch` applies with `git apply`.
        let diff = plan.diff();
        let shown = red.clean(&diff);
        print(&shown);
        eprint!("{}", red.clean(&plan.summary(true)));
        if shown != diff {
            eprintln!("note: the diff hides secret values (or control characters) of your files in its context lines, so `git apply` rejects those parts; run init without --dry-run to write the files");
        }
        return ExitCode::SUCCESS;
    }
    match plan.write() {
        Ok(notes) => notes.iter().for_each(|n| eprintln!("note: {}", red.clean(n))),
        Err(e) => return fail(e),
    }
    print(&red.clean(&plan.summary(false)))
}

fn print(s: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
    ExitCode::SUCCESS
}

fn run_check(paths: Vec<PathBuf>, format: Format, v: LsVersion, selection: rules::Selection) -> ExitCode {
    if let Some(k) = selection.unknown().first() {
        eprintln!("litestream-guard: no rule `{k}`; `litestream-guard rules` lists them");
        return ExitCode::from(2);
    }
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let version = match v {
        LsVersion::V03 => Version::parse("0.3"),
        LsVersion::V05 => Version::parse("0.5"),
        LsVersion::Auto => None,
    };
    let results = match check::check_paths(&paths, version, &selection) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("litestream-guard: {e}");
            return ExitCode::from(2);
        }
    };
    let out = match format {
        Format::Json => render::json(&results),
        Format::Github => render::github::render(&results),
        Format::Sarif => render::sarif::render(&results),
        Format::Text => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            render::text(&results, render::Style { color })
        }
    };
    print(&out);
    if results.iter().any(|c| c.errors() > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_explain(rule: Option<String>, markdown: bool) -> ExitCode {
    if markdown {
        return print(&explain::markdown());
    }
    if rule.as_deref() == Some("runners") {
        return print(litestream_guard::runner::GUIDE);
    }
    let Some(key) = rule else {
        eprintln!("litestream-guard: name a rule (e.g. `explain L007`), or pass --markdown; `litestream-guard rules` lists them");
        return ExitCode::from(2);
    };
    match rules::find(&key) {
        Some(r) => print(&explain::explain(r)),
        None => match rules::find_retired(&key) {
            Some(old) => print(&format!("{} {} was retired: {}\n", old.id, old.name, old.why)),
            None => {
                eprintln!("litestream-guard: no rule `{key}`; `litestream-guard rules` lists them");
                ExitCode::from(2)
            }
        },
    }
}

fn run_hook() -> ExitCode {
    let mut input = Vec::new();
    // Reading is bounded: a hook event is small, and a runaway producer must not stall Claude Code.
    let _ = std::io::stdin()
        .lock()
        .take(hook::MAX_EVENT_BYTES as u64 + 1)
        .read_to_end(&mut input);
    // A bug must not turn into a hook error on every tool call: a panic means "no opinion".
    std::panic::set_hook(Box::new(|_| {}));
    let answer = std::panic::catch_unwind(|| hook::answer(&input)).unwrap_or_else(|e| {
        let what = e
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        hook::Answer {
            stdout: None,
            stderr: Some(format!("internal error ({what}); no opinion, please report it")),
        }
    });
    if let Some(err) = &answer.stderr {
        // A panic message may quote the input it choked on.
        eprintln!("litestream-guard: {}", redact::Redactor::patterns().clean(err));
    }
    if let Some(out) = &answer.stdout {
        print(out);
    }
    // Whatever happened, exit 0: exit 2 would make Claude Code deny the tool call.
    ExitCode::SUCCESS
}

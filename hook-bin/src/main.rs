//! The `litestream-guard` command line. Library code returns typed errors; only this file turns
//! them into messages and exit codes.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use litestream_guard::version::Version;
use litestream_guard::{check, explain, hook, init, litestream, render, rules};

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
        /// A rule ID (e.g. L007) or name (e.g. invalid-duration).
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
}

fn main() -> ExitCode {
    // The hook path skips argument parsing: it runs on every edit and every Bash call.
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 2 && args[1] == "hook" {
        return run_hook();
    }
    let cli = Cli::parse();
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
    }
}

fn run_init(opts: init::Options, dry_run: bool) -> ExitCode {
    let plan = match init::plan(&opts) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("litestream-guard init: {e}");
            return ExitCode::from(2);
        }
    };
    if dry_run {
        // The diff alone on stdout, so that `init --dry-run > setup.patch` applies with `git apply`.
        print(&plan.diff());
        eprint!("{}", plan.summary(true));
        return ExitCode::SUCCESS;
    }
    if let Err(e) = plan.write() {
        eprintln!("litestream-guard init: {e}");
        return ExitCode::from(2);
    }
    print(&plan.summary(false))
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
    let Some(key) = rule else {
        eprintln!("litestream-guard: name a rule (e.g. `explain L007`), or pass --markdown; `litestream-guard rules` lists them");
        return ExitCode::from(2);
    };
    match rules::find(&key) {
        Some(r) => print(&explain::explain(r)),
        None => {
            eprintln!("litestream-guard: no rule `{key}`; `litestream-guard rules` lists them");
            ExitCode::from(2)
        }
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
        eprintln!("litestream-guard: {err}");
    }
    if let Some(out) = &answer.stdout {
        print(out);
    }
    // Whatever happened, exit 0: exit 2 would make Claude Code deny the tool call.
    ExitCode::SUCCESS
}

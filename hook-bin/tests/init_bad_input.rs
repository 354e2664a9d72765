//! Bad input to `init`: each case exits 2 with a message that names the problem, and leaves
//! every file of the app byte for byte as it was (no temporary file left behind either).

mod init_support;
mod support;

use std::fs;
use std::path::Path;

use init_support::*;

const OK: &[&str] = &["--provider", "hetzner", "--bucket", "fresh-backups"];

/// Runs init on a fresh example changed by `setup`, expects exit 2 with `needle` on stderr and
/// no file changed.
fn refuses(label: &str, setup: impl FnOnce(&Path), args: &[&str], needle: &str) {
    let tmp = example("fresh", &format!("bad-{label}"));
    let app = tmp.path();
    setup(app);
    let before = snapshot(app);
    let o = init(app, args);
    assert_eq!(
        o.code(),
        Some(2),
        "{label}: expected exit 2, got {:?}:\n{}",
        o.code(),
        o.combined()
    );
    assert!(
        o.stderr.contains(needle),
        "{label}: stderr lacks {needle:?}:\n{}",
        o.stderr
    );
    assert!(o.stdout.is_empty(), "{label}: printed to stdout:\n{}", o.stdout);
    assert!(snapshot(app) == before, "{label}: files changed");
    // The same with --dry-run.
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let o = init(app, &dry);
    assert_eq!(o.code(), Some(2), "{label} --dry-run: {}", o.combined());
    assert!(snapshot(app) == before, "{label} --dry-run: files changed");
}

fn write(app: &Path, rel: &str, text: &str) {
    fs::write(app.join(rel), text).unwrap();
}

fn edit(app: &Path, rel: &str, from: &str, to: &str) {
    let t = read(app, rel);
    assert!(t.contains(from), "{rel} lacks {from:?}");
    write(app, rel, &t.replace(from, to));
}

#[test]
fn missing_files() {
    refuses(
        "no-database-yml",
        |a| fs::remove_file(a.join("config/database.yml")).unwrap(),
        OK,
        "config/database.yml: not found",
    );
    refuses(
        "no-deploy-yml",
        |a| fs::remove_file(a.join("config/deploy.yml")).unwrap(),
        OK,
        "config/deploy.yml: not found",
    );
    let o = init(Path::new("/nonexistent/app"), OK);
    assert_eq!(o.code(), Some(2), "{}", o.combined());
    assert!(o.stderr.contains("not a directory"), "{}", o.stderr);
}

#[test]
fn database_yml_problems() {
    refuses(
        "no-production",
        |a| edit(a, "config/database.yml", "production:", "staging:"),
        OK,
        "no `production:` database",
    );
    refuses(
        "postgres",
        |a| {
            write(
                a,
                "config/database.yml",
                "production:\n  primary:\n    adapter: postgresql\n    database: app\n  cache:\n    adapter: sqlite3\n    database: storage/production_cache.sqlite3\n",
            )
        },
        OK,
        "production database `primary`: uses the adapter `postgresql`",
    );
    refuses(
        "erb-file-name",
        |a| {
            edit(
                a,
                "config/database.yml",
                "database: storage/production.sqlite3",
                "database: <%= ENV[\"DB_FILE\"] %>",
            )
        },
        OK,
        "is not a plain file name",
    );
    refuses(
        "outside-volume",
        |a| {
            edit(
                a,
                "config/database.yml",
                "storage/production_queue.sqlite3",
                "db/production_queue.sqlite3",
            )
        },
        OK,
        "no entry of the root `volumes:` holds /rails/db/production_queue.sqlite3",
    );
    refuses(
        "invalid-yaml",
        |a| write(a, "config/database.yml", "production:\n  primary: [unclosed\n"),
        OK,
        "config/database.yml: ",
    );
}

#[test]
fn unreadable_files() {
    refuses(
        "deploy-not-utf8",
        |a| fs::write(a.join("config/deploy.yml"), b"service: x\nimage: \xff\xfe\n").unwrap(),
        OK,
        "config/deploy.yml: 2:8: the file is not valid UTF-8",
    );
    refuses(
        "database-binary",
        |a| fs::write(a.join("config/database.yml"), b"SQLite format 3\0\0\0").unwrap(),
        OK,
        "config/database.yml: 1:16: the file contains a NUL byte",
    );
    refuses(
        "database-is-a-dir",
        |a| {
            fs::remove_file(a.join("config/database.yml")).unwrap();
            fs::create_dir(a.join("config/database.yml")).unwrap();
        },
        OK,
        "config/database.yml: not a regular file",
    );
    refuses(
        "secrets-not-utf8",
        |a| fs::write(a.join(".kamal/secrets"), b"A=\xff\n").unwrap(),
        OK,
        ".kamal/secrets",
    );
    // Permission bits only stop a non-root user.
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(true);
    if !root {
        use std::os::unix::fs::PermissionsExt;
        refuses(
            "deploy-mode-000",
            |a| fs::set_permissions(a.join("config/deploy.yml"), fs::Permissions::from_mode(0o000)).unwrap(),
            OK,
            "config/deploy.yml: 1:1: cannot read the file",
        );
    }
}

#[test]
fn deploy_yml_problems() {
    refuses(
        "no-volume",
        |a| {
            edit(
                a,
                "config/deploy.yml",
                "volumes:\n  - \"fresh_storage:/rails/storage\"\n",
                "",
            )
        },
        OK,
        "config/deploy.yml: no entry of the root `volumes:` holds /rails/storage/production.sqlite3",
    );
    refuses(
        "two-hosts",
        |a| {
            edit(
                a,
                "config/deploy.yml",
                "    hosts:\n      - 192.0.2.10\n",
                "    hosts:\n      - 192.0.2.11\n",
            )
        },
        OK,
        "the app runs on 2 hosts (192.0.2.10, 192.0.2.11)",
    );
    refuses(
        "no-servers",
        |a| {
            let t = read(a, "config/deploy.yml");
            let start = t.find("# Deploy to these servers.").unwrap();
            let end = t.find("proxy:").unwrap();
            write(a, "config/deploy.yml", &format!("{}{}", &t[..start], &t[end..]));
        },
        OK,
        "no `servers:`",
    );
    refuses(
        "accessories-alias",
        |a| {
            let t = read(a, "config/deploy.yml");
            write(
                a,
                "config/deploy.yml",
                &format!(
                    "x-accessories: &acc\n  redis:\n    image: redis:7\n    host: 192.0.2.10\n{t}accessories: *acc\n"
                ),
            )
        },
        OK,
        "Add this accessory by hand",
    );
    refuses(
        "accessories-flow",
        |a| {
            let t = read(a, "config/deploy.yml");
            write(
                a,
                "config/deploy.yml",
                &format!("{t}accessories: {{redis: {{image: redis, host: 192.0.2.10}}}}\n"),
            )
        },
        OK,
        "is not a plain block",
    );
    refuses(
        "accessory-with-extras",
        |a| {
            let t = read(a, "config/deploy.yml");
            write(
                a,
                "config/deploy.yml",
                &format!("{t}accessories:\n  litestream:\n    image: litestream/litestream:0.5.16\n    host: 192.0.2.10\n    cmd: replicate\n    options:\n      memory: 256m\n"),
            )
        },
        OK,
        "it sets `options:`, which init does not write",
    );
    refuses(
        "two-litestream-accessories",
        |a| {
            let t = read(a, "config/deploy.yml");
            write(
                a,
                "config/deploy.yml",
                &format!("{t}accessories:\n  litestream:\n    image: litestream/litestream:0.5.17\n  backup:\n    image: litestream/litestream:0.3.13\n"),
            )
        },
        OK,
        "2 accessories run Litestream",
    );
}

#[test]
fn bad_options() {
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut v = vec!["--bucket", "fresh-backups"];
        v.extend_from_slice(extra);
        v
    };
    for (label, args, needle) in [
        (
            "unknown-provider",
            with(&["--provider", "dropbox"]),
            "--provider: unknown provider `dropbox`",
        ),
        (
            "custom-no-endpoint",
            with(&["--provider", "custom"]),
            "--provider custom needs --endpoint",
        ),
        (
            "minio-no-endpoint",
            with(&["--provider", "minio"]),
            "--provider minio needs --endpoint",
        ),
        (
            "r2-no-endpoint",
            with(&["--provider", "r2"]),
            "Cloudflare R2 needs the account endpoint",
        ),
        (
            "r2-wrong-endpoint",
            with(&["--provider", "r2", "--endpoint", "https://s3.example.com"]),
            "is not an R2 endpoint",
        ),
        (
            "b2-no-region",
            with(&["--provider", "b2"]),
            "Backblaze B2 needs the bucket's region",
        ),
        (
            "aws-endpoint",
            with(&["--provider", "aws", "--endpoint", "https://s3.example.com"]),
            "AWS S3 takes no endpoint",
        ),
        (
            "hetzner-endpoint",
            with(&["--provider", "hetzner", "--endpoint", "https://x.example.com"]),
            "endpoints follow from --region",
        ),
        (
            "bad-endpoint",
            with(&["--provider", "custom", "--endpoint", "s3.example.com"]),
            "must start with https://",
        ),
        (
            "bad-region",
            with(&["--provider", "hetzner", "--region", "Falkenstein 1"]),
            "is not a region name",
        ),
        (
            "bad-line",
            with(&["--provider", "hetzner", "--litestream", "0.4"]),
            "--litestream: `0.4`",
        ),
        (
            "unpinned-patch",
            with(&["--provider", "hetzner", "--litestream", "0.5.16"]),
            "init pins 0.3.13 and 0.5.17",
        ),
        (
            "bad-prefix",
            with(&["--provider", "hetzner", "--path-prefix", "a/../b"]),
            "--path-prefix",
        ),
        (
            "bad-bucket",
            vec!["--provider", "hetzner", "--bucket", "My Bucket"],
            "--bucket: `My Bucket` is not a bucket name",
        ),
        ("no-bucket", vec!["--provider", "hetzner"], "--bucket"),
        ("no-provider", vec!["--bucket", "fresh-backups"], "--provider"),
    ] {
        refuses(label, |_| {}, &args, needle);
    }
}

#[test]
fn existing_files_init_did_not_write() {
    let tmp = example("fresh", "force");
    let app = tmp.path();
    write(
        app,
        "config/litestream.yml",
        "dbs:\n  - path: /rails/storage/production.sqlite3\n",
    );
    let before = snapshot(app);
    let o = init(app, OK);
    assert_eq!(o.code(), Some(2), "{}", o.combined());
    assert!(
        o.stderr
            .contains("config/litestream.yml exists and was not written by init"),
        "{}",
        o.stderr
    );
    assert!(snapshot(app) == before);
    // --dry-run shows what --force would write, says why the real run refuses, writes nothing.
    let mut dry = OK.to_vec();
    dry.push("--dry-run");
    let o = init(app, &dry);
    assert!(o.success(), "{}", o.combined());
    assert!(
        o.stdout
            .contains("--- a/config/litestream.yml\n+++ b/config/litestream.yml\n"),
        "{}",
        o.stdout
    );
    assert!(o.stderr.contains("init replaces it only with --force"), "{}", o.stderr);
    assert!(snapshot(app) == before);
    // --force replaces it.
    let o = init(app, &["--provider", "hetzner", "--bucket", "fresh-backups", "--force"]);
    assert!(o.success(), "{}", o.combined());
    assert!(o.stdout.contains("config/litestream.yml: rewritten"), "{}", o.stdout);
    assert_eq!(check(app).errors, 0);
}

/// init writes a Kamal accessory; it never adds one next to Litestream running another way.
#[test]
fn other_runners() {
    refuses(
        "gem-runner",
        |a| {
            write(
                a,
                "Gemfile",
                "source \"https://rubygems.org\"\ngem \"rails\"\ngem \"litestream\"\n",
            );
            fs::write(a.join("config/puma.rb"), "plugin :litestream\n").unwrap();
        },
        OK,
        "already runs Litestream through the litestream-ruby gem (Gemfile:3)",
    );
    refuses(
        "image-runner",
        |a| {
            write(
                a,
                "Dockerfile",
                "FROM ruby:3.3\nWORKDIR /rails\nCOPY --from=litestream/litestream:0.5.17 /usr/local/bin/litestream /usr/local/bin/\n",
            );
        },
        OK,
        "already runs Litestream through a Litestream binary in the app image (Dockerfile:3)",
    );
}

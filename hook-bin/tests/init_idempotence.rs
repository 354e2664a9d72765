//! `init` twice gives identical files; a rich deploy.yml (comments, ERB, anchors, merge keys,
//! other accessories) keeps every line in order; `--dry-run` writes nothing and prints a patch
//! that produces exactly what the real run writes; an existing plain accessory is updated in
//! place; CRLF files stay CRLF.

mod init_support;
mod support;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use init_support::*;
use support::real::run;

const ARGS: &[&str] = &["--provider", "hetzner", "--bucket", "fresh-backups"];

const RICH_DEPLOY: &str = r#"# Name of your application. Used to uniquely configure containers.
service: shop   # the container prefix
<% require "json" %>
image: <%= ENV.fetch("IMAGE", "acme/shop") %>

x-common-env: &common_env
  RAILS_LOG_LEVEL: info

servers:
  web:
    hosts:
      - 192.0.2.20: [primary]
    labels:
      app: shop
  job:
    hosts:
      - 192.0.2.20
    cmd: bin/jobs

env:
  clear:
    <<: *common_env
    SOLID_QUEUE_IN_PUMA: false
  secret:
    - RAILS_MASTER_KEY

# Persistent storage for SQLite and Active Storage.
volumes:
  - "shop_storage:/rails/storage"

# Use accessory services (secrets come from .kamal/secrets).
accessories:
  # The cache
  redis:
    image: valkey/valkey:8
    host: 192.0.2.20
    port: "127.0.0.1:6379:6379"
    directories:
      - data:/data

  db-admin:
    image: <%= ENV.fetch("ADMIN_IMAGE", "adminer:4") %>
    host: 192.0.2.20
    # env:
    #   clear:
    #     ADMINER_DEFAULT_SERVER: db

# Builder config
builder:
  arch: amd64
  args:
    RUBY_VERSION: <%= File.read(".ruby-version").strip %>
"#;

fn init_ok(app: &Path, args: &[&str]) -> String {
    let o = init(app, args);
    assert!(o.success(), "init {args:?}: {}", o.combined());
    o.stdout
}

#[test]
fn init_twice_gives_identical_files() {
    for line in ["0.5", "0.3"] {
        let tmp = example("fresh", &format!("twice-{line}"));
        let app = tmp.path();
        let mut args = ARGS.to_vec();
        args.extend(["--litestream", line]);
        init_ok(app, &args);
        let first = snapshot(app);
        let out = init_ok(app, &args);
        assert!(snapshot(app) == first, "second run changed files ({line})");
        assert!(out.contains("nothing to change"), "{out}");
        assert!(out.contains("config/deploy.yml: unchanged"), "{out}");
        // Without --litestream the existing accessory's line is kept.
        let out = init_ok(app, ARGS);
        assert!(
            snapshot(app) == first,
            "run without --litestream changed the line ({line}): {out}"
        );
        // And a dry run has nothing to show.
        let mut dry = args.clone();
        dry.push("--dry-run");
        let o = init(app, &dry);
        assert!(o.success() && o.stdout.is_empty(), "{}", o.combined());
        assert!(o.stderr.contains("dry run: nothing to change"), "{}", o.stderr);
    }
}

#[test]
fn rich_deploy_yml_keeps_every_line() {
    let tmp = example("fresh", "rich");
    let app = tmp.path();
    fs::write(app.join("config/deploy.yml"), RICH_DEPLOY).unwrap();
    fs::write(
        app.join("config/database.yml"),
        read(app, "config/database.yml").replace(
            "storage/production_cable.sqlite3",
            "storage/cable/production_cable.sqlite3",
        ),
    )
    .unwrap();
    init_ok(app, ARGS);
    let after = read(app, "config/deploy.yml");
    assert_lines_kept(RICH_DEPLOY, &after, "deploy.yml");
    // Only the accessory was added, at the end of the accessories block, indented like its siblings.
    let added: Vec<&str> = {
        let old: Vec<&str> = RICH_DEPLOY.lines().collect();
        let new: Vec<&str> = after.lines().collect();
        let pre = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
        let suf = old[pre..]
            .iter()
            .rev()
            .zip(new[pre..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        assert_eq!(pre + suf, old.len(), "the edit is one contiguous insertion");
        new[pre..new.len() - suf].to_vec()
    };
    assert_eq!(
        added.join("\n").trim_matches('\n'),
        "  # Continuous SQLite backups with Litestream (added by litestream-guard init).\n  litestream:\n    image: litestream/litestream:0.5.17\n    host: 192.0.2.20\n    cmd: replicate\n    files:\n      - config/litestream.yml:/etc/litestream.yml:ro\n    volumes:\n      - \"shop_storage:/rails/storage\"\n    env:\n      secret:\n        - LITESTREAM_ACCESS_KEY_ID\n        - LITESTREAM_SECRET_ACCESS_KEY"
    );
    assert!(
        after.contains("#     ADMINER_DEFAULT_SERVER: db\n\n  # Continuous"),
        "{after}"
    );
    let ls = read(app, "config/litestream.yml");
    assert!(
        ls.contains("  - path: /rails/storage/cable/production_cable.sqlite3\n"),
        "{ls}"
    );
    let c = check(app);
    assert_eq!(c.errors, 0, "{}", c.raw);
    // Idempotent here too.
    let snap = snapshot(app);
    init_ok(app, ARGS);
    assert!(snapshot(app) == snap);
}

#[test]
fn erb_hosts_use_roles() {
    let tmp = example("fresh", "erb-hosts");
    let app = tmp.path();
    let t = read(app, "config/deploy.yml").replace("192.0.2.10", "<%= ENV[\"WEB_HOST\"] %>");
    fs::write(app.join("config/deploy.yml"), &t).unwrap();
    init_ok(app, ARGS);
    let after = read(app, "config/deploy.yml");
    assert!(
        after.contains("    roles:\n      - web\n      - job\n    cmd: replicate\n"),
        "{after}"
    );
    assert_lines_kept(&t, &after, "deploy.yml");
    assert_eq!(check(app).errors, 0);
}

/// `--dry-run` on one copy, the real run on another prepared the same way; the printed patch,
/// applied with `git apply`, must give exactly the real run's files.
fn dry_patch_is_the_real_result(label: &str, prepare: impl Fn(&Path)) {
    let dry = example("fresh", &format!("dry-{label}"));
    let real = example("fresh", &format!("real-{label}"));
    prepare(dry.path());
    prepare(real.path());
    let before = snapshot(dry.path());
    let mut args = ARGS.to_vec();
    args.push("--dry-run");
    let o = init(dry.path(), &args);
    assert!(o.success(), "{}", o.combined());
    assert!(snapshot(dry.path()) == before, "--dry-run wrote something ({label})");
    for header in [
        "--- /dev/null\n+++ b/config/litestream.yml\n",
        "--- a/config/deploy.yml\n+++ b/config/deploy.yml\n",
        "--- a/.kamal/secrets\n+++ b/.kamal/secrets\n",
    ] {
        assert!(o.stdout.contains(header), "missing {header:?} in:\n{}", o.stdout);
    }
    assert!(o.stderr.contains("dry run: nothing was written"), "{}", o.stderr);

    init_ok(real.path(), ARGS);
    let patch = dry.join("init.patch");
    fs::write(&patch, &o.stdout).unwrap();
    let a = run(
        Command::new("git")
            .arg("apply")
            .arg("--verbose")
            .arg(&patch)
            .current_dir(dry.path()),
        Duration::from_secs(30),
    );
    assert!(a.success(), "git apply ({label}): {}", a.combined());
    fs::remove_file(&patch).unwrap();
    assert!(
        snapshot(dry.path()) == snapshot(real.path()),
        "the dry-run patch differs from the real run ({label})"
    );
}

#[test]
fn dry_run_writes_nothing_and_its_patch_is_the_real_result() {
    // A secrets file without a final newline, to cover that edge in the patch too.
    dry_patch_is_the_real_result("no-final-newline", |d| {
        let s = read(d, ".kamal/secrets");
        fs::write(d.join(".kamal/secrets"), s.trim_end()).unwrap();
    });
    dry_patch_is_the_real_result("crlf", |d| {
        for rel in ["config/deploy.yml", ".kamal/secrets"] {
            let t = read(d, rel).replace('\n', "\r\n");
            fs::write(d.join(rel), t).unwrap();
        }
    });
}

#[test]
fn plain_existing_accessory_is_updated_in_place() {
    let tmp = example("fresh", "update");
    let app = tmp.path();
    let old = format!(
        "{}accessories:\n  litestream:\n    image: litestream/litestream:0.5.16\n    host: 192.0.2.10\n    cmd: replicate\n    files:\n      - config/litestream.yml:/etc/litestream.yml\n    volumes:\n      - \"fresh_storage:/rails/storage:ro\"\n    env:\n      secret:\n        - LITESTREAM_SECRET_ACCESS_KEY\n",
        read(app, "config/deploy.yml")
    );
    fs::write(app.join("config/deploy.yml"), &old).unwrap();
    let out = init_ok(app, ARGS);
    assert!(
        out.contains("config/deploy.yml: updated the accessory `litestream`"),
        "{out}"
    );
    let new = read(app, "config/deploy.yml");
    let head = &old[..old.find("  litestream:").unwrap()];
    assert!(new.starts_with(head));
    assert!(new.ends_with("    volumes:\n      - \"fresh_storage:/rails/storage\"\n    env:\n      secret:\n        - LITESTREAM_ACCESS_KEY_ID\n        - LITESTREAM_SECRET_ACCESS_KEY\n"), "{new}");
    assert_eq!(new.matches("litestream:\n").count(), 1);
    let c = check(app);
    assert_eq!((c.errors, c.warnings), (0, 0), "{}", c.raw);
    let snap = snapshot(app);
    init_ok(app, ARGS);
    assert!(snapshot(app) == snap);
}

#[test]
fn crlf_files_stay_crlf() {
    let tmp = example("fresh", "crlf");
    let app = tmp.path();
    for rel in ["config/deploy.yml", ".kamal/secrets"] {
        let t = read(app, rel).replace('\n', "\r\n");
        fs::write(app.join(rel), t).unwrap();
    }
    init_ok(app, ARGS);
    for rel in ["config/deploy.yml", ".kamal/secrets"] {
        let t = read(app, rel);
        assert_eq!(
            t.matches('\n').count(),
            t.matches("\r\n").count(),
            "{rel} mixes line endings:\n{t:?}"
        );
    }
    assert_eq!(check(app).errors, 0);
    let snap = snapshot(app);
    init_ok(app, ARGS);
    assert!(snapshot(app) == snap);
}

#[test]
fn existing_secrets_are_left_alone() {
    let tmp = example("fresh", "secrets");
    let app = tmp.path();
    let s = format!(
        "{}SECRETS=$(kamal secrets fetch --adapter 1password --account acme --from Vault/Backups LITESTREAM_ACCESS_KEY_ID LITESTREAM_SECRET_ACCESS_KEY)\nLITESTREAM_ACCESS_KEY_ID=$(kamal secrets extract LITESTREAM_ACCESS_KEY_ID $SECRETS)\n",
        read(app, ".kamal/secrets")
    );
    fs::write(app.join(".kamal/secrets"), &s).unwrap();
    fs::write(
        app.join(".kamal/secrets.staging"),
        "RAILS_MASTER_KEY=$RAILS_MASTER_KEY\n",
    )
    .unwrap();
    init_ok(app, ARGS);
    let after = read(app, ".kamal/secrets");
    assert!(after.starts_with(&s), "{after}");
    assert!(
        after.ends_with("\nLITESTREAM_SECRET_ACCESS_KEY=$LITESTREAM_SECRET_ACCESS_KEY\n"),
        "{after}"
    );
    assert!(!after[s.len()..].contains("LITESTREAM_ACCESS_KEY_ID"), "{after}");
    let staging = read(app, ".kamal/secrets.staging");
    assert!(
        staging.starts_with("RAILS_MASTER_KEY=$RAILS_MASTER_KEY\n")
            && staging.contains("LITESTREAM_ACCESS_KEY_ID=$LITESTREAM_ACCESS_KEY_ID\n")
    );
    assert_eq!(check(app).errors, 0);
}

#[test]
fn creates_kamal_secrets_when_missing() {
    let tmp = example("fresh", "no-secrets");
    let app = tmp.path();
    fs::remove_dir_all(app.join(".kamal")).unwrap();
    let out = init_ok(app, ARGS);
    assert!(out.contains(".kamal/secrets: created with the references"), "{out}");
    let s = read(app, ".kamal/secrets");
    assert!(
        s.starts_with("# Litestream backups (added by litestream-guard init)"),
        "{s}"
    );
    assert_eq!(check(app).errors, 0);
}

/// When init cannot edit deploy.yml (here: `accessories:` is an alias), the user adds the block
/// it printed by hand, and the next run finds the accessory and writes the other two files.
#[test]
fn accessory_added_by_hand_then_init_writes_the_rest() {
    let tmp = example("fresh", "by-hand");
    let app = tmp.path();
    let base = read(app, "config/deploy.yml");
    let aliased =
        format!("x-accessories: &acc\n  redis:\n    image: redis:7\n    host: 192.0.2.10\n{base}accessories: *acc\n");
    fs::write(app.join("config/deploy.yml"), &aliased).unwrap();
    let o = init(app, ARGS);
    assert_eq!(o.code(), Some(2), "{}", o.combined());
    let snippet = o.stderr[o.stderr.find("accessories:\n  litestream:\n").expect("snippet")..].to_string();
    // The block goes into the anchored mapping, the place the alias reads from.
    let block: String = snippet.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let by_hand = aliased.replacen("    host: 192.0.2.10\n", &format!("    host: 192.0.2.10\n{block}"), 1);
    assert_ne!(by_hand, aliased);
    fs::write(app.join("config/deploy.yml"), &by_hand).unwrap();
    let out = init_ok(app, ARGS);
    assert!(out.contains("config/deploy.yml: unchanged"), "{out}");
    assert_eq!(read(app, "config/deploy.yml"), by_hand);
    assert!(app.join("config/litestream.yml").exists());
    let c = check(app);
    assert_eq!(c.errors, 0, "{}", c.raw);
}

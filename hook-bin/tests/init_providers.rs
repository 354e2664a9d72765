//! `init` on the example Rails 8 app for every provider and both Litestream lines: the result
//! passes `litestream-guard check` with no error and no warning, and holds what each provider
//! needs (endpoint, region, path style) and what every setup needs (one replica path per
//! database, `${VAR}` credentials, the pinned image, the storage volume read-write).

mod init_support;
mod support;

use init_support::*;

/// (provider, extra flags, endpoint written, region written)
const CASES: &[(&str, &[&str], Option<&str>, &str)] = &[
    ("hetzner", &[], Some("https://fsn1.your-objectstorage.com"), "fsn1"),
    (
        "hetzner",
        &["--region", "hel1"],
        Some("https://hel1.your-objectstorage.com"),
        "hel1",
    ),
    (
        "b2",
        &["--region", "us-west-004"],
        Some("https://s3.us-west-004.backblazeb2.com"),
        "us-west-004",
    ),
    ("digitalocean", &[], Some("https://nyc3.digitaloceanspaces.com"), "nyc3"),
    (
        "digitalocean",
        &["--region", "fra1"],
        Some("https://fra1.digitaloceanspaces.com"),
        "fra1",
    ),
    ("aws", &["--region", "eu-central-1"], None, "eu-central-1"),
    ("aws", &[], None, "us-east-1"),
    (
        "r2",
        &["--endpoint", "https://0123456789abcdef.r2.cloudflarestorage.com"],
        Some("https://0123456789abcdef.r2.cloudflarestorage.com"),
        "auto",
    ),
    (
        "minio",
        &["--endpoint", "http://10.0.0.5:9000"],
        Some("http://10.0.0.5:9000"),
        "us-east-1",
    ),
    (
        "custom",
        &["--endpoint", "https://s3.example.com", "--region", "eu-west-1"],
        Some("https://s3.example.com"),
        "eu-west-1",
    ),
];

const DBS: [(&str, &str); 4] = [
    ("/rails/storage/production.sqlite3", "production"),
    ("/rails/storage/production_cache.sqlite3", "production_cache"),
    ("/rails/storage/production_queue.sqlite3", "production_queue"),
    ("/rails/storage/production_cable.sqlite3", "production_cable"),
];

fn one(provider: &str, flags: &[&str], endpoint: Option<&str>, region: &str, line: &str) {
    let tmp = example("fresh", &format!("init-{provider}-{line}"));
    let app = tmp.path();
    let mut args = vec![
        "--provider",
        provider,
        "--bucket",
        "fresh-backups",
        "--litestream",
        line,
    ];
    args.extend_from_slice(flags);
    let o = init(app, &args);
    assert!(o.success(), "init {args:?}: {}", o.combined());

    let c = check(app);
    assert_eq!(
        (c.errors, c.warnings),
        (0, 0),
        "check after init {args:?} (line {line}):\n{}",
        c.raw
    );
    let image = if line == "0.3" { "0.3.13" } else { "0.5.17" };
    assert_eq!(c.json["litestream_version"][0]["version"], image, "{}", c.raw);

    let ls = read(app, "config/litestream.yml");
    for (path, stem) in DBS {
        assert!(ls.contains(&format!("  - path: {path}\n")), "{ls}");
        assert_eq!(
            ls.matches(&format!("      path: {stem}\n")).count(),
            1,
            "one replica path per db:\n{ls}"
        );
    }
    assert_eq!(ls.matches("access-key-id: ${LITESTREAM_ACCESS_KEY_ID}\n").count(), 4);
    assert_eq!(
        ls.matches("secret-access-key: ${LITESTREAM_SECRET_ACCESS_KEY}\n")
            .count(),
        4
    );
    assert_eq!(ls.matches(&format!("region: {region}\n")).count(), 4, "{ls}");
    assert_eq!(ls.matches("bucket: fresh-backups\n").count(), 4);
    match endpoint {
        Some(e) => {
            assert_eq!(ls.matches(&format!("endpoint: {e}\n")).count(), 4, "{ls}");
            assert_eq!(ls.matches("force-path-style: true\n").count(), 4, "{ls}");
        }
        None => assert!(!ls.contains("endpoint:") && !ls.contains("force-path-style"), "{ls}"),
    }
    if line == "0.5" {
        assert!(ls.contains("\nsnapshot:\n  interval: 1h\n  retention: 720h\n"), "{ls}");
        assert_eq!(ls.matches("    replica:\n").count(), 4);
        assert!(!ls.contains("replicas:") && !ls.contains("        retention:"));
    } else {
        assert!(!ls.contains("snapshot:\n") && !ls.contains("replica:\n"), "{ls}");
        assert_eq!(ls.matches("    replicas:\n").count(), 4);
        for (sync, snap, keep) in [("5s", "1h", "720h"), ("10s", "6h", "24h"), ("5s", "1h", "72h")] {
            assert!(
                ls.contains(&format!(
                    "sync-interval: {sync}\n        snapshot-interval: {snap}\n        retention: {keep}\n"
                )),
                "{ls}"
            );
        }
    }

    let deploy = read(app, "config/deploy.yml");
    assert!(
        deploy.contains(&format!(
            "accessories:\n  litestream:\n    image: litestream/litestream:{image}\n    host: 192.0.2.10\n    cmd: replicate\n    files:\n      - config/litestream.yml:/etc/litestream.yml:ro\n    volumes:\n      - \"fresh_storage:/rails/storage\"\n    env:\n      secret:\n        - LITESTREAM_ACCESS_KEY_ID\n        - LITESTREAM_SECRET_ACCESS_KEY\n"
        )),
        "{deploy}"
    );
    let secrets = read(app, ".kamal/secrets");
    assert!(secrets.ends_with(
        "\nLITESTREAM_ACCESS_KEY_ID=$LITESTREAM_ACCESS_KEY_ID\nLITESTREAM_SECRET_ACCESS_KEY=$LITESTREAM_SECRET_ACCESS_KEY\n"
    ));
}

#[test]
fn every_provider_on_both_lines_passes_check() {
    for (provider, flags, endpoint, region) in CASES {
        for line in ["0.5", "0.3"] {
            one(provider, flags, *endpoint, region, line);
        }
    }
}

#[test]
fn default_line_is_05_and_path_prefix_is_used() {
    let tmp = example("fresh", "init-prefix");
    let app = tmp.path();
    let o = init(
        app,
        &[
            "--provider",
            "hetzner",
            "--bucket",
            "fresh-backups",
            "--path-prefix",
            "/apps/fresh/",
        ],
    );
    assert!(o.success(), "{}", o.combined());
    let ls = read(app, "config/litestream.yml");
    assert!(ls.contains("Litestream 0.5 (litestream/litestream:0.5.17)"), "{ls}");
    for (_, stem) in DBS {
        assert!(ls.contains(&format!("      path: apps/fresh/{stem}\n")), "{ls}");
    }
    assert_eq!(check(app).errors, 0);
}

#[test]
fn policy_override_changes_the_generated_values() {
    let tmp = example("fresh", "init-policy");
    let app = tmp.path();
    std::fs::write(
        app.join("config/litestream-guard.yml"),
        "tiers:\n  primary:\n    sync-interval: 1s\n    retention: 2160h\n  cache:\n    snapshot-interval: 30m\n",
    )
    .unwrap();
    let o = init(
        app,
        &[
            "--provider",
            "aws",
            "--region",
            "eu-west-1",
            "--bucket",
            "fresh-backups",
        ],
    );
    assert!(o.success(), "{}", o.combined());
    let ls = read(app, "config/litestream.yml");
    assert!(ls.contains("snapshot:\n  interval: 30m\n  retention: 2160h\n"), "{ls}");
    assert!(ls.contains("path: production\n      region: eu-west-1\n      access-key-id: ${LITESTREAM_ACCESS_KEY_ID}\n      secret-access-key: ${LITESTREAM_SECRET_ACCESS_KEY}\n      sync-interval: 1s\n"), "{ls}");
    let c = check(app);
    assert_eq!((c.errors, c.warnings), (0, 0), "{}", c.raw);
}

#[test]
fn single_database_app() {
    let tmp = example("fresh", "init-single");
    let app = tmp.path();
    std::fs::write(
        app.join("config/database.yml"),
        "production:\n  adapter: sqlite3\n  database: storage/production.sqlite3\n",
    )
    .unwrap();
    let o = init(
        app,
        &[
            "--provider",
            "b2",
            "--region",
            "eu-central-003",
            "--bucket",
            "fresh-backups",
        ],
    );
    assert!(o.success(), "{}", o.combined());
    let ls = read(app, "config/litestream.yml");
    assert_eq!(ls.matches("  - path: ").count(), 1, "{ls}");
    let c = check(app);
    assert_eq!((c.errors, c.warnings), (0, 0), "{}", c.raw);
}

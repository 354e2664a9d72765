//! The S3 providers init knows: how each one's endpoint and region are written.

use super::error::InitError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Hetzner,
    B2,
    DigitalOcean,
    Aws,
    R2,
    Minio,
    Custom,
}

impl Provider {
    pub const ALL: [Provider; 7] = [
        Provider::Hetzner,
        Provider::B2,
        Provider::DigitalOcean,
        Provider::Aws,
        Provider::R2,
        Provider::Minio,
        Provider::Custom,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Provider::Hetzner => "hetzner",
            Provider::B2 => "b2",
            Provider::DigitalOcean => "digitalocean",
            Provider::Aws => "aws",
            Provider::R2 => "r2",
            Provider::Minio => "minio",
            Provider::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Result<Provider, InitError> {
        let lower = s.trim().to_ascii_lowercase();
        let alias = match lower.as_str() {
            "backblaze" => "b2",
            "do" | "spaces" => "digitalocean",
            "s3" => "aws",
            "cloudflare" => "r2",
            other => other,
        };
        Provider::ALL
            .into_iter()
            .find(|p| p.name() == alias)
            .ok_or_else(|| InitError::BadOption {
                option: "--provider",
                why: format!(
                    "unknown provider `{s}`; use one of {}",
                    Provider::ALL.map(Provider::name).join(", ")
                ),
            })
    }
}

/// Where the replicas go: the values written into every replica of litestream.yml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub provider: Provider,
    /// `None` for AWS (the SDK finds the endpoint from the region).
    pub endpoint: Option<String>,
    pub region: String,
    /// Things the user should know (assumed defaults, plain http, …).
    pub notes: Vec<String>,
}

impl Target {
    /// Every non-AWS endpoint is addressed path-style (`https://endpoint/bucket/key`).
    pub fn force_path_style(&self) -> bool {
        self.endpoint.is_some()
    }
}

fn bad(option: &'static str, why: impl Into<String>) -> InitError {
    InitError::BadOption {
        option,
        why: why.into(),
    }
}

/// A region name as providers spell them: `fsn1`, `us-west-004`, `eu-central-1`, `auto`.
fn check_region(r: &str) -> Result<(), InitError> {
    let ok = !r.is_empty()
        && r.len() <= 40
        && r.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !r.starts_with('-')
        && !r.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(bad(
            "--region",
            format!("`{r}` is not a region name (lowercase letters, digits and `-`, e.g. `fsn1` or `eu-central-1`)"),
        ))
    }
}

/// `http(s)://host[:port]` with nothing after it but an optional `/`. Returns it without the slash.
pub fn check_endpoint(e: &str) -> Result<String, InitError> {
    let e = e.trim().trim_end_matches('/');
    let rest = e
        .strip_prefix("https://")
        .or_else(|| e.strip_prefix("http://"))
        .ok_or_else(|| {
            bad(
                "--endpoint",
                format!("`{e}` must start with https:// (or http:// for a server on a private network)"),
            )
        })?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !host.starts_with(['.', '-'])
        && !host.contains("..");
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    if !host_ok || !port_ok {
        return Err(bad(
            "--endpoint",
            format!("`{e}` is not an endpoint URL of the form https://host[:port] (no path, no credentials)"),
        ));
    }
    Ok(e.to_string())
}

/// Works out endpoint and region from the provider and the flags.
pub fn resolve(provider: Provider, region: Option<&str>, endpoint: Option<&str>) -> Result<Target, InitError> {
    let mut notes = Vec::new();
    if let Some(r) = region {
        check_region(r)?;
    }
    let derived = |what: &str| -> Result<(), InitError> {
        if endpoint.is_some() {
            Err(bad(
                "--endpoint",
                format!(
                    "{} endpoints follow from --region ({what}); leave --endpoint out, or use --provider custom for another address",
                    provider.name()
                ),
            ))
        } else {
            Ok(())
        }
    };
    let (endpoint, region) = match provider {
        Provider::Hetzner => {
            derived("https://<region>.your-objectstorage.com")?;
            let r = region.unwrap_or("fsn1");
            if region.is_none() {
                notes
                    .push("region: assumed fsn1 (Falkenstein); pass --region nbg1 or hel1 for another location".into());
            }
            (Some(format!("https://{r}.your-objectstorage.com")), r.to_string())
        }
        Provider::B2 => {
            derived("https://s3.<region>.backblazeb2.com")?;
            let r = region.ok_or_else(|| {
                bad(
                    "--region",
                    "Backblaze B2 needs the bucket's region, e.g. --region us-west-004 (shown as the bucket's S3 endpoint in the B2 console)",
                )
            })?;
            (Some(format!("https://s3.{r}.backblazeb2.com")), r.to_string())
        }
        Provider::DigitalOcean => {
            derived("https://<region>.digitaloceanspaces.com")?;
            let r = region.unwrap_or("nyc3");
            if region.is_none() {
                notes.push("region: assumed nyc3; pass --region with the Space's region (e.g. fra1, ams3)".into());
            }
            (Some(format!("https://{r}.digitaloceanspaces.com")), r.to_string())
        }
        Provider::Aws => {
            if endpoint.is_some() {
                return Err(bad(
                    "--endpoint",
                    "AWS S3 takes no endpoint (Litestream finds it from the region); use --provider custom for another S3 service",
                ));
            }
            let r = region.unwrap_or("us-east-1");
            if region.is_none() {
                notes.push("region: assumed us-east-1; pass --region with the bucket's region, or requests are redirected and fail".into());
            }
            (None, r.to_string())
        }
        Provider::R2 => {
            let e = endpoint.ok_or_else(|| {
                bad(
                    "--endpoint",
                    "Cloudflare R2 needs the account endpoint: --endpoint https://<account-id>.r2.cloudflarestorage.com",
                )
            })?;
            let e = check_endpoint(e)?;
            let host = e.split("://").nth(1).unwrap_or("");
            if !e.starts_with("https://") || !host.ends_with(".r2.cloudflarestorage.com") {
                return Err(bad(
                    "--endpoint",
                    format!("`{e}` is not an R2 endpoint; it looks like https://<account-id>.r2.cloudflarestorage.com"),
                ));
            }
            if region.is_some_and(|r| r != "auto") {
                return Err(bad(
                    "--region",
                    "Cloudflare R2 uses the region `auto`; leave --region out",
                ));
            }
            (Some(e), "auto".to_string())
        }
        Provider::Minio | Provider::Custom => {
            let e = endpoint.ok_or_else(|| {
                bad(
                    "--endpoint",
                    format!(
                        "--provider {} needs --endpoint, the server's URL (e.g. https://s3.example.com or http://10.0.0.5:9000)",
                        provider.name()
                    ),
                )
            })?;
            let e = check_endpoint(e)?;
            if e.starts_with("http://") && !is_private_http(&e) {
                notes.push(format!(
                    "endpoint {e} is plain http: keys and data cross the network unencrypted; use https unless the server is on a private network"
                ));
            }
            let r = region.unwrap_or("us-east-1");
            (Some(e), r.to_string())
        }
    };
    Ok(Target {
        provider,
        endpoint,
        region,
        notes,
    })
}

fn is_private_http(e: &str) -> bool {
    let host = e.trim_start_matches("http://").split(':').next().unwrap_or("");
    host == "localhost"
        || host.starts_with("127.")
        || host.starts_with("10.")
        || host.starts_with("192.168.")
        || (host.starts_with("172.")
            && host
                .split('.')
                .nth(1)
                .and_then(|o| o.parse::<u8>().ok())
                .is_some_and(|o| (16..=31).contains(&o)))
}

/// A bucket name the provider accepts and YAML reads as text: S3's rules (3-63 lowercase
/// letters, digits, `-`, `.`). Backblaze B2 and self-hosted servers also allow capitals.
pub fn check_bucket(b: &str, provider: Provider) -> Result<(), InitError> {
    let caps = matches!(provider, Provider::B2 | Provider::Minio | Provider::Custom);
    let ok = (3..=63).contains(&b.len())
        && b.bytes().all(|c| {
            c.is_ascii_lowercase() || (caps && c.is_ascii_uppercase()) || c.is_ascii_digit() || c == b'-' || c == b'.'
        })
        && b.as_bytes()[0].is_ascii_alphanumeric()
        && b.as_bytes()[b.len() - 1].is_ascii_alphanumeric()
        && !b.contains("..");
    if ok {
        Ok(())
    } else {
        Err(bad(
            "--bucket",
            format!(
                "`{b}` is not a bucket name (3-63 {}letters, digits, `-` and `.`, starting and ending with a letter or digit)",
                if caps { "" } else { "lowercase " }
            ),
        ))
    }
}

/// The optional prefix in front of every replica path: `a/b`, no `..`, no leading or trailing `/`.
pub fn check_prefix(p: &str) -> Result<String, InitError> {
    let p = p.trim().trim_matches('/');
    let ok = !p.is_empty()
        && p.len() <= 200
        && p.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        });
    if ok {
        Ok(p.to_string())
    } else {
        Err(bad(
            "--path-prefix",
            format!("`{p}` is not a path prefix (segments of letters, digits, `-`, `_`, `.`, separated by `/`)"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_per_provider() {
        let t = resolve(Provider::Hetzner, None, None).unwrap();
        assert_eq!(t.endpoint.as_deref(), Some("https://fsn1.your-objectstorage.com"));
        assert_eq!(t.region, "fsn1");
        let t = resolve(Provider::B2, Some("us-west-004"), None).unwrap();
        assert_eq!(t.endpoint.as_deref(), Some("https://s3.us-west-004.backblazeb2.com"));
        assert!(resolve(Provider::B2, None, None).is_err());
        let t = resolve(Provider::DigitalOcean, None, None).unwrap();
        assert_eq!(t.endpoint.as_deref(), Some("https://nyc3.digitaloceanspaces.com"));
        let t = resolve(Provider::Aws, Some("eu-central-1"), None).unwrap();
        assert_eq!((t.endpoint, t.region.as_str()), (None, "eu-central-1"));
        assert!(resolve(Provider::Aws, None, Some("https://x.example.com")).is_err());
        let t = resolve(Provider::R2, None, Some("https://abc123.r2.cloudflarestorage.com/")).unwrap();
        assert_eq!(t.endpoint.as_deref(), Some("https://abc123.r2.cloudflarestorage.com"));
        assert_eq!(t.region, "auto");
        assert!(resolve(Provider::R2, None, None).is_err());
        assert!(resolve(Provider::R2, None, Some("https://example.com")).is_err());
        assert!(resolve(Provider::Custom, None, None).is_err());
        let t = resolve(Provider::Minio, None, Some("http://127.0.0.1:9000")).unwrap();
        assert!(t.notes.is_empty() && t.force_path_style());
        let t = resolve(Provider::Custom, None, Some("http://s3.example.com")).unwrap();
        assert_eq!(t.notes.len(), 1);
        assert!(resolve(Provider::Custom, None, Some("ftp://x")).is_err());
        assert!(resolve(Provider::Custom, None, Some("https://u:p@x")).is_err());
        assert!(resolve(Provider::Custom, None, Some("https://x/path")).is_err());
        assert!(resolve(Provider::Hetzner, Some("FSN1"), None).is_err());
    }

    #[test]
    fn names() {
        assert_eq!(Provider::parse("Backblaze").unwrap(), Provider::B2);
        assert!(Provider::parse("dropbox")
            .unwrap_err()
            .to_string()
            .contains("hetzner, b2"));
        assert!(check_bucket("my-app.backups", Provider::Aws).is_ok());
        assert!(check_bucket("MyApp-Backups", Provider::B2).is_ok());
        assert!(check_bucket("MyApp-Backups", Provider::Hetzner).is_err());
        for b in ["ab", "My-App", "-x-", "a..b", "a b c", "x$y"] {
            assert!(check_bucket(b, Provider::Aws).is_err(), "{b}");
        }
        assert_eq!(check_prefix("/apps/shop/").unwrap(), "apps/shop");
        for p in ["a/../b", "a//b", "${X}", "a b"] {
            assert!(check_prefix(p).is_err(), "{p}");
        }
    }
}

//! What a failed Litestream command means, read from its error text. The patterns are the
//! messages 0.3.13 and 0.5.17 print (AWS SDK v1 and v2 wording), seen in runs against S3 on
//! loopback; anything else is reported as it is, scrubbed.

/// Why a command failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The storage refused the credentials (403, bad signature, unknown key).
    Credentials(String),
    /// No credentials were found at all.
    NoCredentials(String),
    /// The endpoint could not be reached (refused, no such host, TLS, timeout).
    Unreachable(String),
    /// `AWS_CA_BUNDLE` with a plain-http endpoint: 0.5 refuses to start the client.
    CaBundle,
    /// The bucket does not exist.
    NoBucket(String),
    /// Nothing to restore at the replica path.
    NothingThere,
    /// An object is damaged (decompression, checksum, decode errors).
    Corrupt(String),
    /// The config itself was refused (Litestream says why).
    Config(String),
    /// The disk of the temporary folder is full.
    NoSpace(String),
    Other(String),
}

impl Problem {
    /// Problems that every database on the same storage and credentials would hit as well.
    pub fn shared(&self) -> bool {
        matches!(
            self,
            Problem::Credentials(_)
                | Problem::NoCredentials(_)
                | Problem::Unreachable(_)
                | Problem::CaBundle
                | Problem::NoBucket(_)
                | Problem::Config(_)
        )
    }
}

/// `Get "http://…": dial tcp …` → `dial tcp …`: the URL repeats the bucket and path.
fn drop_request_urls(s: &str) -> String {
    let mut out = s.to_string();
    for m in ["Get \"", "Put \"", "Head \"", "Post \"", "Delete \""] {
        while let Some(i) = out.find(m) {
            match out[i + m.len()..].find("\": ") {
                Some(j) => out.replace_range(i..i + m.len() + j + 3, ""),
                None => break,
            }
        }
    }
    out
}

/// At most `max` characters, with `…` when cut.
pub fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

fn any(hay: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| hay.contains(n))
}

/// The most telling line of Litestream's error output: the last `error=` value or `Error:` line.
pub fn headline(text: &str) -> String {
    let mut best = "";
    for l in text.lines() {
        let l = l.trim();
        if let Some(rest) = l.strip_prefix("Error: ") {
            best = rest;
        } else if let Some(i) = l.find(" error=") {
            if l.contains("level=ERROR") {
                best = &l[i + 7..];
            }
        }
    }
    if best.is_empty() {
        best = text.lines().rev().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    }
    let best = best.trim().trim_matches('"');
    // SDK errors carry request IDs, status lines and help lines; none of them helps a person.
    let segments: Vec<&str> = best
        .split("\\n")
        .flat_map(|s| s.split('\n'))
        .map(str::trim)
        .filter(|s| {
            !s.is_empty() && !s.starts_with("\\t") && !s.starts_with("status code:") && !s.starts_with("For verbose")
        })
        .map(|s| s.strip_prefix("caused by: ").unwrap_or(s))
        .collect();
    let joined = drop_request_urls(&segments.join(": ").replace("\\\"", "\""));
    let first = joined.as_str();
    let first = match first.find(", RequestID:") {
        Some(i) => {
            let tail = &first[i..];
            let keep = tail.find("api error ").map_or("", |j| &tail[j..]);
            format!("{}{}{}", &first[..i], if keep.is_empty() { "" } else { ", " }, keep)
        }
        None => first.to_string(),
    };
    let first = match first.find(", request id:") {
        Some(i) => first[..i].to_string(),
        None => first,
    };
    short(&first, 300)
}

pub fn classify(text: &str) -> Problem {
    let h = headline(text);
    if any(text, &["unable to add custom RootCAs"]) {
        return Problem::CaBundle;
    }
    if any(
        text,
        &[
            "SignatureDoesNotMatch",
            "InvalidAccessKeyId",
            "AccessDenied",
            "InvalidToken",
            "ExpiredToken",
            "AuthorizationHeaderMalformed",
            "StatusCode: 403",
            "status code: 403",
        ],
    ) {
        return Problem::Credentials(h);
    }
    if any(
        text,
        &[
            "NoCredentialProviders",
            "failed to refresh cached credentials",
            "no EC2 IMDS role found",
            "get credentials",
            "static credentials are empty",
        ],
    ) {
        return Problem::NoCredentials(h);
    }
    if any(text, &["NoSuchBucket", "bucket does not exist"]) {
        return Problem::NoBucket(h);
    }
    if any(text, &["no space left on device"]) {
        return Problem::NoSpace(h);
    }
    if any(
        text,
        &[
            "connection refused",
            "no such host",
            "i/o timeout",
            "dial tcp",
            "TLS handshake",
            "x509:",
            "certificate",
            "network is unreachable",
            "connection reset",
            "context deadline exceeded",
            "exceeded maximum number of attempts",
            "send request failed",
        ],
    ) {
        return Problem::Unreachable(h);
    }
    if any(
        text,
        &[
            "no matching backups found",
            "no matching backup files available",
            "no snapshots available",
            "no backup files available",
            "no generation",
        ],
    ) {
        return Problem::NothingThere;
    }
    if any(
        text,
        &[
            "lz4:",
            "checksum",
            "decode",
            "invalid ltx",
            "unexpected EOF",
            "cannot download wal",
            "cannot restore snapshot",
            "malformed",
            "file is not a database",
            "invalid page",
        ],
    ) {
        return Problem::Corrupt(h);
    }
    if any(
        text,
        &[
            "required for",
            "cannot unmarshal",
            "yaml:",
            "unknown replica type",
            "cannot specify",
            "must specify",
            "database not found in config",
            "no longer supported",
            "not currently supported",
        ],
    ) {
        return Problem::Config(h);
    }
    Problem::Other(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Each text is what the binaries printed in the runs described in the module comment.
    #[test]
    fn real_messages() {
        let v03_sig = "time=2026-12-01T22:02:01.187Z level=ERROR msg=\"failed to run\" error=\"cannot fetch generations: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method.\\n\\tstatus code: 403, request id: YLLa6, host id: \"";
        assert!(matches!(classify(v03_sig), Problem::Credentials(_)));
        assert_eq!(
            headline(v03_sig),
            "cannot fetch generations: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method."
        );
        let v05_key = "Error: operation error S3: ListObjectsV2, https response error StatusCode: 403, RequestID: IQEp, HostID: 9Gjj=, api error InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.";
        assert!(matches!(classify(v05_key), Problem::Credentials(_)));
        assert_eq!(
            headline(v05_key),
            "operation error S3: ListObjectsV2, https response error StatusCode: 403, api error InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records."
        );
        let none = "Error: operation error S3: ListObjectsV2, get identity: get credentials: failed to refresh cached credentials, no EC2 IMDS role found";
        assert!(matches!(classify(none), Problem::NoCredentials(_)));
        assert_eq!(
            headline("time=x level=ERROR msg=\"cannot determine snapshots\" error=\"cannot fetch generations: RequestError: send request failed\\ncaused by: Get \\\"http://127.0.0.1:9/b?prefix=a\\\": dial tcp 127.0.0.1:9: connect: connection refused\""),
            "cannot fetch generations: RequestError: send request failed: dial tcp 127.0.0.1:9: connect: connection refused"
        );
        let refused = "Error: operation error S3: ListObjectsV2, exceeded maximum number of attempts, 10, https response error StatusCode: 0, RequestID: , HostID: , request send failed, Get \"http://127.0.0.1:9/b\": dial tcp 127.0.0.1:9: connect: connection refused";
        assert!(matches!(classify(refused), Problem::Unreachable(_)));
        assert_eq!(
            classify("time=x level=ERROR msg=\"failed to run\" error=\"no matching backups found\""),
            Problem::NothingThere
        );
        assert_eq!(
            classify("Error: no matching backup files available"),
            Problem::NothingThere
        );
        let lz4 = "Error: decode database: decode page 3: read page header 3: decompress block: lz4: invalid source or destination buffer too short";
        assert!(matches!(classify(lz4), Problem::Corrupt(_)));
        assert!(matches!(
            classify("time=x level=ERROR msg=\"failed to run\" error=\"cannot download wal 01739c9b/00000000: lz4: invalid source\""),
            Problem::Corrupt(_)
        ));
        assert!(matches!(
            classify("Error: cannot open store: initialize replica client: s3: cannot load aws config: unable to add custom RootCAs HTTPClient, has no WithTransportOptions, *http.Client"),
            Problem::CaBundle
        ));
        assert!(matches!(
            classify("time=x level=ERROR msg=\"failed to run\" error=\"bucket required for s3 replica\""),
            Problem::Config(_)
        ));
    }
}

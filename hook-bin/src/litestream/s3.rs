//! What Litestream's S3 client makes of endpoints and URL hosts (s3/replica_client.go at v0.3.13
//! and v0.5.16; the rules that use this say why).

use crate::version::Line;

/// The host of an endpoint or URL, without scheme, port or path.
pub fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let hostport = rest.split(['/', '?']).next().unwrap_or("");
    hostport
        .rsplit_once(':')
        .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
        .map_or(hostport, |(h, _)| h)
}

pub fn is_aws(endpoint: &str) -> bool {
    let h = host(endpoint);
    h.ends_with(".amazonaws.com") || h == "amazonaws.com"
}

/// Splits `s3://bucket[.host]/path` into the host part and the path.
pub fn url_parts(url: &str) -> Option<(&str, &str)> {
    let rest = url.split_once("://")?.1;
    let rest = rest.split('?').next().unwrap_or(rest);
    Some(match rest.split_once('/') {
        Some((h, p)) => (h, p),
        None => (rest, ""),
    })
}

/// Whether `s3.ParseHost` recognises a URL host with dots as a provider (rather than taking the
/// whole host for an AWS bucket name).
pub fn url_host_recognised(urlhost: &str, line: Line) -> bool {
    if !urlhost.contains('.') {
        return true; // a plain AWS bucket name
    }
    let h = urlhost.rsplit_once(':').map_or(urlhost, |(h, _)| h);
    if urlhost.contains(':') && line == Line::V05 {
        return true; // host:port is read as MinIO
    }
    let common = h.ends_with(".backblazeb2.com")
        || h.ends_with("s3.filebase.com")
        || h.ends_with(".digitaloceanspaces.com")
        || h.ends_with(".scw.cloud");
    match line {
        Line::V03 => common || h.ends_with(".localhost") || h.ends_with(".linodeobjects.com"),
        Line::V05 => common,
    }
}

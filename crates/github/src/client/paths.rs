//! URL paths and query strings, percent-encoded.

use crate::types::RepoRef;

/// `/repos/{owner}/{repo}` with both parts percent-encoded.
pub(super) fn repo_path(repo: &RepoRef) -> String {
    format!("/repos/{}/{}", enc(&repo.owner), enc(&repo.repo))
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(super) fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(super) fn query(pairs: &[(&str, Option<&str>)]) -> String {
    pairs
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={}", enc(v))))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encodes_values() {
        assert_eq!(
            query(&[
                ("created", Some(">=2024-01-01")),
                ("x", None),
                ("q", Some("a b&c"))
            ]),
            "created=%3E%3D2024-01-01&q=a%20b%26c"
        );
    }
}

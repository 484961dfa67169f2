//! Does a value look like a random secret, or like the words, names,
//! numbers, paths and placeholders CI logs assign to `*_TOKEN` all day?

/// Shannon entropy of the bytes of `s`, in bits per byte.
pub(crate) fn shannon(s: &str) -> f64 {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Character classes present in a value.
#[derive(Default, Clone, Copy)]
pub(crate) struct Classes {
    pub lower: usize,
    pub upper: usize,
    pub digit: usize,
    pub other: usize,
}

pub(crate) fn classes(s: &str) -> Classes {
    let mut c = Classes::default();
    for b in s.bytes() {
        match b {
            b'a'..=b'z' => c.lower += 1,
            b'A'..=b'Z' => c.upper += 1,
            b'0'..=b'9' => c.digit += 1,
            _ => c.other += 1,
        }
    }
    c
}

/// A reference to a secret rather than a secret: `$TOKEN`, `${{ secrets.X }}`,
/// `%s`, `<token>`, `[secure]`, `***` (GitHub's own mask), `{REDACTED:…}`
/// (ours), `XXXX-XXXX`.
pub(crate) fn is_placeholder(v: &str) -> bool {
    let Some(first) = v.chars().next() else {
        return true;
    };
    if matches!(
        first,
        '$' | '%' | '<' | '{' | '(' | '[' | '*' | '#' | '&' | '@' | '!' | '?' | '\\' | '='
    ) {
        return true;
    }
    if v.contains("***") || v.contains(crate::kind::PLACEHOLDER_OPEN) {
        return true;
    }
    // One repeated character apart from separators: xxxxxxxx, XXXX-XXXX, 00000000.
    let mut letters = v.bytes().filter(|b| b.is_ascii_alphanumeric());
    match letters.next() {
        None => true,
        Some(c0) => letters.all(|c| c.eq_ignore_ascii_case(&c0)),
    }
}

/// Letters only, in words: `generatePomFileForMavenPublication`,
/// `withAuthorizationPrefix`, `Optional`. Random letters are about half
/// upper case; camelCase words have a capital every few letters.
pub(crate) fn is_camel_words(v: &str) -> bool {
    let c = classes(v);
    if c.digit > 0 || c.other > 0 {
        return false;
    }
    let letters = (c.lower + c.upper) as f64;
    let upper = c.upper as f64 / letters;
    v.len() < 16 || !(0.25..=0.75).contains(&upper)
}

/// `secrets.GITHUB_TOKEN`, `os.environ`, `self.tls_key`, `frames.nextToken`.
fn is_dotted_identifier(v: &str) -> bool {
    v.contains('.')
        && v.split('.').all(|part| {
            let mut b = part.bytes();
            matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
                && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        })
}

fn is_path(v: &str) -> bool {
    let b = v.as_bytes();
    v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with("~/")
        || (b.len() > 2
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'\\' | b'/'))
}

/// A value assigned to a secret-looking name is redacted when it looks
/// random: long enough, mixed character classes, high entropy, and none of
/// the shapes CI logs are full of (words, `UPPER_NAMES`, numbers, versions,
/// paths, URLs, code, placeholders).
pub(crate) fn looks_random(v: &str) -> bool {
    if v.find('=')
        .is_some_and(|i| v[i..].bytes().any(|b| b != b'='))
    {
        // `id=GITHUB_TOKEN,src=…`, `A.getState=A.saveState`: `=` inside a
        // value is another assignment; base64 only pads with it at the end.
        return false;
    }
    // Judge the value without its padding: `A.getState=` is code.
    let v = v.trim_end_matches('=');
    let n = v.len();
    if !(8..=1024).contains(&n) || is_placeholder(v) || is_path(v) || is_dotted_identifier(v) {
        return false;
    }
    if v.contains("://") || v.contains(['(', ')', '[', ']', '<', '>', '{', '}']) {
        return false;
    }
    let c = classes(v);
    let letters = c.lower + c.upper;
    if letters == 0 {
        // numbers, dates, versions, IP addresses
        return false;
    }
    if c.digit == 0 && (c.upper == 0 || c.lower == 0) {
        // words and names: `turbogha`, `dep-cache`, `GITHUB_TOKEN`, `Optional`
        return false;
    }
    if is_camel_words(v) {
        return false;
    }
    if v.contains('/') && c.upper == 0 && c.digit == 0 {
        // `.github/workflows/x.yml:job`
        return false;
    }
    let h = shannon(v);
    if n < 16 {
        h >= 2.8
    } else {
        h >= 3.2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_values_are_recognised() {
        for v in [
            "56731c25-9b1f-4340-8b58-35739bfbc52d",
            "16edc0b78343268fd3e3f3df777dc225405b2477",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "Zq3vT9pLm2Xc",
            "s3cr3tP4ss!",
            "dGhpcyBpcyBhIHNlY3JldCB2YWx1ZQ==",
            "QwErTyUiOpAsDfGhJkLz",
        ] {
            assert!(looks_random(v), "{v}");
        }
    }

    #[test]
    fn ci_log_values_are_not_secrets() {
        for v in [
            "XXXXX-XXXXX-XXXXX-XXXXX",
            "turbogha",
            "GITHUB_TOKEN",
            "testpassword",
            "frames.nextToken",
            "secrets.GITHUB_TOKEN",
            "/home/agent/engflow.key",
            "engflow-mesolite-key",
            ".github/workflows/codeql.yml:analyze-cpp",
            "Optional[str]",
            "[secure]",
            "${{ secrets.NPM_TOKEN }}",
            "$PUBLIC_GITHUB_TOKEN",
            "***",
            "{REDACTED:jwt}",
            "1234567890",
            "2024-01-02T03:04:05Z",
            "https://github.com/certbot/certbot/pull/",
            "MyPassword",
            "00000000",
            "generatePomFileForMavenPublication",
            "id=GITHUB_TOKEN",
            "A.getState=A.saveState=A.group",
            "A.exportVariable=",
        ] {
            assert!(!looks_random(v), "{v}");
        }
    }

    #[test]
    fn entropy_is_bits_per_byte() {
        assert_eq!(shannon(""), 0.0);
        assert_eq!(shannon("aaaa"), 0.0);
        assert!((shannon("abcd") - 2.0).abs() < 1e-9);
    }
}

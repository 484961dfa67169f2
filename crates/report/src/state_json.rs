//! JSON that is safe to store inside an HTML comment.
//!
//! The old tracker stored raw JSON between `<!-- …:` and `-->`; an error
//! message containing `-->` ended the comment early and the whole history was
//! lost (seed spec §7.3.5). Here `<`, `>` and `&` are written as `\u003c`,
//! `\u003e`, `\u0026` — still valid JSON that any parser decodes back to the
//! same string, but the text can no longer contain `-->`, `<!--` or any tag.
//! Line separators are escaped too, so the payload is always one line.

use serde::{de::DeserializeOwned, Serialize};

/// Serialize `value` as compact, comment-safe, single-line JSON.
pub fn to_string<T: Serialize>(value: &T) -> String {
    let raw = serde_json::to_string(value).expect("serializing plain data cannot fail");
    let mut out = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// [`to_string`], also escaping `@` and `#` (`\u0040`, `\u0023`): for a
/// payload whose strings are text from logs or a model (the LLM memory's
/// cached answers), so even shown as text it mentions no one and links no
/// issue. Both only ever occur inside JSON strings, so this stays valid
/// JSON that decodes to the same value.
pub fn to_opaque_string<T: Serialize>(value: &T) -> String {
    to_string(value).replace('@', "\\u0040").replace('#', "\\u0023")
}

/// Parse JSON written by [`to_string`] (or any plain JSON).
pub fn from_str<T: DeserializeOwned>(s: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hostile_strings_round_trip_without_comment_syntax() {
        let v = vec!["--> <!-- </details> & \u{2028}", "\n\"quoted\""];
        let s = super::to_string(&v);
        assert!(!s.contains("-->") && !s.contains('<') && !s.contains('>') && !s.contains('\n'));
        let back: Vec<String> = super::from_str(&s).unwrap();
        assert_eq!(back, v);
        let o = super::to_opaque_string(&v);
        assert!(!o.contains('@') && !o.contains('#'));
        assert_eq!(super::from_str::<Vec<String>>(&super::to_opaque_string(&vec!["@a #1"])).unwrap(), vec!["@a #1"]);
    }
}

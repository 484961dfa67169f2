//! Workflow commands (`::name props::message` lines on stdout).
//!
//! Escaping follows the runner (`ActionCommand.cs`): in the message `%`,
//! `\r`, `\n` become `%25`, `%0D`, `%0A`; in property values also `:` and
//! `,` become `%3A`, `%2C`. After escaping a value can contain no line break,
//! so no text (a log line, a PR title) can start a command of its own.
//!
//! `format_*`/builder functions return the line; [`issue`] prints it.

use std::io::Write;

/// Escapes a command message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Location and title of an annotation. Empty fields are omitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotation {
    /// Heading of the annotation.
    pub title: Option<String>,
    /// File it points at (repository-relative).
    pub file: Option<String>,
    /// First line (1-based).
    pub line: Option<u32>,
    /// Last line.
    pub end_line: Option<u32>,
    /// First column.
    pub col: Option<u32>,
    /// Last column.
    pub end_column: Option<u32>,
}

impl Annotation {
    /// An annotation on `file`.
    pub fn file(file: impl Into<String>) -> Self {
        Annotation {
            file: Some(file.into()),
            ..Self::default()
        }
    }

    /// ... at `line`.
    pub fn at_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    /// ... with a heading.
    pub fn titled(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    fn properties(&self) -> Vec<(&'static str, String)> {
        let num = |n: Option<u32>| n.map(|n| n.to_string());
        [
            ("title", self.title.clone()),
            ("file", self.file.clone()),
            ("line", num(self.line)),
            ("endLine", num(self.end_line)),
            ("col", num(self.col)),
            ("endColumn", num(self.end_column)),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect()
    }
}

/// `::{name} k=v,k=v::{message}` with escaping.
pub fn command(name: &str, properties: &[(&str, String)], message: &str) -> String {
    let mut line = format!("::{name}");
    if !properties.is_empty() {
        line.push(' ');
        let props: Vec<String> = properties
            .iter()
            .map(|(k, v)| format!("{k}={}", escape_property(v)))
            .collect();
        line.push_str(&props.join(","));
    }
    line.push_str("::");
    line.push_str(&escape_data(message));
    line
}

/// `::error ...::message`: a red annotation.
pub fn error(message: &str, at: &Annotation) -> String {
    command("error", &at.properties(), message)
}

/// `::warning ...::message`: a yellow annotation.
pub fn warning(message: &str, at: &Annotation) -> String {
    command("warning", &at.properties(), message)
}

/// `::notice ...::message`: a grey annotation.
pub fn notice(message: &str, at: &Annotation) -> String {
    command("notice", &at.properties(), message)
}

/// `::debug::message`: shown only with step debug logging on.
pub fn debug(message: &str) -> String {
    command("debug", &[], message)
}

/// `::group::title`: folds the following lines in the log until [`endgroup`].
pub fn group(title: &str) -> String {
    command("group", &[], title)
}

/// `::endgroup::`.
pub fn endgroup() -> String {
    command("endgroup", &[], "")
}

/// `::add-mask::value`: the runner replaces `value` with `***` in every later log line.
pub fn add_mask(value: &str) -> String {
    command("add-mask", &[], value)
}

/// Shortest line (non-blank chars) of a multi-line secret that is masked on
/// its own: masking `}` or `==` would blank that text in every log line.
pub const MIN_MASKED_LINE: usize = 4;

/// The `add-mask` commands for a secret: the whole value, and each line of a
/// multi-line value (the runner masks line by line, so a PEM key printed
/// over several lines would otherwise leak line by line).
pub fn mask_commands(secret: &str) -> Vec<String> {
    if secret.trim().is_empty() {
        return Vec::new();
    }
    let mut out = vec![add_mask(secret)];
    if secret.contains(['\n', '\r']) {
        for line in secret.split(['\n', '\r']).map(str::trim) {
            if line.len() >= MIN_MASKED_LINE {
                let cmd = add_mask(line);
                if !out.contains(&cmd) {
                    out.push(cmd);
                }
            }
        }
    }
    out
}

/// Masks a secret in all later output of the job.
pub fn mask_secret(secret: &str) {
    for c in mask_commands(secret) {
        issue(&c);
    }
}

/// Random token for [`untrusted`]: 32 hex digits.
fn stop_token() -> String {
    let mut b = [0u8; 16];
    rand::fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Wraps text we do not control (log excerpts) in `::stop-commands::` so
/// the runner does not execute `::add-mask::`, `::error::`... lines inside
/// it. The resume token is random and re-drawn if the text contains it.
pub fn untrusted(text: &str) -> String {
    let mut token = stop_token();
    while text.contains(&token) {
        token = stop_token();
    }
    let nl = if text.ends_with('\n') || text.is_empty() {
        ""
    } else {
        "\n"
    };
    format!("::stop-commands::{token}\n{text}{nl}::{token}::")
}

/// Prints a command on its own line on stdout (where the runner reads them).
pub fn issue(line: &str) {
    let mut out = std::io::stdout().lock();
    // Start on a fresh line: a command not at column 0 is ignored by the runner.
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_cannot_break_out_of_their_line() {
        let hostile = "50% done\r\n::add-mask::x\n::error::pwned";
        let line = error(hostile, &Annotation::default());
        assert_eq!(
            line,
            "::error::50%25 done%0D%0A::add-mask::x%0A::error::pwned"
        );
        assert!(!line.contains('\n') && !line.contains('\r'));
    }

    #[test]
    fn properties_escape_colon_and_comma() {
        let at = Annotation {
            title: Some("a,b: c%".into()),
            file: Some("src/x,y.rs".into()),
            line: Some(3),
            end_line: None,
            col: Some(7),
            end_column: Some(9),
        };
        assert_eq!(
            error("boom", &at),
            "::error title=a%2Cb%3A c%25,file=src/x%2Cy.rs,line=3,col=7,endColumn=9::boom"
        );
        assert_eq!(
            notice("n", &Annotation::file("a.py").at_line(1)),
            "::notice file=a.py,line=1::n"
        );
        assert_eq!(warning("w", &Annotation::default()), "::warning::w");
        // A property value with a newline stays on one line too.
        assert_eq!(
            notice("m", &Annotation::default().titled("l1\nl2")),
            "::notice title=l1%0Al2::m"
        );
    }

    #[test]
    fn groups() {
        assert_eq!(group("Run tests: 100%"), "::group::Run tests: 100%25");
        assert_eq!(endgroup(), "::endgroup::");
    }

    #[test]
    fn multi_line_secrets_are_masked_per_line() {
        let pem = "-----BEGIN KEY-----\nMIIEabc\r\nxyz\n-----END KEY-----\n";
        let cmds = mask_commands(pem);
        assert_eq!(
            cmds[0],
            "::add-mask::-----BEGIN KEY-----%0AMIIEabc%0D%0Axyz%0A-----END KEY-----%0A"
        );
        assert!(cmds.contains(&"::add-mask::MIIEabc".to_string()));
        assert!(cmds.contains(&"::add-mask::-----END KEY-----".to_string()));
        assert!(
            !cmds.iter().any(|c| c == "::add-mask::xyz"),
            "short lines would mask common text"
        );
        assert_eq!(
            mask_commands("tok%en"),
            vec!["::add-mask::tok%25en".to_string()]
        );
        assert!(mask_commands("  ").is_empty());
    }

    #[test]
    fn untrusted_text_is_fenced_with_a_fresh_token() {
        let text = "::add-mask::secret\n::error::fake";
        let fenced = untrusted(text);
        let first = fenced.lines().next().unwrap();
        let token = first.strip_prefix("::stop-commands::").unwrap();
        assert_eq!(token.len(), 32);
        assert!(fenced.ends_with(&format!("\n::{token}::")));
        assert!(fenced.contains(text));
    }
}

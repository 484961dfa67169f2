//! `@<bot> <command> [args]` in a comment body.
//!
//! A command is a line that *starts* with the mention (after indentation),
//! outside quotes and code blocks. The old bot searched anywhere and turned
//! every mention into a full review ("thanks @amd-bot." ran an agent;
//! quoting someone's command re-ran it, seed spec §4.13, §7.1.7); here prose
//! that mentions the bot is not a command, `@bot-foo` is another account,
//! and only the first command line of a comment counts.
//!
//! Bounds: the body is read only up to [`MAX_BODY_BYTES`] (GitHub's own
//! body limit is 65,536 characters; a bigger body did not come from
//! GitHub), at most [`MAX_ARGS`] arguments of at most [`MAX_ARG_CHARS`]
//! characters are kept, and a command line with more is an error reply, not
//! a truncated command. Counting stops at `MAX_ARGS + 1`, so 10,000
//! arguments cost no more than 21.

use std::fmt;

/// GitHub's comment limit is 65,536 characters of up to 4 UTF-8 bytes.
pub const MAX_BODY_BYTES: usize = 65_536 * 4;
/// Most arguments a command accepts (`review-focus` areas).
pub const MAX_ARGS: usize = 20;
/// Longest argument, in characters.
pub const MAX_ARG_CHARS: usize = 100;

/// A command the bot runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `review`: the whole pull request.
    Review,
    /// `review-focus <areas>`: a review narrowed to these areas.
    ReviewFocus(Vec<String>),
    /// `ci-status`: can I merge?
    CiStatus,
    /// `help`: list the commands.
    Help,
}

impl Command {
    /// The command word, as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Review => "review",
            Command::ReviewFocus(_) => "review-focus",
            Command::CiStatus => "ci-status",
            Command::Help => "help",
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::ReviewFocus(areas) => write!(f, "review-focus {}", areas.join(" ")),
            other => f.write_str(other.name()),
        }
    }
}

/// The commands, their usage and one sentence each: the help text and
/// every error reply list them.
pub const COMMANDS: &[(&str, &str)] = &[
    ("review", "Review the pull request: a checklist of what it changes, its tests, CI and risky changes."),
    ("review-focus <areas>", "The same review narrowed to some areas (directories, file names or keywords)."),
    ("ci-status", "Say which failed CI jobs this pull request caused, with the evidence, and what CI did not test."),
    ("help", "Show this list."),
];

/// Why a command line is not a runnable command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Not a command the bot knows (empty: the mention stood alone).
    Unknown(String),
    /// The command needs an argument.
    MissingArgument(&'static str),
    /// More than [`MAX_ARGS`] arguments.
    TooManyArguments(&'static str),
    /// An argument longer than [`MAX_ARG_CHARS`].
    ArgumentTooLong(&'static str),
}

/// What a comment asks of the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// No line starts with the mention.
    NoCommand,
    /// The body is over [`MAX_BODY_BYTES`]; nothing was read.
    TooLarge {
        /// Size of the body.
        bytes: usize,
    },
    /// A command.
    Command(Command),
    /// A command line that is not a valid command.
    Invalid(ParseError),
}

/// True when `rest` (what follows `@`) is exactly `mention` followed by the
/// end of the line, whitespace, or `:`/`,` (`@bot: help`).
fn strip_mention<'a>(rest: &'a str, mention: &str) -> Option<&'a str> {
    let head = rest.get(..mention.len())?;
    if !head.eq_ignore_ascii_case(mention) {
        return None;
    }
    let tail = &rest[mention.len()..];
    let tail = tail.strip_prefix([':', ',']).unwrap_or(tail);
    match tail.chars().next() {
        None => Some(tail),
        Some(c) if c.is_whitespace() => Some(tail),
        Some(_) => None,
    }
}

/// Fence opener/closer: 3+ backticks or tildes after at most 3 spaces.
fn fence_of(line: &str) -> Option<(char, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let t = &line[indent..];
    let ch = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|&c| c == ch).count();
    (n >= 3).then_some((ch, n))
}

/// The first command line in `body` addressed to `@mention`.
///
/// `mention` is the bot's login as users type it, without `@`
/// (case-insensitive, like GitHub logins).
pub fn parse(body: &str, mention: &str) -> Parsed {
    if body.len() > MAX_BODY_BYTES {
        return Parsed::TooLarge { bytes: body.len() };
    }
    let mention = mention.trim().trim_start_matches('@');
    if mention.is_empty() {
        return Parsed::NoCommand;
    }
    let mut fence: Option<(char, usize)> = None;
    // Where GitHub renders a line as something other than the author's own
    // words, it is no command: inside an HTML comment (hidden) or a `<pre>`
    // block, and a line right after a `>` quote line, which continues the
    // quote (a "lazy continuation") until a blank line.
    let (mut comment, mut pre, mut quoted) = (false, false, false);
    for line in body.lines() {
        let t = line.trim_start();
        if comment {
            comment = !line.contains("-->");
            continue;
        }
        if pre {
            pre = !line.to_ascii_lowercase().contains("</pre>");
            continue;
        }
        if fence.is_none() {
            if let Some(after) = t.strip_prefix("<!--") {
                comment = !after.contains("-->");
                continue;
            }
            let lower = t.to_ascii_lowercase();
            if lower.starts_with("<pre") && lower[4..].starts_with(['>', ' ', '\t']) || lower == "<pre" {
                pre = !lower.contains("</pre>");
                continue;
            }
        }
        if let Some((ch, n)) = fence_of(line) {
            // A fence ends a quote's paragraph.
            quoted = false;
            match fence {
                None => fence = Some((ch, n)),
                Some((open, len)) if open == ch && n >= len && line.trim().chars().all(|c| c == ch) => fence = None,
                Some(_) => {}
            }
            continue;
        }
        if fence.is_some() {
            continue;
        }
        // A comment opened after some text (`thanks <!--`) hides the lines
        // after it all the same.
        comment = leaves_comment_open(t);
        if t.starts_with('>') {
            quoted = true;
            continue;
        }
        if t.is_empty() {
            quoted = false;
            continue;
        }
        if quoted {
            continue;
        }
        // Four spaces or a tab make an indented code block.
        if line.starts_with("    ") || line.starts_with('\t') {
            continue;
        }
        let Some(rest) = t.strip_prefix('@') else { continue };
        let Some(args) = strip_mention(rest, mention) else { continue };
        return command_line(args);
    }
    Parsed::NoCommand
}

/// Whether an HTML comment is still open at the end of `line` (which
/// starts outside one): its last `<!--` has no `-->` after it.
fn leaves_comment_open(line: &str) -> bool {
    let mut rest = line;
    loop {
        let Some(open) = rest.find("<!--") else { return false };
        match rest[open + 4..].find("-->") {
            Some(close) => rest = &rest[open + 4 + close + 3..],
            None => return true,
        }
    }
}

fn command_line(rest: &str) -> Parsed {
    let mut words = rest.split_whitespace();
    let Some(word) = words.next() else {
        return Parsed::Invalid(ParseError::Unknown(String::new()));
    };
    let word = word.to_ascii_lowercase();
    let (name, needs_args): (&'static str, bool) = match word.as_str() {
        "review" => ("review", false),
        "review-focus" => ("review-focus", true),
        "ci-status" => ("ci-status", false),
        "help" => ("help", false),
        _ => {
            let shown: String = word.chars().take(MAX_ARG_CHARS).collect();
            return Parsed::Invalid(ParseError::Unknown(shown));
        }
    };
    // Arguments: whitespace- or comma-separated; count stops past the limit.
    let mut args = Vec::new();
    for a in rest
        .split_whitespace()
        .skip(1)
        .flat_map(|w| w.split(','))
        .filter(|a| !a.is_empty())
    {
        if args.len() == MAX_ARGS {
            return Parsed::Invalid(ParseError::TooManyArguments(name));
        }
        if a.chars().count() > MAX_ARG_CHARS {
            return Parsed::Invalid(ParseError::ArgumentTooLong(name));
        }
        args.push(a.to_string());
    }
    let command = match name {
        "review" => Command::Review,
        "ci-status" => Command::CiStatus,
        "help" => Command::Help,
        _ => {
            if needs_args && args.is_empty() {
                return Parsed::Invalid(ParseError::MissingArgument(name));
            }
            Command::ReviewFocus(args)
        }
    };
    Parsed::Command(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(body: &str) -> Parsed {
        parse(body, "amd-bot")
    }

    #[test]
    fn commands_at_the_start_of_a_line() {
        assert_eq!(p("@amd-bot ci-status"), Parsed::Command(Command::CiStatus));
        assert_eq!(p("Hi!\n  @AMD-Bot   CI-STATUS please\n"), Parsed::Command(Command::CiStatus));
        assert_eq!(p("@amd-bot: help"), Parsed::Command(Command::Help));
        assert_eq!(p("@amd-bot review"), Parsed::Command(Command::Review));
        assert_eq!(
            p("@amd-bot review-focus attention, kernels/rocm  docs"),
            Parsed::Command(Command::ReviewFocus(vec!["attention".into(), "kernels/rocm".into(), "docs".into()]))
        );
    }

    #[test]
    fn prose_quotes_and_code_are_not_commands() {
        assert_eq!(p("thanks @amd-bot."), Parsed::NoCommand);
        assert_eq!(p("cc @amd-bot please look"), Parsed::NoCommand);
        assert_eq!(p("> @amd-bot review\nquoting you"), Parsed::NoCommand);
        assert_eq!(p("```\n@amd-bot review\n```"), Parsed::NoCommand);
        assert_eq!(p("~~~~\n```\n@amd-bot review\n~~~~\n@amd-bot help"), Parsed::Command(Command::Help));
        assert_eq!(p("    @amd-bot review"), Parsed::NoCommand);
        assert_eq!(p("@amd-bot-foo review"), Parsed::NoCommand);
        assert_eq!(p("@amd-bots review"), Parsed::NoCommand);
        assert_eq!(p("email me@amd-bot review"), Parsed::NoCommand);
    }

    #[test]
    fn lines_github_shows_as_quoted_or_hidden_are_not_commands() {
        // A line right after a quote continues it on GitHub.
        assert_eq!(p("> you said\n@amd-bot review"), Parsed::NoCommand);
        assert_eq!(p("> you said\n\n@amd-bot review"), Parsed::Command(Command::Review));
        // A fence ends the quote and opens a code block.
        assert_eq!(p("> you said\n```\n\n@amd-bot review\n```"), Parsed::NoCommand);
        assert_eq!(p("> you said\n```\nx\n```\n@amd-bot help"), Parsed::Command(Command::Help));
        // Hidden or preformatted.
        assert_eq!(p("<!--\n@amd-bot review\n-->"), Parsed::NoCommand);
        assert_eq!(p("<!-- note -->\n@amd-bot help"), Parsed::Command(Command::Help));
        assert_eq!(p("<pre>\n@amd-bot review\n</pre>\n@amd-bot help"), Parsed::Command(Command::Help));
        assert_eq!(p("<PRE class=x>\n@amd-bot review\n</PRE>"), Parsed::NoCommand);
        assert_eq!(p("<prefix>\n@amd-bot help"), Parsed::Command(Command::Help), "not a <pre> tag");
        // A comment opened after some text hides what follows just the same.
        assert_eq!(p("thanks <!--\n@amd-bot review\n-->"), Parsed::NoCommand);
        assert_eq!(p("a <!-- b --> c <!--\n@amd-bot review\n-->\n@amd-bot help"), Parsed::Command(Command::Help));
        assert_eq!(p("a <!-- b --> c\n@amd-bot review"), Parsed::Command(Command::Review));
        assert_eq!(p("`<!--` in code\n@amd-bot review"), Parsed::NoCommand, "a code span is read as a comment: fewer commands, never more");
    }

    #[test]
    fn invalid_command_lines() {
        assert_eq!(p("@amd-bot"), Parsed::Invalid(ParseError::Unknown(String::new())));
        assert_eq!(p("@amd-bot please look"), Parsed::Invalid(ParseError::Unknown("please".into())));
        assert_eq!(p("@amd-bot review-focus"), Parsed::Invalid(ParseError::MissingArgument("review-focus")));
        assert_eq!(
            p(&format!("@amd-bot review-focus {}", "x".repeat(101))),
            Parsed::Invalid(ParseError::ArgumentTooLong("review-focus"))
        );
    }

    #[test]
    fn only_the_first_command_counts() {
        assert_eq!(p("@amd-bot help\n@amd-bot review"), Parsed::Command(Command::Help));
    }

    #[test]
    fn bounds() {
        let many = format!("@amd-bot review-focus {}", "a ".repeat(10_000));
        assert_eq!(p(&many), Parsed::Invalid(ParseError::TooManyArguments("review-focus")));
        let big = format!("@amd-bot ci-status\n{}", "x".repeat(1 << 20));
        assert_eq!(p(&big), Parsed::TooLarge { bytes: big.len() });
        let at_limit = format!("{}\n@amd-bot ci-status", "y".repeat(65_000));
        assert_eq!(p(&at_limit), Parsed::Command(Command::CiStatus));
    }

    #[test]
    fn odd_input_never_panics() {
        for body in ["@", "@\u{e9}", "@amd-b\u{f6}t", "\u{feff}@amd-bot help", "@amd-bot\u{a0}help", "@amd-bot \u{200b}"] {
            let _ = p(body);
        }
        assert_eq!(parse("@x help", ""), Parsed::NoCommand);
    }
}

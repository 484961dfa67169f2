//! Format-independent signals: what makes a line worth reading in a CI log
//! that no rule and no runner parser knows.
//!
//! * the error vocabulary of many ecosystems (`words.rs`), found by the
//!   engine's one trigger search per line;
//! * the line's shape (`shape.rs`): a source location, a stack frame, the
//!   head of a trace, an exception's message, a command echo, a summary
//!   of a failure printed elsewhere (exit codes, `BUILD FAILURE`,
//!   `make: *** … Error 2`), an application logger's prefix;
//! * ANSI red, kept by `clean.rs` when it strips the colour;
//! * where the line sits: the failing step or command (between the last
//!   command echo and the first process exit that failed), the last lines
//!   it printed before exiting, after the exit (cleanup);
//! * how rare the line is in this log, and whether the passing run of the
//!   same job printed it too (`Baseline`), both by normalised hash
//!   (`norm.rs`).
//!
//! `Tracker` follows the log's structure while the engine streams it, with
//! bounded memory; `features` turns one candidate line into the vector the
//! scorer weighs (`scorer.rs`) once the whole log has been read.

pub(crate) mod norm;
pub(crate) mod scorer;
pub(crate) mod shape;
pub(crate) mod words;

pub(crate) use shape::flag;

/// Lines before a failing exit that count as "what the command printed last".
pub(crate) const TAIL: u32 = 15;
/// Distinct normalised lines counted for rarity (beyond, new lines count
/// as unique: memory stays bounded).
const MAX_COUNTED: usize = 1 << 16;
/// Failing exits remembered (the first one is the failure; a few more let
/// the tail of each be scored).
const MAX_EXITS: usize = 64;

/// A multiply-rotate hasher (FxHash's) for the engine's small integer
/// keys: SipHash, the std default, was a visible share of a profile, and
/// these keys come from the log's own structure, not from an adversary who
/// could pick colliding lines to slow one analysis down (the maps are
/// bounded anyway).
#[derive(Clone, Copy, Default)]
pub(crate) struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64);
    }

    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// `BuildHasher` of [`FastHasher`].
pub(crate) type FastHash = std::hash::BuildHasherDefault<FastHasher>;

/// What the generic path knows about one candidate line while streaming.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sig {
    /// `shape::flag` bits.
    pub flags: u32,
    /// `norm::line_hash` of the cleaned line.
    pub hash: u64,
    /// Lines from this line to the failing exit after it (1 = just before),
    /// 0 when it is not among the last `TAIL` lines before one.
    pub tail: u32,
    /// The scorer's value, set once the log is read.
    pub score: f32,
}

/// The log's structure as far as the generic signals need it.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    /// Normalised hash of flagged lines → occurrences.
    counts: std::collections::HashMap<u64, u32, FastHash>,
    /// Line of the last command echo (0: none yet).
    last_echo: u32,
    /// Segment number: command echoes and steps start a new one.
    pub segment: u32,
    /// (echo line before it, exit line) of the first failing exits.
    pub exits: Vec<(u32, u32)>,
}

impl Tracker {
    /// A command echo on line `no`. `set -x` traces (`+ cmd`) do not start
    /// a new command: a script traces every line it runs, and the error it
    /// printed usually comes before the `+ exit 1` that ends it.
    pub(crate) fn echo(&mut self, no: u32, xtrace: bool) {
        if !xtrace {
            self.last_echo = no;
            self.segment += 1;
        }
    }

    /// Line of the last command echo (0: none).
    pub(crate) fn last_echo(&self) -> u32 {
        self.last_echo
    }

    pub(crate) fn count(&mut self, hash: u64) {
        if self.counts.len() < MAX_COUNTED {
            *self.counts.entry(hash).or_insert(0) += 1;
        } else if let Some(c) = self.counts.get_mut(&hash) {
            *c += 1;
        }
    }

    pub(crate) fn occurrences(&self, hash: u64) -> u32 {
        self.counts.get(&hash).copied().unwrap_or(1)
    }

    /// A failing exit on line `no`; false once enough are known.
    pub(crate) fn exit(&mut self, no: u32) -> bool {
        if self.exits.len() >= MAX_EXITS {
            return false;
        }
        self.exits.push((self.last_echo, no));
        true
    }

    /// The failing command's span (echo, exit): between the last command
    /// echo and the first failing exit.
    pub(crate) fn failing_command(&self) -> Option<(u32, u32)> {
        self.exits.first().copied()
    }
}

/// Where the log says the failure happened, for `features`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failing {
    /// GitHub Actions: the step index of the failing step.
    Step(usize),
    /// Elsewhere: the last command echo before the first failing exit, and
    /// that exit.
    Command { echo: u32, exit: u32 },
    None,
}

/// Names of the feature vector's entries, in order (the weights file and
/// the training script use them).
pub(crate) const FEATURES: &[&str] = &[
    "bias",
    "err",
    "weak",
    "red",
    "negated",
    "exit",
    "summary",
    "location",
    "frame",
    "trace_head",
    "exception",
    "echo",
    "logger",
    "annotation",
    "indented",
    "short",
    "bracket_level",
    "unique",
    "few",
    "many",
    "tail_1",
    "tail_2_6",
    "tail_7_15",
    "in_failing",
    "before_failing",
    "after_failing",
    "in_baseline",
    "next_is_trace",
    "no_words",
    "starts_err",
    "starts_location",
    "first_in_failing",
    "first_2_in_failing",
    "first_10_in_failing",
    "in_aftermath_step",
    "before_silent_failing",
];

/// Number of features.
pub(crate) const N_FEATURES: usize = 36;
const _: () = assert!(FEATURES.len() == N_FEATURES);

impl Failing {
    /// Whether `line` (in step `step`) is inside the failing step or command.
    pub(crate) fn contains(self, line: u32, step: usize) -> bool {
        match self {
            Failing::Step(s) => step == s,
            Failing::Command { echo, exit } => echo < line && line <= exit,
            Failing::None => false,
        }
    }
}

/// Whether a line with these flags reads as an error of its own (not a
/// summary, an echo, a logger's record or a negated mention): the kind of
/// line whose first occurrence in the failing command is often the cause.
pub(crate) fn error_like(f: u32) -> bool {
    f & (flag::ERR | flag::WEAK | flag::EXCEPTION | flag::TRACE_HEAD) != 0 && f & (flag::NEGATED | flag::SUMMARY | flag::ECHO | flag::LOGGER | flag::FRAME) == 0
}

/// The flags of the error-like line at `rank` (0: the first) among those
/// of the failing step or command. The cause of a failure is usually
/// printed first; what a tool prints after it (more errors that follow
/// from it, its summary, advice) comes later, in every ecosystem.
pub(crate) fn rank_flags(rank: usize) -> u32 {
    let mut f = 0;
    if rank == 0 {
        f |= flag::FIRST_IN_FAILING;
    }
    if rank < 2 {
        f |= flag::FIRST_2_IN_FAILING;
    }
    if rank < 10 {
        f |= flag::FIRST_10_IN_FAILING;
    }
    f
}

/// One candidate's features. `step` is its step index (GitHub Actions),
/// `next_is_trace` whether the line after it is a frame or a trace head,
/// `aftermath` whether its step is the CI system's own clean-up
/// (`Steps::is_aftermath`), `silent_failing` whether the failing step or
/// command printed no error-like line of its own (it only checked a
/// condition, or only reported the exit: the cause is earlier).
#[allow(clippy::too_many_arguments)]
pub(crate) fn features(line: u32, step: usize, sig: &Sig, occurrences: u32, failing: Failing, next_is_trace: bool, aftermath: bool, silent_failing: bool) -> [f32; N_FEATURES] {
    let mut x = [0f32; N_FEATURES];
    let f = sig.flags;
    let bit = |b: u32| if f & b != 0 { 1.0 } else { 0.0 };
    x[0] = 1.0;
    x[1] = bit(flag::ERR);
    x[2] = bit(flag::WEAK);
    x[3] = bit(flag::RED);
    x[4] = bit(flag::NEGATED);
    x[5] = bit(flag::EXIT);
    x[6] = if f & flag::SUMMARY != 0 && f & flag::EXIT == 0 { 1.0 } else { 0.0 };
    x[7] = bit(flag::LOCATION);
    x[8] = bit(flag::FRAME);
    x[9] = bit(flag::TRACE_HEAD);
    x[10] = bit(flag::EXCEPTION);
    x[11] = bit(flag::ECHO);
    x[12] = bit(flag::LOGGER);
    x[13] = bit(flag::ANNOTATION);
    x[14] = bit(flag::INDENTED);
    x[15] = bit(flag::SHORT);
    x[16] = bit(flag::BRACKET_LEVEL);
    x[17] = (occurrences <= 1) as u8 as f32;
    x[18] = (2..=3).contains(&occurrences) as u8 as f32;
    x[19] = (occurrences >= 10) as u8 as f32;
    x[20] = (sig.tail == 1) as u8 as f32;
    x[21] = (2..=6).contains(&sig.tail) as u8 as f32;
    x[22] = (7..=TAIL).contains(&sig.tail) as u8 as f32;
    let (inside, before, after) = match failing {
        Failing::Step(s) => (step == s, step < s, step > s),
        Failing::Command { echo, exit } => (echo < line && line <= exit, line <= echo, line > exit),
        Failing::None => (false, false, false),
    };
    x[23] = inside as u8 as f32;
    x[24] = before as u8 as f32;
    x[25] = after as u8 as f32;
    x[26] = bit(flag::IN_BASELINE);
    x[27] = next_is_trace as u8 as f32;
    x[28] = (f & (flag::ERR | flag::WEAK | flag::RED) == 0) as u8 as f32;
    x[29] = bit(flag::STARTS_ERR);
    x[30] = bit(flag::STARTS_LOCATION);
    x[31] = bit(flag::FIRST_IN_FAILING);
    x[32] = bit(flag::FIRST_2_IN_FAILING);
    x[33] = bit(flag::FIRST_10_IN_FAILING);
    x[34] = aftermath as u8 as f32;
    x[35] = (before && silent_failing) as u8 as f32;
    x
}

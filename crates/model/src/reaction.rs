//! What GitHub answered to "add this reaction as me".

/// GitHub answers 201 when it created the reaction and 200 with the
/// existing one when the same user already had it. The bot's command claim
/// rests on that difference, so both the client and command intake speak
/// this one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReactionOutcome {
    /// 201: the reaction is new: this caller made it.
    Created,
    /// 200: the same user already had this reaction: someone else (another
    /// watcher with the same identity) made it first.
    AlreadyExisted,
}

//! `ci-model`: the vocabulary the other crates share, so one concept has one
//! type wherever it travels.
//!
//! - [`ids`]: `RunId`, `JobId`, `IssueNumber`, `CommentId`, `RunnerId`: numbers GitHub
//!   hands out, kept apart by type so a job id cannot be passed as a run id.
//! - [`status`]: `RunStatus` and `Conclusion` as GitHub spells them (unknown
//!   values survive as `Other`), what a conclusion means as evidence
//!   ([`Signal`]), and the history status of a symptom ([`FailureStatus`]).
//! - [`run`]: the workflow run, job and step records, decoded straight from
//!   GitHub's JSON and used as they are by the monitor's decisions.
//!
//! `ci-github` fetches these, `ci-report` renders and persists them,
//! `ci-monitor` decides with them; none of those needs the others' types.
//! Conversions (`From`) live next to the types they convert.

pub mod ids;
pub mod run;
pub mod status;

pub use ids::{CommentId, IssueNumber, JobId, RunId, RunnerId};
pub use run::{Job, Step, User, WorkflowRun};
pub use status::{Conclusion, FailureStatus, RunStatus, Signal};

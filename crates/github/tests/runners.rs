//! Runner administration through the port: a registration token, the
//! runner list, and removal (idempotent; refused while busy).

mod common;

use ci_github::{Error, GitHub};
use common::*;

const REPO_ONLY: &str = "repos:\n  - name: acme/widgets\n";

#[tokio::test]
async fn registration_token_list_and_delete() {
    let c = Ctx::new(REPO_ONLY).await;
    let token = c.gh.create_runner_registration_token(&c.repo).await.unwrap();
    assert!(!format!("{token:?}").contains(token.secret()), "Debug must not print the token");
    assert_eq!(c.seen("POST", "/actions/runners/registration-token"), 1);

    // A runner registers with it (the stand-in runner does this over HTTP).
    c.server.state().register_runner("acme/widgets", "r-1", &["gpu"]);

    let runners = c.gh.list_runners(&c.repo).await.unwrap();
    assert_eq!(runners.len(), 1);
    let r = &runners[0];
    assert_eq!((r.name.as_str(), r.busy, r.is_online()), ("r-1", false, true));
    assert!(r.labels.iter().any(|l| l.name == "gpu"));

    c.server.state().set_runner_busy("acme/widgets", "r-1", true).unwrap();
    let busy = c.gh.delete_runner(&c.repo, r.id).await.unwrap_err();
    assert!(matches!(busy, Error::Validation { .. }), "{busy}");
    assert!(busy.to_string().contains("still running a job"), "{busy}");
    c.server.state().set_runner_busy("acme/widgets", "r-1", false).unwrap();
    c.gh.delete_runner(&c.repo, r.id).await.unwrap();
    c.gh.delete_runner(&c.repo, r.id).await.expect("already gone is success");
    assert!(c.gh.list_runners(&c.repo).await.unwrap().is_empty());
}

//! octocrab 0.54 — the client the bot uses — talks to the fake and
//! deserialises every resource into its own model types. If a JSON shape
//! drifts (a string id, a missing field, a non-`Z` timestamp), this fails.

mod common;

use common::*;
use fake_github::FakeGitHub;
use octocrab::models::reactions::ReactionContent;
use octocrab::params;
use octocrab::Octocrab;

async fn client(server: &FakeGitHub) -> Octocrab {
    Octocrab::builder()
        .base_uri(server.url())
        .unwrap()
        .personal_token("octo-token".to_string())
        .build()
        .unwrap()
}

#[tokio::test]
async fn octocrab_models_deserialise_every_resource() {
    let server = FakeGitHub::start(day()).await.unwrap();
    server.state().set_search_delay(std::time::Duration::ZERO);
    let octo = client(&server).await;
    let (o, r) = ("acme", "widgets");

    // repos, issues, labels
    let repo = octo.repos(o, r).get().await.unwrap();
    assert_eq!(repo.full_name.as_deref(), Some(REPO));
    let issue = octo.issues(o, r).get(1).await.unwrap();
    assert_eq!(issue.labels[0].name, "ci-failure");
    let created = octo
        .issues(o, r)
        .create("[CI] new")
        .body("body")
        .labels(vec!["ci-failure".to_string(), "fresh".to_string()])
        .send()
        .await
        .unwrap();
    assert_eq!(created.number, 8);
    let updated = octo.issues(o, r).update(8).state(octocrab::models::IssueState::Closed).send().await.unwrap();
    assert_eq!(updated.state, octocrab::models::IssueState::Closed);
    let labels = octo.issues(o, r).list_labels_for_repo().send().await.unwrap();
    assert!(labels.items.iter().any(|l| l.name == "fresh"));

    // Pagination through octocrab's own Link parsing: all issues and PRs.
    let first = octo.issues(o, r).list().state(params::State::All).per_page(2).send().await.unwrap();
    assert!(first.next.is_some());
    let all = octo.all_pages(first).await.unwrap();
    let mut numbers: Vec<u64> = all.iter().map(|i| i.number).collect();
    numbers.sort();
    assert_eq!(numbers, vec![1, 2, 7, 8]);
    assert!(all.iter().find(|i| i.number == 7).unwrap().pull_request.is_some());

    // comments and reactions
    let comments = octo.issues(o, r).list_comments(1).send().await.unwrap();
    assert_eq!(comments.items.len(), 2);
    let c = octo.issues(o, r).create_comment(1, "hello").await.unwrap();
    let c2 = octo.issues(o, r).update_comment(c.id, "edited").await.unwrap();
    assert_eq!(c2.body.as_deref(), Some("edited"));
    let reaction = octo.issues(o, r).create_comment_reaction(c.id, ReactionContent::Rocket).await.unwrap();
    assert_eq!(reaction.content, ReactionContent::Rocket);

    // search
    let found = octo
        .search()
        .issues_and_pull_requests("repo:acme/widgets is:issue in:title \"[CI] new\"")
        .send()
        .await
        .unwrap();
    assert_eq!(found.total_count, Some(1));

    // actions
    let runs = octo.workflows(o, r).list_all_runs().send().await.unwrap();
    assert_eq!(runs.total_count, Some(3));
    let per_wf = octo.workflows(o, r).list_runs("ci.yml").branch("main").send().await.unwrap();
    assert_eq!(per_wf.items.len(), 1);
    let run = octo.workflows(o, r).get(9001u64.into()).await.unwrap();
    assert_eq!(run.conclusion.as_deref(), Some("failure"));
    let jobs = octo.workflows(o, r).list_jobs(9001u64.into()).send().await.unwrap();
    assert_eq!(jobs.items.len(), 2);
    assert_eq!(jobs.items[1].steps[1].name, "Run tests");
    let job: octocrab::models::workflows::Job =
        octo.get("/repos/acme/widgets/actions/jobs/70002", None::<&()>).await.unwrap();
    assert_eq!(job.name, "test (ubuntu)");
    let zip = octo.actions().download_workflow_run_logs(o, r, 9001u64.into()).await.unwrap();
    assert!(zip.starts_with(b"PK"));

    // pulls
    let pr = octo.pulls(o, r).get(7).await.unwrap();
    assert_eq!(pr.head.ref_field, "feature/x");
    let files = octo.pulls(o, r).list_files(7).await.unwrap();
    assert_eq!(files.items[0].filename, "src/lib.rs");

    // contents, user, rate limit
    let content = octo.repos(o, r).get_content().path(".github/ci-bot.yml").r#ref("main").send().await.unwrap();
    assert_eq!(content.items[0].decoded_content().unwrap(), "monitor:\n  workflows: [CI]\n");
    let me = octo.current().user().await.unwrap();
    assert_eq!(me.login, "ci-bot");
    let rl = octo.ratelimit().get().await.unwrap();
    assert_eq!(rl.resources.core.limit, 5000);

    // The token went to the API host only, never to the blob host.
    let log = server.state().requests();
    for req in &log {
        if req.path.starts_with("/_blob/") {
            assert_eq!(req.token, None, "octocrab sent its token to the blob host");
        } else {
            assert_eq!(req.token.as_deref(), Some("octo-token"), "{req:?}");
        }
    }
}

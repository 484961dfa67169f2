//! `Client::from_env` against the fake. One test in its own binary: it
//! sets process environment variables, which no other test may observe.

use ci_github::IssueNumber;
use ci_github::{env, Client, GitHub, RepoRef};
use fake_github::{FakeGitHub, Scenario};

#[tokio::test]
async fn from_env_reads_url_token_budget_and_timeout() {
    let server =
        FakeGitHub::start(Scenario::from_yaml_str("repos:\n  - name: acme/widgets\n").unwrap())
            .await
            .unwrap();
    for k in [env::APP_ID, env::APP_PRIVATE_KEY, env::APP_INSTALLATION_ID] {
        std::env::remove_var(k);
    }
    std::env::set_var(env::API_URL, format!("{}/", server.url()));
    std::env::set_var(env::TOKEN, "ghp_from_env");
    std::env::set_var(env::WRITE_BUDGET, "7");
    std::env::set_var(env::TIMEOUT_SECS, "2.5");
    std::env::set_var(env::MARKER_AUTHOR, "ci-bot");

    let gh = Client::from_env(None).await.unwrap();
    assert_eq!(gh.config().api_url, server.url(), "trailing slash trimmed");
    assert_eq!(gh.budget().limit(), 7);
    assert_eq!(gh.config().timeout, std::time::Duration::from_millis(2500));
    assert_eq!(gh.marker_author(), Some("ci-bot"));
    let repo: RepoRef = "acme/widgets".parse().unwrap();
    gh.list_comments(&repo, IssueNumber(1), None).await.ok();
    assert_eq!(
        server.state().requests().last().unwrap().token.as_deref(),
        Some("ghp_from_env")
    );

    // An explicit token (an action input) wins over GITHUB_TOKEN.
    let gh = Client::from_env(Some("ghp_input".into())).await.unwrap();
    gh.list_comments(&repo, IssueNumber(1), None).await.ok();
    assert_eq!(
        server.state().requests().last().unwrap().token.as_deref(),
        Some("ghp_input")
    );

    std::env::set_var(env::WRITE_BUDGET, "lots");
    let err = Client::from_env(None).await.err().unwrap().to_string();
    assert!(
        err.contains("CI_BOT_WRITE_BUDGET") && !err.contains('\n'),
        "{err}"
    );
    std::env::set_var(env::WRITE_BUDGET, "7");

    std::env::set_var(env::API_URL, "not a url");
    assert!(Client::from_env(None).await.is_err());

    assert!("acme".parse::<RepoRef>().is_err());
    assert!("acme/wid gets".parse::<RepoRef>().is_err());
}

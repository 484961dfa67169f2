//! Self-hosted runners: registration tokens, the runner list, removal
//! (repository administration; the fleet's admin token).

use http::Method;
use serde_json::json;

use crate::client::paths::repo_path;
use crate::client::transport::JSON;
use crate::client::Client;
use crate::types::*;
use crate::{Error, Result};

pub(in crate::client) async fn create_runner_registration_token(c: &Client, repo: &RepoRef) -> Result<RegistrationToken> {
    let path = format!("{}/actions/runners/registration-token", repo_path(repo));
    c.send_json("create_runner_registration_token", Method::POST, &path, &json!({})).await
}

pub(in crate::client) async fn list_runners(c: &Client, repo: &RepoRef) -> Result<Vec<SelfHostedRunner>> {
    let path = format!("{}/actions/runners?per_page=100", repo_path(repo));
    c.get_pages("list_runners", path, Some("runners"), None).await
}

pub(in crate::client) async fn delete_runner(c: &Client, repo: &RepoRef, runner_id: RunnerId) -> Result<()> {
    let path = format!("{}/actions/runners/{runner_id}", repo_path(repo));
    // Already gone is what the caller wanted.
    match c.call("delete_runner", Method::DELETE, &path, None, JSON).await {
        Ok(_) | Err(Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

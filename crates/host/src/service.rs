//! `ci-bot host` wired up: settings, the token, the monitor dispatch, the
//! comment watcher when a repository is named for it, the health endpoint,
//! signals. `extra` adds further tasks.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use ci_github::Client;

use crate::{serve_health, ClientFactory, CommentWatch, Host, MonitorDispatch, Settings, Store, SystemClock};

/// Run the host until SIGTERM/SIGINT; then let ticks in flight finish and
/// return. `extra` adds further tasks to the host.
pub async fn run_service(settings: Settings, extra: impl FnOnce(&mut Host) -> Result<()>) -> Result<()> {
    let repo = settings.repo.clone().unwrap_or_default().parse()?;
    let client = client_factory(settings.token_file.clone());
    // Fail at start, not at the first tick, when the token is missing.
    client().await.context("the host's GitHub token")?;

    let store = Store::open(&settings.state_dir).with_context(|| format!("state directory {}", settings.state_dir.display()))?;
    let mut host = Host::new(Arc::new(SystemClock), store);
    host.add(MonitorDispatch {
        repo,
        workflow: settings.workflow.clone(),
        git_ref: settings.git_ref.clone(),
        inputs: settings.inputs(),
        schedule: settings.schedule(),
        client: client.clone(),
    });
    if let (Some(watch_repo), Some(schedule)) = (settings.watch_repo.clone(), settings.watch_schedule()) {
        host.add(CommentWatch { repo: watch_repo, config: settings.watch_config.clone(), schedule, client });
    }
    extra(&mut host)?;

    let listener = tokio::net::TcpListener::bind(&settings.health_addr)
        .await
        .with_context(|| format!("binding /healthz on {}", settings.health_addr))?;
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let health = tokio::spawn(serve_health(listener, host.health(), async {
        let _ = stopped_rx.await;
    }));
    let stop = host.shutdown_handle();
    tokio::spawn(async move {
        match wait_for_signal().await {
            Ok(()) => tracing::info!("shutdown requested: finishing the current step"),
            Err(e) => tracing::error!(error = %e, "signal handling failed; shutting down"),
        }
        stop.trigger();
    });
    tracing::info!(
        repo = %settings.repo.as_deref().unwrap_or_default(),
        workflow = %settings.workflow,
        interval_secs = settings.interval_secs,
        watch_repo = %settings.watch_repo.as_deref().unwrap_or("(no watcher)"),
        health = %settings.health_addr,
        "host started"
    );
    host.run().await;
    let _ = stopped_tx.send(());
    let _ = health.await;
    Ok(())
}

/// A client per tick (its own write budget), the token read afresh so it
/// can be rotated in place.
pub fn client_factory(token_file: Option<PathBuf>) -> ClientFactory<Client> {
    Arc::new(move || {
        let token_file = token_file.clone();
        Box::pin(async move {
            let token = match &token_file {
                Some(p) => Some(
                    std::fs::read_to_string(p)
                        .map_err(|e| ci_github::Error::Config(format!("reading {}: {e}", p.display())))?
                        .trim()
                        .to_string(),
                ),
                None => None,
            };
            let env_token = std::env::var("GITHUB_TOKEN").unwrap_or_default();
            if token.as_deref().unwrap_or_default().is_empty() && env_token.trim().is_empty() {
                return Err(ci_github::Error::Config("no token: set CI_BOT_HOST_TOKEN_FILE or GITHUB_TOKEN".into()));
            }
            Client::builder_from_env(token)?.build().await
        })
    })
}

async fn wait_for_signal() -> Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    tokio::select! {
        _ = term.recv() => {}
        r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl-C")?,
    }
    Ok(())
}

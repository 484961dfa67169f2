//! The model the bot uses, from the config's `llm:` section and the
//! environment: none (deterministic), an HTTP provider, or agent mode
//! through the sandbox (API mode, and the report says so, when no Docker
//! engine answers). Built here, beside `main`, so the monitor's library
//! does not link the Docker client.

use std::path::{Path, PathBuf};

use ci_llm::{LlmConfig, Templates};
use ci_monitor::services::narration::LlmSetup;

/// Where the bot repository overrides prompt files, beside its config
/// (`.github/ci-bot-agent/` for `.github/ci-bot.yml`).
pub const PROMPTS_DIR: &str = "ci-bot-agent";

/// The setup for `config`, reading secrets from `env`. A bad section or a
/// bad prompt file is a warning and the bot runs deterministic.
pub async fn setup<I>(config: &LlmConfig, env: I, config_path: Option<&Path>, warnings: &mut Vec<String>) -> LlmSetup
where
    I: IntoIterator<Item = (String, String)>,
{
    let resolved = match config.resolve(env) {
        Ok(r) => r,
        Err(e) => {
            warnings.push(format!("{e}; deterministic triage only"));
            return LlmSetup::default();
        }
    };
    let dirs: Vec<PathBuf> = config_path.and_then(Path::parent).map(|d| d.join(PROMPTS_DIR)).into_iter().collect();
    let templates = match Templates::load(&dirs) {
        Ok(t) => t,
        Err(e) => {
            warnings.push(format!("llm prompts: {e}; using the built-in prompts"));
            Templates::builtin()
        }
    };
    // Agent mode mounts no checkout: the bot repository's checkout is not
    // the monitored commit, and a pull request's never enters the sandbox.
    match ci_sandbox::choose(&resolved, None, ci_sandbox::connect_docker()).await {
        Ok(llm) => LlmSetup::new(llm, &resolved, templates),
        Err(e) => {
            warnings.push(format!("llm: {e}; deterministic triage only"));
            LlmSetup::default()
        }
    }
}

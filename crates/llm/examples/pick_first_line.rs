//! The pick-the-line-to-read-first path, end to end, as a `score.py`
//! analyzer: analyse a log with the engine; when its best line is generic,
//! ask the model (over HTTP) to pick among the engine's candidates, check
//! the pick, and put it first in `key_lines` (marked `"key_line_source":
//! "model"`). Prints `ci-triage/v1` JSON.
//!
//! With a scripted model that answers from the labels (`fake-llm --oracle`),
//! this proves the plumbing, not a model:
//!
//! ```text
//! cargo build --release -p fake-llm -p ci-llm --example pick_first_line
//! target/release/fake-llm --oracle ../shared/datasets/labels.jsonl &   # prints its URL
//! CI_LLM_PICK_URL=http://127.0.0.1:PORT python3 ../shared/eval/score.py \
//!     --labels ../shared/datasets/labels.jsonl --root ../shared/datasets \
//!     --cmd 'target/release/examples/pick_first_line {log}'
//! ```
//!
//! Without `CI_LLM_PICK_URL` the output is the engine's alone.

use std::time::Duration;

use chrono::Utc;
use ci_llm::anthropic::AnthropicClient;
use ci_llm::cache::LlmMemory;
use ci_llm::facts::{LogLine, PickFacts};
use ci_llm::{ApiConfig, Llm, Narrator, Scrubber, Templates};
use ci_triage::RuleSet;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: pick_first_line LOG");
        std::process::exit(2);
    };
    let log = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("pick_first_line: {path}: {e}");
            std::process::exit(1);
        }
    };
    let rules = RuleSet::builtin();
    let analysis = ci_triage::analyze(log.as_slice(), &rules);
    let mut out = serde_json::to_value(&analysis).expect("analysis serialises");
    let generic = ci_llm::engine::line_is_generic(&analysis, &rules);
    if let (true, Ok(url)) = (generic && analysis.key_lines.len() > 1, std::env::var("CI_LLM_PICK_URL")) {
        // Every key line is a candidate here (not the monitor's top five):
        // the score table in docs/llm.md was measured that way.
        let lines: Vec<&[u8]> = log.split(|&b| b == b'\n').collect();
        let candidates = analysis
            .key_lines
            .iter()
            .filter_map(|&no| {
                let raw = lines.get(no as usize - 1)?;
                let mut text = String::new();
                ci_triage::clean::clean_line(raw, &mut text);
                Some(LogLine { no, text })
            })
            .collect();
        let facts = PickFacts {
            job: path.clone(),
            failing_step: analysis.failing_step.clone(),
            category: analysis.verdict.category.to_string(),
            candidates,
            fingerprints: analysis.failures.iter().map(|f| f.fingerprint.clone()).collect(),
        };
        let mut cfg = ApiConfig::new(url, "scripted-oracle");
        cfg.timeout = Duration::from_secs(20);
        cfg.stream = false;
        let llm = AnthropicClient::new(&cfg).expect("client");
        let templates = Templates::builtin();
        let scrubber = Scrubber::default();
        let today = Utc::now().date_naive();
        let mut memory = LlmMemory::new(u64::MAX, today);
        let mut n = Narrator::new(Some(&llm as &dyn Llm), &templates, &scrubber, &mut memory, today);
        match n.pick(&facts, &log).await {
            Ok(p) => {
                out["key_lines"] = serde_json::json!(ci_llm::pick::reorder(&analysis.key_lines, &p));
                out["key_line_source"] = serde_json::json!("model");
            }
            Err(why) => eprintln!("pick_first_line: {}", why.label()),
        }
    }
    println!("{out}");
}

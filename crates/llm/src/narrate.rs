//! The one path from facts to a checked narrative: cache, budget, redaction,
//! provider, parse, verification, tally. Every way out that is not a
//! narrative is a [`Deterministic`] reason, and the caller's deterministic
//! result stands, labelled with it.

use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cache::{self, LlmMemory};
use crate::facts::{JobFacts, PickFacts, PrFacts, SummaryFacts};
use crate::pick::{self, ModelPick};
use crate::prompt::{self, Prompt};
use crate::provider::{Llm, ProviderInfo};
use crate::secrets::Scrubber;
use crate::templates::{Task, Templates};
use crate::tokens::{self, Price, Tally};
use crate::verify::{self, Answer, Narrative, QuoteIn};

/// Why the output is the deterministic one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Deterministic {
    /// No LLM configured.
    NoLlm,
    /// Today's token budget is spent.
    BudgetSpent {
        /// Tokens used today.
        used: u64,
        /// The daily limit.
        limit: u64,
    },
    /// The call failed or its answer was unusable (one line, scrubbed).
    Failed {
        /// What happened.
        why: String,
    },
}

impl Deterministic {
    /// One sentence for the report.
    pub fn label(&self) -> String {
        match self {
            Deterministic::NoLlm => "Deterministic triage only: no LLM configured.".into(),
            Deterministic::BudgetSpent { used, limit } => format!(
                "Deterministic triage only: today's LLM token budget is spent ({} of {} tokens).",
                tokens::thousands(*used),
                tokens::thousands(*limit)
            ),
            Deterministic::Failed { why } => format!("Deterministic triage only: {why}."),
        }
    }
}

/// Where a narrative came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A call made now.
    Model,
    /// The fingerprint cache (zero tokens); the model that wrote it.
    Cache {
        /// Model name.
        model: String,
    },
}

/// A checked narrative and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Told {
    /// The checked narrative.
    pub narrative: Narrative,
    /// Fresh or cached.
    pub source: Source,
}

/// Drives the LLM layer for one report. Build one per report (or per tick)
/// with the repository's [`LlmMemory`]; read [`Narrator::tally`] for the
/// footer afterwards and store the memory back.
pub struct Narrator<'a> {
    llm: Option<&'a dyn Llm>,
    templates: &'a Templates,
    scrubber: &'a Scrubber,
    price: Option<Price>,
    today: NaiveDate,
    deadline: Duration,
    /// Budget and cache, to be stored by the caller.
    pub memory: &'a mut LlmMemory,
    /// This report's usage.
    pub tally: Tally,
}

impl<'a> Narrator<'a> {
    /// A narrator. `llm: None` means no LLM is configured.
    pub fn new(
        llm: Option<&'a dyn Llm>,
        templates: &'a Templates,
        scrubber: &'a Scrubber,
        memory: &'a mut LlmMemory,
        today: NaiveDate,
    ) -> Self {
        let price = llm.and_then(|l| tokens::list_price(&l.info().model));
        Narrator { llm, templates, scrubber, price, today, deadline: Duration::from_secs(600), memory, tally: Tally::default() }
    }

    /// Use these prices instead of the list price of the model.
    pub fn with_price(mut self, price: Option<Price>) -> Self {
        if price.is_some() {
            self.price = price;
        }
        self
    }

    /// A hard stop over any provider call, whatever the provider does.
    pub fn with_deadline(mut self, d: Duration) -> Self {
        self.deadline = d;
        self
    }

    /// The provider in use, for the footer.
    pub fn provider(&self) -> Option<ProviderInfo> {
        self.llm.map(|l| l.info())
    }

    /// The footer line for this report.
    pub fn footer(&self) -> String {
        self.tally.footer(self.provider().as_ref())
    }

    /// Describe one failed job. `log` is the raw log the quotes are checked
    /// against.
    pub async fn job(&mut self, facts: &JobFacts, log: &[u8]) -> Result<Told, Deterministic> {
        let prompt = prompt::job_failure(self.templates, facts);
        let mut ids = facts.fingerprints.clone();
        if ids.is_empty() {
            // No failure fingerprint (nothing recognised): key on what the
            // engine showed, so a repeat still costs nothing.
            ids.push(format!("category:{}", facts.category));
            ids.extend(facts.failing_step.iter().map(|s| format!("step:{s}")));
            ids.extend(facts.key_lines.iter().take(1).flat_map(|k| {
                k.context.iter().filter(|l| l.no == k.line).map(|l| format!("line:{}", l.text))
            }));
        }
        self.narrate(prompt, &ids, log).await
    }

    /// A cross-job or daily summary. Quotes are checked against the facts
    /// shown (which the engine took from the logs).
    pub async fn summary(&mut self, task: Task, facts: &SummaryFacts) -> Result<Told, Deterministic> {
        let prompt = match task {
            Task::DailySummary => prompt::daily_summary(self.templates, facts),
            _ => prompt::cross_job(self.templates, facts),
        };
        let ids: Vec<String> = facts.clusters.iter().map(|c| format!("{}:{}", c.id, c.new)).collect();
        let source = prompt.user.clone();
        self.narrate(prompt, &ids, source.as_bytes()).await
    }

    /// Explain a PR's CI status (quotes checked against the facts shown).
    pub async fn ci_status(&mut self, facts: &PrFacts) -> Result<Told, Deterministic> {
        let prompt = prompt::ci_status(self.templates, facts);
        let ids: Vec<String> = facts.failures.iter().map(|f| format!("{}|{}|{}", f.job, f.what, f.verdict)).collect();
        let source = prompt.user.clone();
        self.narrate(prompt, &ids, source.as_bytes()).await
    }

    /// Review a PR (quotes checked against the diff). Keyed by everything
    /// the model is shown, so the same head asked again costs nothing and
    /// an edited description or another focus asks again.
    pub async fn pr_review(&mut self, facts: &PrFacts) -> Result<Told, Deterministic> {
        let prompt = prompt::pr_review(self.templates, facts);
        let ids = vec![
            format!("pr:{}", facts.number),
            format!("title:{}", facts.title),
            format!("body:{}", facts.body),
            format!("focus:{}", facts.focus.as_deref().unwrap_or_default()),
            format!("diff:{}", facts.diff),
        ];
        self.narrate(prompt, &ids, facts.diff.as_bytes()).await
    }

    /// The line to read first, when the engine's best line is generic.
    pub async fn pick(&mut self, facts: &PickFacts, log: &[u8]) -> Result<ModelPick, Deterministic> {
        let prompt = prompt::pick_line(self.templates, facts);
        let key = cache::key(Task::PickLine, &prompt.digest, &facts.fingerprints);
        if self.llm.is_none() {
            return Err(Deterministic::NoLlm);
        }
        if let Some(hit) = self.cached(&key)? {
            // Same failure, maybe another log: find the picked text among
            // this log's candidates.
            let q = hit.evidence.first().cloned().unwrap_or_default();
            if let Some(c) = facts.candidates.iter().find(|c| c.text == q.quote) {
                let again = serde_json::json!({"line": c.no, "why": hit.summary}).to_string();
                if let Ok(p) = pick::accept(&again, facts, log) {
                    self.tally.cache_hits += 1;
                    return Ok(p);
                }
            }
        }
        let (text, tokens) = self.call_or_remember(&prompt, &key).await?;
        match pick::accept(&text, facts, log) {
            Ok(p) => {
                let answer = Answer {
                    summary: p.why.clone(),
                    evidence: vec![QuoteIn { line: Some(p.line), quote: p.text.clone() }],
                    ..Answer::default()
                };
                self.store(key, Ok(answer), tokens);
                Ok(p)
            }
            Err(e) => {
                self.tally.failures += 1;
                let why = format!("the model's pick was refused ({e})");
                self.store(key, Err(why.clone()), tokens);
                Err(Deterministic::Failed { why })
            }
        }
    }

    async fn narrate(&mut self, prompt: Prompt, ids: &[String], source: &[u8]) -> Result<Told, Deterministic> {
        if self.llm.is_none() {
            return Err(Deterministic::NoLlm);
        }
        let key = cache::key(prompt.task, &prompt.digest, ids);
        if let Some((answer, model)) = self.cached(&key)?.map(|a| (a, self.cached_model(&key))) {
            self.tally.cache_hits += 1;
            return Ok(self.checked(&answer, source, Source::Cache { model }));
        }
        let (text, tokens) = self.call_or_remember(&prompt, &key).await?;
        match verify::parse_answer(&text) {
            Ok(answer) => {
                self.store(key, Ok(answer.clone()), tokens);
                Ok(self.checked(&answer, source, Source::Model))
            }
            Err(e) => {
                self.tally.failures += 1;
                let why = format!("the model's answer was unusable ({})", self.scrubber.scrub(&e));
                self.store(key, Err(why.clone()), tokens);
                Err(Deterministic::Failed { why })
            }
        }
    }

    fn checked(&mut self, answer: &Answer, source: &[u8], from: Source) -> Told {
        let narrative = verify::verify(answer, source);
        self.tally.quotes_verified += narrative.checks.quotes_verified;
        self.tally.quotes_dropped += narrative.checks.quotes_dropped;
        Told { narrative, source: from }
    }

    /// A cached answer; a cached failure from today is served as that
    /// failure (no second charge for the same failure the same day).
    fn cached(&mut self, key: &str) -> Result<Option<Answer>, Deterministic> {
        let today = self.today;
        match self.memory.cache.get(key, today) {
            None => Ok(None),
            Some(e) => match (&e.answer, &e.failure) {
                (Some(a), _) => Ok(Some(a.clone())),
                (None, Some(why)) if e.created == today => {
                    Err(Deterministic::Failed { why: format!("{why}; not retried before tomorrow") })
                }
                _ => Ok(None),
            },
        }
    }

    fn cached_model(&self, key: &str) -> String {
        self.memory.cache.entries.get(key).map(|e| e.model.clone()).unwrap_or_default()
    }

    fn store(&mut self, key: String, answer: Result<Answer, String>, tokens: u64) {
        let model = self.llm.map(|l| l.info().model).unwrap_or_default();
        self.memory.cache.put(key, answer, &model, tokens, self.today);
    }

    /// [`Self::call`], remembering a failed call for today so the same
    /// failure is not paid for again on the next tick.
    async fn call_or_remember(&mut self, prompt: &Prompt, key: &str) -> Result<(String, u64), Deterministic> {
        match self.call(prompt).await {
            Err(Deterministic::Failed { why }) => {
                self.store(key.to_string(), Err(why.clone()), 0);
                Err(Deterministic::Failed { why })
            }
            other => other,
        }
    }

    /// Budget check, seal (redaction), call, charge, scrub the answer.
    /// Returns the scrubbed text and the tokens charged.
    async fn call(&mut self, prompt: &Prompt) -> Result<(String, u64), Deterministic> {
        let llm = self.llm.ok_or(Deterministic::NoLlm)?;
        let sealed = self.scrubber.seal(prompt.task, &prompt.system, &prompt.user, prompt.max_tokens);
        // What the call may cost at most: checked against the budget before
        // it, charged after it when it failed by its deadline.
        let ceiling = crate::provider::Usage { input_tokens: sealed.estimated_input_tokens(), output_tokens: u64::from(prompt.max_tokens), estimated: true };
        if !self.memory.budget.allows(ceiling.input_tokens + ceiling.output_tokens, self.today) {
            self.tally.skipped_for_budget += 1;
            return Err(Deterministic::BudgetSpent {
                used: self.memory.budget.used(self.today),
                limit: self.memory.budget.limit,
            });
        }
        let result = match tokio::time::timeout(self.deadline, llm.complete(&sealed)).await {
            Ok(r) => r,
            Err(_) => Err(crate::provider::LlmError::Timeout(self.deadline)),
        };
        match result {
            Ok(c) => {
                self.memory.budget.charge(&c.usage, self.today);
                self.tally.add_call(&c.usage, self.price, c.reported_cost_usd);
                let mut text = self.scrubber.scrub(&c.text);
                if c.truncated {
                    // A cut answer is not trusted to be whole: it will fail
                    // to parse unless the JSON happened to close.
                    text.push_str("\n[answer cut at the output cap]");
                }
                Ok((text, c.usage.input_tokens + c.usage.output_tokens))
            }
            Err(e) => {
                self.tally.failures += 1;
                // What a failed call spent still counts: an agent's turns
                // as it reported them, and a call cut off by its deadline as
                // much as it could have (its request may have been billed).
                let spent = match &e {
                    crate::provider::LlmError::Spent { usage, .. } => Some(*usage),
                    crate::provider::LlmError::Timeout(_) => Some(ceiling),
                    _ => None,
                };
                if let Some(usage) = spent {
                    self.memory.budget.charge(&usage, self.today);
                }
                Err(Deterministic::Failed { why: format!("the LLM call failed ({})", self.scrubber.scrub(&e.to_string())) })
            }
        }
    }
}

//! `analyze-url`: a run or job URL of any repository → an `[Analyze]` issue
//! in the bot repo (one per run/job: re-dispatching updates it instead of
//! opening another), or Markdown on stdout. With a model configured each
//! failed job gets its checked narrative (`services::narration`); the issue
//! keeps the memory and the day's spend is recorded on the daily issue.

use ci_github::{GitHub, RepoRef};
use ci_model::{JobId, RunId, Signal};
use ci_report::analyze::{
    analyze_title_for_job, analyze_title_for_run, render_analyze_body, render_analyze_no_failures,
    render_analyze_stdout, AnalyzeReport, ANALYZE_LABEL, NO_FAILURES_SUFFIX,
};
use ci_report::markers::{analyze_target_marker, with_marker_line};
use ci_report::step_summary;

use crate::action::{AnalyzeUrlOutputs, IssueLink, Outcome, UrlOutput};
use crate::ctx::Ctx;
use crate::domain::gate::is_gate_job;
use crate::services::narration::{self, CommandSpend, NewJob};
use crate::services::triage::triage_jobs;

/// What a run or job URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    /// The run's repository (any repository).
    pub repo: RepoRef,
    /// The run.
    pub run_id: RunId,
    /// The job, for a job URL.
    pub job_id: Option<JobId>,
}

/// `https://<host>/<owner>/<repo>/actions/runs/<run>[/attempts/<n>][/job/<job>]`
/// (also the `/actions/runs/<run>/jobs/<job>` variant, query/fragment ignored).
pub fn parse_url(url: &str) -> Result<ParsedUrl, String> {
    let bad = || format!("not a GitHub Actions run or job URL: {url:?} (expected https://github.com/<owner>/<repo>/actions/runs/<id>[/job/<id>])");
    let trimmed = url.trim();
    let no_scheme = trimmed.split_once("://").map(|(_, r)| r).unwrap_or(trimmed);
    let path = no_scheme.split(['?', '#']).next().unwrap_or("");
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let pos = segs.windows(2).position(|w| w[0] == "actions" && w[1] == "runs").ok_or_else(bad)?;
    if pos < 3 {
        return Err(bad());
    }
    let repo: RepoRef = format!("{}/{}", segs[pos - 2], segs[pos - 1]).parse().map_err(|_| bad())?;
    let run_id: RunId = segs.get(pos + 2).and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let mut job_id = None;
    let mut i = pos + 3;
    while i + 1 < segs.len() {
        match segs[i] {
            "job" | "jobs" => job_id = Some(segs[i + 1].parse().map_err(|_| bad())?),
            "attempts" => {}
            _ => return Err(bad()),
        }
        i += 2;
    }
    if i < segs.len() {
        return Err(bad());
    }
    Ok(ParsedUrl { repo, run_id, job_id })
}

/// Runs the action for `url`.
pub async fn run<G: GitHub + Clone + 'static>(
    ctx: &Ctx<G>,
    url: &str,
    output: UrlOutput,
) -> anyhow::Result<Outcome<AnalyzeUrlOutputs>> {
    let parsed = parse_url(url).map_err(anyhow::Error::msg)?;
    let run = ctx.github().get_workflow_run(&parsed.repo, parsed.run_id).await?;
    let workflow = run.workflow_file();
    let jobs = ctx.github().list_jobs(&parsed.repo, parsed.run_id).await?;
    let selected: Vec<_> = match parsed.job_id {
        Some(id) => jobs.iter().filter(|j| j.id == id).cloned().collect(),
        None => jobs.iter().filter(|j| j.signal() == Signal::Red && !is_gate_job(j, &ctx.config)).cloned().collect(),
    };
    if let (Some(id), true) = (parsed.job_id, selected.is_empty()) {
        anyhow::bail!("job {id} is not part of run {} (or not in its latest attempt)", parsed.run_id);
    }
    // Logs live in the run's repository, not necessarily the target repo.
    let pairs: Vec<_> = selected.iter().map(|j| (run.clone(), j.clone())).collect();
    let triaged = triage_jobs(ctx, &parsed.repo, &pairs).await;
    let deferred = triaged.deferred_warning();
    let (reports, analyses) = (triaged.reports, triaged.analyses);
    let marker = analyze_target_marker(&parsed.repo.to_string(), parsed.run_id, parsed.job_id);

    // The model describes each failed job as analyze-workflow does (none
    // configured: nothing happens).
    let mut jobs = reports.clone();
    let mut llm = ci_report::llm_memory::LlmPart::default();
    let mut spend = None;
    if ctx.llm().configured() && !reports.is_empty() {
        let keep = matches!(output, UrlOutput::Issue);
        // This URL's issue keeps the memory: read it back (the list the
        // upsert makes anyway). On stdout nothing is kept.
        let previous = if keep {
            let filter = ctx.issue_filter(ANALYZE_LABEL.to_string(), None);
            ctx.github().list_issues(&ctx.settings.bot_repo, &filter).await?.into_iter().find(|i| i.body.contains(&marker)).map(|i| i.body)
        } else {
            None
        };
        let today = CommandSpend::read(ctx).await?;
        let new: Vec<NewJob<'_>> = selected
            .iter()
            .filter_map(|job| {
                let (_, analysis) = analyses.iter().find(|(id, _)| *id == job.id)?;
                Some(NewJob { job, analysis, history: None })
            })
            .collect();
        let (spent, part) = narration::narrate_url_jobs(
            ctx.llm(),
            &today,
            previous.as_deref(),
            keep,
            &parsed.repo.to_string(),
            &workflow,
            &new,
            &mut jobs,
            &ctx.rules,
            ctx.settings.date,
        )
        .await;
        llm = part;
        // On stdout nothing is written to GitHub, the spend neither.
        spend = keep.then_some((today, spent));
    }

    let report = AnalyzeReport {
        repo: parsed.repo.to_string(),
        server_url: ctx.settings.server_url.clone(),
        workflow: workflow.clone(),
        run_id: run.id,
        run_number: run.run_number,
        run_url: run.html_url.clone(),
        head_sha: run.head_sha.clone(),
        event: run.event.clone(),
        analyzed_at: ctx.settings.now,
        jobs,
        summary: None,
        bot_name: ctx.config.bot_name.clone(),
        method: ctx.llm().method().into(),
        llm,
    };
    let mut title = match (parsed.job_id, selected.first()) {
        (Some(id), Some(j)) => analyze_title_for_job(&j.name, id),
        _ => analyze_title_for_run(&workflow, run.run_number, &run.head_sha),
    };
    let body = if reports.is_empty() {
        title.push_str(NO_FAILURES_SUFFIX);
        render_analyze_no_failures(&report)
    } else {
        render_analyze_body(&report)
    };
    let mut out = Outcome::new(AnalyzeUrlOutputs { failure_count: reports.len(), issue: None });
    match output {
        UrlOutput::Stdout => out.stdout = render_analyze_stdout(&title, &body),
        UrlOutput::Issue => {
            let full = with_marker_line(&body, &marker);
            let issue = ctx
                .upsert_issue(&ctx.settings.bot_repo, &marker, &title, &[ANALYZE_LABEL.to_string()], None, |_| full.clone())
                .await?;
            out.outputs.issue = IssueLink::from_issue(issue.as_ref());
        }
    }
    out.summary = step_summary::analyze_url(&run.html_url, reports.len());
    if let Some(footer) = &report.llm.footer {
        out.summary.push_str(&format!("- {}\n", ci_report::safe::inline(footer, 400)));
    }
    narration::record_spend(ctx, spend).await;
    out.warnings.extend(deferred);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_run_and_job_urls_of_any_repo() {
        let p = parse_url("https://github.com/acme/widgets/actions/runs/123/job/456").unwrap();
        assert_eq!(p.repo.to_string(), "acme/widgets");
        assert_eq!((p.run_id, p.job_id), (RunId(123), Some(JobId(456))));
        let p = parse_url("https://github.com/a/b/actions/runs/9/attempts/2?pr=3#step:1:2").unwrap();
        assert_eq!((p.run_id, p.job_id), (RunId(9), None));
        let p = parse_url("https://ghe.example.com/org/x.y/actions/runs/7/jobs/8").unwrap();
        assert_eq!(p.job_id, Some(JobId(8)));
    }

    #[test]
    fn rejects_other_urls_with_one_line() {
        for bad in ["", "https://github.com/a/b/pull/1", "https://github.com/a/b/actions/runs/x", "https://github.com/actions/runs/1", "https://github.com/a/b/actions/runs/1/logs", "https://github.com/../../actions/runs/1", "https://github.com/a/../actions/runs/1", "https://github.com/./b/actions/runs/1"] {
            let e = parse_url(bad).unwrap_err();
            assert!(!e.contains('\n'), "{e}");
        }
    }
}

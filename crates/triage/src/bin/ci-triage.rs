//! `ci-triage [analyze-log] [--format json|text] FILE`: the engine
//! alone, without the rest of `ci-bot` (handy for scoring while other crates
//! are mid-change, and used by the end-to-end scorer test).

fn main() {
    let mut format = "json".to_string();
    let mut file = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "analyze-log" => {}
            "--format" => format = args.next().unwrap_or_default(),
            _ if a.starts_with("--format=") => format = a["--format=".len()..].to_string(),
            _ => file = Some(a),
        }
    }
    let Some(path) = file else {
        eprintln!("usage: ci-triage [analyze-log] [--format json|text] FILE");
        std::process::exit(2);
    };
    let f = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("ci-triage: {path}: {e}");
            std::process::exit(2);
        }
    };
    let a = ci_triage::analyze(f, &ci_triage::RuleSet::builtin());
    let out = match format.as_str() {
        "text" => a.render_text(),
        "markdown" => {
            eprintln!("ci-triage: Markdown is rendered by ci-report: use `ci-bot analyze-log --format markdown`");
            std::process::exit(2);
        }
        _ => serde_json::to_string(&a).expect("analysis serialises") + "\n",
    };
    print!("{out}");
}

//! `ci-triage [analyze-log] [--format json|text] [--ruleset full|generic]
//! [--baseline PASS.log] [--rules extra.toml] [--no-runners] [--features] FILE`: the engine alone, without the
//! rest of `ci-bot` (handy for scoring while other crates are mid-change,
//! and used by the end-to-end scorer test). `--features` prints the
//! generic scorer's features of every generic candidate, one JSON object
//! per line, for `tools/train_scorer.py`.

fn main() {
    let mut format = "json".to_string();
    let mut ruleset = "full".to_string();
    let mut baseline = None;
    let mut dump_features = false;
    let mut rules_file = None;
    let mut no_runners = false;
    let mut file = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "analyze-log" => {}
            "--format" => format = args.next().unwrap_or_default(),
            _ if a.starts_with("--format=") => format = a["--format=".len()..].to_string(),
            "--ruleset" => ruleset = args.next().unwrap_or_default(),
            "--baseline" => baseline = args.next(),
            "--features" => dump_features = true,
            "--rules" => rules_file = args.next(),
            "--no-runners" => no_runners = true,
            _ => file = Some(a),
        }
    }
    let Some(path) = file else {
        eprintln!("usage: ci-triage [analyze-log] [--format json|text] [--ruleset full|generic] [--baseline PASS.log] [--features] FILE");
        std::process::exit(2);
    };
    let mut rules = match ruleset.as_str() {
        "full" => match &rules_file {
            None => ci_triage::RuleSet::builtin(),
            Some(p) => {
                let text = std::fs::read_to_string(p).unwrap_or_else(|e| {
                    eprintln!("ci-triage: {p}: {e}");
                    std::process::exit(2);
                });
                ci_triage::RuleSet::with_overrides(&text).unwrap_or_else(|e| {
                    eprintln!("ci-triage: {p}: {e}");
                    std::process::exit(2);
                })
            }
        },
        "generic" => ci_triage::RuleSet::generic(),
        other => {
            eprintln!("ci-triage: unknown ruleset `{other}` (full or generic)");
            std::process::exit(2);
        }
    };
    if no_runners {
        // Measurement only: the rules a format-agnostic log would still
        // meet, without the parsers that know its test runner.
        rules.runners = false;
    }
    let open = |p: &str| match std::fs::File::open(p) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("ci-triage: {p}: {e}");
            std::process::exit(2);
        }
    };
    let baseline = baseline.map(|p| ci_triage::Baseline::from_reader(open(&p)));
    let f = open(&path);
    if dump_features {
        let names = ci_triage::generic_feature_names();
        let mut rows = ci_triage::generic_features(f, &rules, baseline.as_ref());
        rows.sort_by_key(|r| r.0);
        let mut out = String::new();
        for (line, x) in rows {
            let fields: Vec<String> = names.iter().zip(&x).filter(|(_, v)| **v != 0.0).map(|(n, v)| format!("\"{n}\":{v}")).collect();
            out.push_str(&format!("{{\"line\":{line},{}}}\n", fields.join(",")));
        }
        let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
        return;
    }
    let a = ci_triage::analyze_against(f, &rules, baseline.as_ref());
    let out = match format.as_str() {
        "text" => a.render_text(),
        "markdown" => {
            eprintln!("ci-triage: Markdown is rendered by ci-report: use `ci-bot analyze-log --format markdown`");
            std::process::exit(2);
        }
        _ => serde_json::to_string(&a).expect("analysis serialises") + "\n",
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
}

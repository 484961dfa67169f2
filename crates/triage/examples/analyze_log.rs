//! Minimal driver used to score the engine without building the whole
//! `ci-bot` binary: `analyze_log FILE` prints the `ci-triage/v1` JSON.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: analyze_log FILE");
        std::process::exit(2);
    };
    let f = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("analyze_log: {path}: {e}");
            std::process::exit(2);
        }
    };
    let a = ci_triage::analyze(f, &ci_triage::RuleSet::builtin());
    println!("{}", serde_json::to_string(&a).expect("analysis serialises"));
}

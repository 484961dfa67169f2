//! The generic line scorer: a linear model over `FEATURES`, weights in
//! `weights.txt` (compiled in; `tools/train_scorer.py` writes it).

use super::{FEATURES, N_FEATURES};
use std::sync::LazyLock;

static WEIGHTS: LazyLock<[f32; N_FEATURES]> = LazyLock::new(|| parse(include_str!("weights.txt")).expect("weights.txt is checked by a unit test"));

fn parse(text: &str) -> Result<[f32; N_FEATURES], String> {
    let mut w = [0f32; N_FEATURES];
    let mut seen = [false; N_FEATURES];
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (name, value) = line.split_once(char::is_whitespace).ok_or_else(|| format!("`{line}`: want `name value`"))?;
        let i = FEATURES.iter().position(|f| *f == name).ok_or_else(|| format!("unknown feature `{name}`"))?;
        w[i] = value.trim().parse().map_err(|e| format!("`{name}`: {e}"))?;
        seen[i] = true;
    }
    match seen.iter().position(|s| !s) {
        Some(i) => Err(format!("no weight for `{}`", FEATURES[i])),
        None => Ok(w),
    }
}

/// The line's score: higher is more worth reading first.
pub(crate) fn score(x: &[f32; N_FEATURES]) -> f32 {
    x.iter().zip(WEIGHTS.iter()).map(|(a, b)| a * b).sum()
}

#[cfg(test)]
mod tests {
    #[test]
    fn weights_name_every_feature_once() {
        super::parse(include_str!("weights.txt")).unwrap();
        assert!(super::parse("bias 1").is_err());
        assert!(super::parse("nope 1").is_err());
    }
}

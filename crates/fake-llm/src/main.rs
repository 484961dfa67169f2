//! `fake-llm`: serve the scripted fake LLM until killed.
//!
//! ```text
//! fake-llm [--listen 127.0.0.1:0] [--oracle ../shared/datasets/labels.jsonl]
//! ```
//!
//! Prints `fake LLM serving at <url>` once listening. With `--oracle` it
//! answers pick-the-first-line prompts from the labels (see
//! `fake_llm::oracle`); otherwise every request gets the canned narrative.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use fake_llm::oracle::LabelOracle;
use fake_llm::{canned_answer, FakeLlm, Reply};

#[tokio::main]
async fn main() -> Result<()> {
    let mut listen: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let mut oracle = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--listen" => listen = args.next().context("--listen needs an address")?.parse().context("--listen")?,
            "--oracle" => oracle = Some(args.next().context("--oracle needs a labels.jsonl path")?),
            "-h" | "--help" => {
                println!("fake-llm [--listen ADDR] [--oracle labels.jsonl]");
                return Ok(());
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }
    let responder: fake_llm::Responder = match oracle {
        Some(path) => {
            let o = LabelOracle::load(path.as_ref())?;
            eprintln!("oracle: {} labelled logs", o.len());
            Arc::new(move |req| o.answer(req))
        }
        None => Arc::new(|_| Reply::Text(canned_answer())),
    };
    let server = FakeLlm::start_on(listen, responder).await?;
    println!("fake LLM serving at {}", server.url());
    tokio::signal::ctrl_c().await.ok();
    Ok(())
}

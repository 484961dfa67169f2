//! Stub: owned by the helper building this subcommand.

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_action: &str, _args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("not implemented yet")
}

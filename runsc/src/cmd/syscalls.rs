//! `runsc syscalls`: the compatibility table from the sentry's dispatch table.

use clap::Args;

#[derive(Args, Debug)]
pub struct SyscallsArgs {
    /// table, markdown, json or csv.
    #[arg(long, default_value = "table")]
    pub format: String,
}

pub fn run(a: &SyscallsArgs) -> anyhow::Result<i32> {
    let _ = &a.format;
    anyhow::bail!("the compatibility report is not wired yet")
}

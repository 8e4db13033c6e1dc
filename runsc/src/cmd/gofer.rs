//! `runsc gofer` (internal): serve a root directory to the sentry.

use crate::sandbox::inherited_fds;
use clap::Args;

#[derive(Args, Debug)]
pub struct GoferArgs {
    /// The directory to serve as the sandbox's root.
    #[arg(long)]
    pub root: String,
    /// Number of channels handed over at fd 3, 4, ...
    #[arg(long)]
    pub channels: usize,
    /// Refuse every write.
    #[arg(long)]
    pub readonly: bool,
    /// Outlive the CLI that started us (`create`); we still exit when the
    /// sentry closes its channels.
    #[arg(long)]
    pub detached: bool,
}

pub fn run(a: &GoferArgs) -> anyhow::Result<i32> {
    if !a.detached {
        // Never outlive the CLI that started us.
        let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL);
    }
    let channels = inherited_fds(a.channels);
    let root = gofer::confine_to(std::path::Path::new(&a.root))
        .map_err(|e| anyhow::anyhow!("gofer: cannot confine to {}: {e}", a.root))?;
    gofer::serve(
        root,
        channels,
        gofer::ServerOptions {
            readonly: a.readonly,
        },
    )
    .map_err(|e| anyhow::anyhow!("gofer: {e}"))?;
    Ok(0)
}

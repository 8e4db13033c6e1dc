//! `runsc gofer` (internal): serve a root directory to the sentry.

use crate::sandbox::inherited_fds;
use clap::Args;

#[derive(Args, Debug)]
pub struct GoferArgs {
    /// The directory to serve as the sandbox's root.
    #[arg(long)]
    pub root: Option<String>,
    /// Number of channels handed over at fd 3, 4, ...
    #[arg(long)]
    pub channels: Option<usize>,
    /// Refuse every write.
    #[arg(long)]
    pub readonly: bool,
    /// Outlive the CLI that started us (`create`); we still exit when the
    /// sentry closes its channels.
    #[arg(long)]
    pub detached: bool,
}

pub fn run(cli: &crate::Cli, a: &GoferArgs) -> anyhow::Result<i32> {
    let (Some(root), Some(n)) = (&a.root, a.channels) else {
        anyhow::bail!("runsc gofer is internal: it is started by runsc create/run/do, not by hand");
    };
    if n == 0 || !crate::sandbox::handed_over_sockets(n) {
        anyhow::bail!("runsc gofer is internal: it is started by runsc create/run/do with its channels set up, not by hand");
    }
    if !a.detached {
        // Never outlive the CLI that started us.
        let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL);
    }
    let channels = inherited_fds(n);
    let root = gofer::confine_to(std::path::Path::new(root))
        .map_err(|e| anyhow::anyhow!("gofer: cannot confine to {root}: {e}"))?;
    // Confined to the root: from here on an allowlist of file operations.
    let mode = match cli.seccomp.as_deref() {
        Some("log") => crate::config::SeccompMode::Log,
        _ => crate::config::SeccompMode::Kill,
    };
    crate::seccomp::install_gofer(mode)?;
    if a.detached {
        // A container's gofer: once the sandbox has booted, the parsing
        // and confinement code need not stay resident for its life.
        sentry::mm::trim::release_after(std::time::Duration::from_secs(3), || {});
    }
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

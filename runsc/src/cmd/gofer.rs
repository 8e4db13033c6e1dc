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
    /// Serve host files instead of a root directory: `ro:PATH` or
    /// `rw:PATH` (repeatable); the i-th appears as the entry `i` of a
    /// private read-only tmpfs root (file bind mounts).
    #[arg(long = "bind-file")]
    pub bind_files: Vec<String>,
    /// Refuse every write.
    #[arg(long)]
    pub readonly: bool,
    /// Outlive the CLI that started us (`create`); we still exit when the
    /// sentry closes its channels.
    #[arg(long)]
    pub detached: bool,
}

pub fn run(cli: &crate::Cli, a: &GoferArgs) -> anyhow::Result<i32> {
    let (Some(root), Some(n)) = (
        a.root.as_deref().or(a.bind_files.first().map(|_| "")),
        a.channels,
    ) else {
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
    let root = if a.bind_files.is_empty() {
        gofer::confine_to(std::path::Path::new(root))
            .map_err(|e| anyhow::anyhow!("gofer: cannot confine to {root}: {e}"))?
    } else {
        let files = a
            .bind_files
            .iter()
            .map(|f| parse_bind_file(f))
            .collect::<anyhow::Result<Vec<_>>>()?;
        gofer::confine_to_files(&files)
            .map_err(|e| anyhow::anyhow!("gofer: cannot serve the bound files: {e}"))?
    };
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

/// The `--bind-file` argument for `file`.
pub fn bind_file_arg(file: &gofer::BoundFile) -> String {
    let mode = if file.readonly { "ro" } else { "rw" };
    format!("{mode}:{}", file.source.to_string_lossy())
}

fn parse_bind_file(arg: &str) -> anyhow::Result<gofer::BoundFile> {
    let (readonly, path) = match arg.split_at_checked(3) {
        Some(("ro:", p)) => (true, p),
        Some(("rw:", p)) => (false, p),
        _ => anyhow::bail!("--bind-file {arg}: expected ro:PATH or rw:PATH"),
    };
    Ok(gofer::BoundFile {
        source: path.into(),
        readonly,
    })
}

/// The arguments of a files gofer (`runsc gofer --bind-file ...`) serving
/// `files` on `channels` channels.
pub fn files_gofer_args(files: &[gofer::BoundFile], channels: usize) -> Vec<String> {
    let mut v = vec![
        "gofer".to_string(),
        "--channels".into(),
        channels.to_string(),
    ];
    for f in files {
        v.push("--bind-file".into());
        v.push(bind_file_arg(f));
    }
    v
}

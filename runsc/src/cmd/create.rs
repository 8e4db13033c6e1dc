//! `runsc create`: set up the sandbox and leave init waiting for `start`.

use crate::container::launch::{self, Options};
use crate::Cli;
use clap::Args;

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Path to the bundle (the directory with config.json).
    #[arg(long, short = 'b', default_value = ".")]
    pub bundle: String,
    /// Write the sentry's host pid here.
    #[arg(long = "pid-file")]
    pub pid_file: Option<String>,
    /// Unix socket that receives the pty master (process.terminal).
    #[arg(long = "console-socket")]
    pub console_socket: Option<String>,
    /// Accepted for runc compatibility (the sentry always pivots).
    #[arg(long = "no-pivot")]
    pub no_pivot: bool,
    /// Accepted for runc compatibility (no keyrings in the sandbox).
    #[arg(long = "no-new-keyring")]
    pub no_new_keyring: bool,
    /// Accepted for runc compatibility.
    #[arg(long = "preserve-fds", default_value_t = 0)]
    pub preserve_fds: u32,
    pub id: String,
}

pub fn run(cli: &Cli, a: &CreateArgs) -> anyhow::Result<i32> {
    launch::create(
        cli,
        &Options {
            id: &a.id,
            bundle: &a.bundle,
            pid_file: a.pid_file.as_deref(),
            console_socket: a.console_socket.as_deref(),
            foreground: false,
        },
    )?;
    Ok(0)
}

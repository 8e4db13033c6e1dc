//! `runsc run`: create + start. With `--detach` it returns once started;
//! otherwise it waits for the sandbox, removes the container and returns
//! init's exit status (128+N for a signal).

use crate::container::launch::{self, Options};
use crate::Cli;
use clap::Args;
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;

#[derive(Args, Debug)]
pub struct RunArgs {
    #[arg(long, short = 'b', default_value = ".")]
    pub bundle: String,
    #[arg(long = "pid-file")]
    pub pid_file: Option<String>,
    #[arg(long = "console-socket")]
    pub console_socket: Option<String>,
    /// Return once the container started.
    #[arg(long, short = 'd')]
    pub detach: bool,
    #[arg(long = "no-pivot")]
    pub no_pivot: bool,
    #[arg(long = "no-new-keyring")]
    pub no_new_keyring: bool,
    #[arg(long = "preserve-fds", default_value_t = 0)]
    pub preserve_fds: u32,
    pub id: String,
}

pub fn run(cli: &Cli, a: &RunArgs) -> anyhow::Result<i32> {
    let created = launch::create(
        cli,
        &Options {
            id: &a.id,
            bundle: &a.bundle,
            pid_file: a.pid_file.as_deref(),
            console_socket: a.console_socket.as_deref(),
            foreground: !a.detach,
        },
    )?;
    let launch::Created {
        container,
        state,
        sentry,
    } = created;
    if let Err(e) = super::start::start(&container) {
        let _ = super::delete::destroy(container, &state);
        return Err(e);
    }
    if a.detach {
        return Ok(0);
    }
    // Let other verbs (exec, kill, ps) in while we wait.
    let root = container.dir.parent().map(|p| p.to_path_buf());
    drop(container);
    let code = loop {
        match waitpid(Pid::from_raw(sentry.id() as i32), None) {
            Ok(WaitStatus::Exited(_, c)) => break c,
            Ok(WaitStatus::Signaled(_, s, _)) => break 128 + s as i32,
            Ok(_) | Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => anyhow::bail!("waiting for the sandbox: {e}"),
        }
    };
    if let Some(root) = root {
        if let Ok(c) = crate::container::Container::open(&root, &a.id) {
            let st = c.load()?;
            super::delete::destroy(c, &st)?;
        }
    }
    Ok(code)
}

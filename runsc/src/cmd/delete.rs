//! `runsc delete [--force] ID`: remove a stopped (or created) container;
//! with `--force` a running or paused one is killed first. Processes are
//! killed through pidfds and their exit is awaited on the pidfd (no
//! polling); the stubs die with the sentry (their pid namespace's init
//! goes with it) and the gofer is killed too; then the cgroup is removed
//! and the poststop hooks run.

use crate::container::{proc, Container, Status};
use crate::Cli;
use clap::Args;

#[derive(Args, Debug)]
pub struct DeleteArgs {
    /// Kill the container if it is still running.
    #[arg(long, short = 'f')]
    pub force: bool,
    pub id: String,
}

pub fn run(cli: &Cli, a: &DeleteArgs) -> anyhow::Result<i32> {
    let root = std::path::Path::new(&cli.root);
    let c = match Container::open(root, &a.id) {
        Ok(c) => c,
        // runc: deleting a missing container with --force is not an error;
        // a directory without state (a create that died half-way) goes.
        Err(_) if a.force && crate::container::check_id(&a.id).is_ok() => {
            let dir = root.join(&a.id);
            if dir.is_dir() && !dir.join("state.json").exists() {
                let _ = std::fs::remove_dir_all(&dir);
            }
            return Ok(0);
        }
        Err(e) => return Err(e),
    };
    let st = c.load()?;
    let status = st.status();
    match status {
        Status::Stopped | Status::Created => {}
        s if !a.force => anyhow::bail!(
            "cannot delete container {} that is not stopped: {}",
            a.id,
            s.as_str()
        ),
        _ => {}
    }
    destroy(c, &st)
}

/// Kill whatever is left and remove the state.
pub fn destroy(c: Container, st: &crate::container::State) -> anyhow::Result<i32> {
    proc::kill_wait(st.pid, st.pid_start);
    proc::kill_wait(st.gofer_pid, st.gofer_start);
    for &(pid, start) in &st.volume_gofers {
        proc::kill_wait(pid, start);
    }
    // Every process of the sandbox has exited: the cgroup can go (no
    // polling; a missing one is fine).
    match st.cgroup() {
        Ok(Some(cg)) => {
            if let Err(e) = cg.remove() {
                tracing::warn!("{e:#}");
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!("{e:#}"),
    }
    // poststop: failures are warnings (runtime spec).
    st.run_hooks(crate::oci::hooks::HookKind::Poststop, "stopped")?;
    c.remove()?;
    Ok(0)
}

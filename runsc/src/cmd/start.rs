//! `runsc start`: let the created container's init exec.

use crate::container::{client, Container, Status};
use crate::oci::hooks::HookKind;
use crate::Cli;
use clap::Args;
use sentry::kernel::control::Request;

#[derive(Args, Debug)]
pub struct StartArgs {
    pub id: String,
}

pub fn run(cli: &Cli, a: &StartArgs) -> anyhow::Result<i32> {
    let c = Container::open(std::path::Path::new(&cli.root), &a.id)?;
    start(&c)?;
    Ok(0)
}

/// Start `c` (locked by the caller).
pub fn start(c: &Container) -> anyhow::Result<()> {
    let mut st = c.load()?;
    match st.status() {
        Status::Created => {}
        Status::Stopped => anyhow::bail!("cannot start a container that has stopped"),
        s => anyhow::bail!("cannot start an already {} container", s.as_str()),
    }
    // startContainer hooks run on the host (no host code runs in the
    // sandbox), before init's exec; a failure fails the start.
    st.run_hooks(HookKind::StartContainer, "created")?;
    client::call(&c.socket(), &Request::Start)?;
    st.status = Status::Running;
    c.save(&st)?;
    // poststart: failures are warnings (runtime spec).
    st.run_hooks(HookKind::Poststart, "running")?;
    Ok(())
}

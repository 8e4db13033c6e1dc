//! `runsc pause`: freeze every task of the sandbox.

use crate::container::{client, Container, Status};
use crate::Cli;
use clap::Args;
use sentry::kernel::control::Request;

#[derive(Args, Debug)]
pub struct PauseArgs {
    pub id: String,
}

pub fn run(cli: &Cli, a: &PauseArgs) -> anyhow::Result<i32> {
    let c = Container::open(std::path::Path::new(&cli.root), &a.id)?;
    let mut st = c.load()?;
    if st.status() != Status::Running {
        anyhow::bail!("container not running");
    }
    client::call(&c.socket(), &Request::Pause)?;
    st.status = Status::Paused;
    c.save(&st)?;
    Ok(0)
}

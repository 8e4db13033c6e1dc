//! `runsc resume`: thaw a paused sandbox.

use crate::container::{client, Container, Status};
use crate::Cli;
use clap::Args;
use sentry::kernel::control::Request;

#[derive(Args, Debug)]
pub struct ResumeArgs {
    pub id: String,
}

pub fn run(cli: &Cli, a: &ResumeArgs) -> anyhow::Result<i32> {
    let c = Container::open(std::path::Path::new(&cli.root), &a.id)?;
    let mut st = c.load()?;
    if st.status() != Status::Paused {
        anyhow::bail!("container not paused");
    }
    client::call(&c.socket(), &Request::Resume)?;
    st.status = Status::Running;
    c.save(&st)?;
    Ok(0)
}

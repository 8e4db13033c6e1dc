//! `runsc state`: the OCI state JSON of a container.

use crate::container::Container;
use crate::Cli;
use clap::Args;

#[derive(Args, Debug)]
pub struct StateArgs {
    pub id: String,
}

pub fn run(cli: &Cli, a: &StateArgs) -> anyhow::Result<i32> {
    let c = Container::open(std::path::Path::new(&cli.root), &a.id)?;
    let st = c.load()?;
    println!("{}", serde_json::to_string_pretty(&st.oci_json())?);
    Ok(0)
}

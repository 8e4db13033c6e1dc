//! `runsc list`: the containers under `--root`.

use crate::container::list;
use crate::Cli;
use clap::Args;

#[derive(Args, Debug)]
pub struct ListArgs {
    /// table or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
    /// Only the ids.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn run(cli: &Cli, a: &ListArgs) -> anyhow::Result<i32> {
    let all = list(std::path::Path::new(&cli.root));
    if a.quiet {
        for s in &all {
            println!("{}", s.id);
        }
        return Ok(0);
    }
    if a.format == "json" {
        let v: Vec<serde_json::Value> = all.iter().map(|s| s.oci_json()).collect();
        println!("{}", serde_json::to_string(&v)?);
        return Ok(0);
    }
    let rows: Vec<[String; 6]> = all
        .iter()
        .map(|s| {
            let j = s.oci_json();
            [
                s.id.clone(),
                j["pid"].to_string(),
                j["status"].as_str().unwrap_or("").to_string(),
                s.bundle.clone(),
                s.created.clone(),
                s.owner.clone(),
            ]
        })
        .collect();
    let head = ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"].map(String::from);
    let mut w = [0usize; 6];
    for r in std::iter::once(&head).chain(rows.iter()) {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.len());
        }
    }
    for r in std::iter::once(&head).chain(rows.iter()) {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 5 {
                    c.clone()
                } else {
                    format!("{c:<width$}", width = w[i] + 3)
                }
            })
            .collect();
        println!("{}", line.concat());
    }
    Ok(0)
}

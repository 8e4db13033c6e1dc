//! `runsc kill ID [SIGNAL]`: signal the container's init (or, with `--all`,
//! every process of the sandbox). Signals are names with or without the
//! SIG prefix, or numbers; the default is SIGTERM.
//!
//! Delivery: into the sandbox through the control socket, as from outside
//! its pid namespace (so init gets it even without a handler, like runc's
//! init does). SIGKILL, and any signal to a container not started yet,
//! goes to the sentry's host process instead: the sandbox dies at once and
//! the sentry's waiter sees that signal as the container's status.

use crate::container::{client, proc, Container, Status};
use crate::Cli;
use clap::Args;
use sentry::kernel::control::Request;

#[derive(Args, Debug)]
pub struct KillArgs {
    /// Send the signal to every process of the container.
    #[arg(long, short = 'a')]
    pub all: bool,
    pub id: String,
    #[arg(default_value = "SIGTERM")]
    pub signal: String,
}

/// "9", "KILL", "SIGKILL", "sigkill", "RTMIN+2" → the number.
pub fn parse_signal(s: &str) -> anyhow::Result<i32> {
    if let Ok(n) = s.parse::<i32>() {
        if (1..=64).contains(&n) {
            return Ok(n);
        }
        anyhow::bail!("unknown signal \"{s}\"");
    }
    let up = s.to_ascii_uppercase();
    let name = up.strip_prefix("SIG").unwrap_or(&up);
    let rt = |base: i32, rest: &str| -> Option<i32> {
        let off: i32 = if rest.is_empty() {
            0
        } else {
            rest.parse().ok()?
        };
        let n = base + off;
        (libc::SIGRTMIN()..=libc::SIGRTMAX())
            .contains(&n)
            .then_some(n)
    };
    if let Some(rest) = name.strip_prefix("RTMIN") {
        return rt(libc::SIGRTMIN(), rest.trim_start_matches('+'))
            .ok_or_else(|| anyhow::anyhow!("unknown signal \"{s}\""));
    }
    if let Some(rest) = name.strip_prefix("RTMAX") {
        let off: i32 = if rest.is_empty() {
            0
        } else {
            rest.parse()
                .map_err(|_| anyhow::anyhow!("unknown signal \"{s}\""))?
        };
        return rt(libc::SIGRTMAX() + off, "")
            .ok_or_else(|| anyhow::anyhow!("unknown signal \"{s}\""));
    }
    format!("SIG{name}")
        .parse::<nix::sys::signal::Signal>()
        .map(|x| x as i32)
        .map_err(|_| anyhow::anyhow!("unknown signal \"{s}\""))
}

pub fn run(cli: &Cli, a: &KillArgs) -> anyhow::Result<i32> {
    let sig = parse_signal(&a.signal)?;
    let c = Container::open(std::path::Path::new(&cli.root), &a.id)?;
    let st = c.load()?;
    let status = st.status();
    match status {
        Status::Stopped | Status::Creating => anyhow::bail!("container not running"),
        Status::Created => {
            if !proc::signal(st.pid, st.pid_start, sig)? {
                anyhow::bail!("container not running");
            }
        }
        _ if sig == libc::SIGKILL => {
            if !proc::signal(st.pid, st.pid_start, sig)? {
                anyhow::bail!("container not running");
            }
        }
        _ => {
            client::call(
                &c.socket(),
                &Request::Kill {
                    signal: sig,
                    all: a.all,
                    pid: 0,
                },
            )?;
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::parse_signal;

    #[test]
    fn signal_names() {
        assert_eq!(parse_signal("9").unwrap(), 9);
        assert_eq!(parse_signal("KILL").unwrap(), 9);
        assert_eq!(parse_signal("SIGTERM").unwrap(), 15);
        assert_eq!(parse_signal("sigusr1").unwrap(), 10);
        assert_eq!(parse_signal("RTMIN+2").unwrap(), libc::SIGRTMIN() + 2);
        assert!(parse_signal("NOPE").is_err());
        assert!(parse_signal("0").is_err());
        assert!(parse_signal("65").is_err());
    }
}

//! `runsc`: the OCI runtime command line. One binary: the CLI verbs, and the
//! `boot` (sentry) and `gofer` roles it re-executes itself as.

// cgroup and oci::hooks are libraries for the lifecycle verbs (create,
// start, delete, ...); until those call them, parts are only used by tests.
#[allow(dead_code)]
mod cgroup;
mod cmd;
mod config;
mod logging;
#[allow(dead_code)]
mod oci;
mod sandbox;
mod seccomp;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "runsc",
    version,
    about = "A user-space kernel sandbox (OCI runtime)"
)]
pub struct Cli {
    /// State directory for containers.
    #[arg(long, global = true, default_value = "/run/runsc")]
    pub root: String,
    /// Log file (default: stderr).
    #[arg(long, global = true)]
    pub log: Option<String>,
    /// Log format: text (default) or json.
    #[arg(long = "log-format", global = true)]
    pub log_format: Option<String>,
    /// Verbose logging.
    #[arg(long, global = true)]
    pub debug: bool,
    /// Log every app syscall in gVisor's strace format.
    #[arg(long, global = true)]
    pub strace: bool,
    /// Platform (only "ptrace" for now).
    #[arg(long, global = true)]
    pub platform: Option<String>,
    /// Network: sandbox (the sentry's own stack, the default) or none.
    #[arg(long, global = true)]
    pub network: Option<String>,
    /// Root file system overlay: memory (default: an in-memory upper layer,
    /// nothing written reaches the host) or none (writes go to the rootfs).
    #[arg(long, global = true, num_args = 0..=1, default_missing_value = "memory")]
    pub overlay: Option<String>,
    /// Write one debug log per runsc process into this directory.
    #[arg(long = "debug-log", global = true)]
    pub debug_log: Option<String>,
    /// Accepted for runc compatibility: systemd cgroup paths are mapped to plain ones.
    #[arg(long = "systemd-cgroup", global = true)]
    pub systemd_cgroup: bool,
    /// Sentry seccomp filter action for syscalls outside its allowlist: kill (default) or log.
    #[arg(long, global = true)]
    pub seccomp: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a program in a fresh sandbox (rootfs defaults to the host's /).
    Do(cmd::do_cmd::DoArgs),
    /// Run a program like `do` and print its syscall compatibility profile.
    Compat(cmd::compat::CompatArgs),
    /// Print the syscall compatibility table.
    Syscalls(cmd::syscalls::SyscallsArgs),
    /// Write a default OCI config.json (runc's) into the bundle directory.
    Spec(cmd::spec::SpecArgs),
    /// Print the runtime's features (runc's JSON schema).
    Features(cmd::features::FeaturesArgs),
    /// Register runsc as a Docker runtime in daemon.json.
    Install(cmd::install::InstallArgs),
    /// Remove a runtime from Docker's daemon.json.
    Uninstall(cmd::install::UninstallArgs),
    /// Internal: the sentry process.
    #[command(hide = true)]
    Boot(cmd::boot::BootArgs),
    /// Internal: the gofer process.
    #[command(hide = true)]
    Gofer(cmd::gofer::GoferArgs),
}

fn main() {
    let cli = Cli::parse();
    logging::init(&cli);
    let res = match &cli.command {
        Command::Do(a) => cmd::do_cmd::run(&cli, a),
        Command::Compat(a) => cmd::compat::run(&cli, a),
        Command::Syscalls(a) => cmd::syscalls::run(a),
        Command::Spec(a) => cmd::spec::run(a),
        Command::Features(a) => cmd::features::run(a),
        Command::Install(a) => cmd::install::run_install(a),
        Command::Uninstall(a) => cmd::install::run_uninstall(a),
        Command::Boot(a) => cmd::boot::run(&cli, a),
        Command::Gofer(a) => cmd::gofer::run(&cli, a),
    };
    match res {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            logging::fatal(&cli, &format!("{e:#}"));
            std::process::exit(1);
        }
    }
}

//! Logging setup: `tracing` to stderr or `--log`, text or runc-style JSON.

use crate::Cli;
use std::io::Write;

pub fn init(cli: &Cli) {
    let level = if cli.debug || cli.debug_log.is_some() {
        "debug"
    } else if cli.strace {
        "info"
    } else {
        "error"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUNSC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .without_time();
    // --debug-log DIR: one file per process, named after the verb and pid.
    let debug_file = cli.debug_log.as_ref().map(|d| {
        let verb = std::env::args()
            .skip(1)
            .find(|a| !a.starts_with('-') && !a.contains('/'));
        std::path::Path::new(d).join(format!(
            "runsc.{}.{}.log",
            verb.unwrap_or_else(|| "cli".into()),
            std::process::id()
        ))
    });
    let file = debug_file
        .as_deref()
        .or(cli.log.as_ref().map(std::path::Path::new))
        .and_then(|p| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .ok()
        });
    let _ = match (file, cli.log_format.as_deref().unwrap_or("text")) {
        (Some(f), "json") => builder
            .json()
            .with_writer(std::sync::Mutex::new(f))
            .try_init(),
        (Some(f), _) => builder.with_writer(std::sync::Mutex::new(f)).try_init(),
        (None, "json") => builder.json().with_writer(std::io::stderr).try_init(),
        (None, _) => builder.with_writer(std::io::stderr).try_init(),
    };
}

/// Report a fatal CLI error: one line on stderr, and the runc-style JSON
/// record in the log file when `--log-format json`.
pub fn fatal(cli: &Cli, msg: &str) {
    let line = msg.replace('\n', " ");
    let _ = writeln!(std::io::stderr(), "runsc: {line}");
    if cli.log_format.as_deref() == Some("json") {
        if let Some(p) = &cli.log {
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
            {
                let rec = serde_json::json!({"level": "error", "msg": line, "time": rfc3339_now()});
                let _ = writeln!(f, "{rec}");
            }
        }
    }
}

fn rfc3339_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

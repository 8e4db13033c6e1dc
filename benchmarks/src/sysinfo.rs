//! What machine and software the numbers were measured on.

use std::fs;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::runtimes::first_line_of;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    /// UTC, ISO 8601.
    pub date: String,
    pub cpu: String,
    pub cpus: usize,
    pub memory_gib: f64,
    pub kernel: String,
    pub os: String,
    pub cc: String,
    pub python: String,
    pub runs: usize,
    pub warmup: bool,
    pub smoke: bool,
    pub command: String,
    /// The host's 1, 5 and 15 minute load averages when the run ended
    /// (other work on the machine makes every runtime slower).
    #[serde(default)]
    pub load_average: Option<[f64; 3]>,
}

impl Meta {
    pub fn collect(runs: usize, warmup: bool, smoke: bool) -> Meta {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let os_release = fs::read_to_string("/etc/os-release").unwrap_or_default();
        let args: Vec<String> = std::env::args().skip(1).collect();
        Meta {
            date: iso8601_utc(SystemTime::now()),
            cpu: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown".into()),
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_gib: mem_total_kib(&meminfo).map_or(0.0, |k| k as f64 / (1024.0 * 1024.0)),
            kernel: fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "unknown".into()),
            os: pretty_name(&os_release).unwrap_or_else(|| "unknown".into()),
            cc: first_line_of(Path::new("cc"), &["--version"]).unwrap_or_else(|| "unknown".into()),
            python: first_line_of(Path::new("/usr/bin/python3"), &["--version"])
                .unwrap_or_else(|| "unknown".into()),
            runs,
            warmup,
            smoke,
            command: format!("cargo run --release -p benchmarks -- {}", args.join(" "))
                .trim_end()
                .to_string(),
            load_average: fs::read_to_string("/proc/loadavg")
                .ok()
                .and_then(|s| load_average(&s)),
        }
    }
}

fn load_average(loadavg: &str) -> Option<[f64; 3]> {
    let mut it = loadavg.split_whitespace().map(|v| v.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

fn mem_total_kib(meminfo: &str) -> Option<u64> {
    meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn pretty_name(os_release: &str) -> Option<String> {
    os_release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string())
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a time after the epoch.
pub fn iso8601_utc(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Gregorian (year, month, day) of a day count since 1970-01-01, using
/// 400-year eras of 146,097 days whose years start on March 1st.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of March-based year
    let mp = (5 * doy + 2) / 153; // March = 0
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        assert_eq!(iso8601_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400 + 3661); // 2000-02-29
        assert_eq!(iso8601_utc(t), "2000-02-29T01:01:01Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_735_689_599);
        assert_eq!(iso8601_utc(t), "2024-12-31T23:59:59Z");
    }

    #[test]
    fn parses_proc_files() {
        assert_eq!(
            load_average("0.78 1.13 1.26 2/103 28180\n"),
            Some([0.78, 1.13, 1.26])
        );
        assert_eq!(load_average("garbage"), None);
        assert_eq!(
            cpu_model("processor\t: 0\nmodel name\t: Some CPU @ 2GHz\n").as_deref(),
            Some("Some CPU @ 2GHz")
        );
        assert_eq!(
            mem_total_kib("MemTotal:       24684084 kB\n"),
            Some(24_684_084)
        );
        assert_eq!(
            pretty_name("NAME=x\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n").as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
    }
}

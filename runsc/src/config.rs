//! runsc options from three sources: command-line flags, bundle annotations
//! (`dev.runsc.<option>`) and a TOML config file (`/etc/runsc/config.toml`,
//! or the path in `$RUNSC_CONFIG`).
//!
//! Precedence: flag > annotation > file > default. Container engines (the
//! runc shim, conmon) cannot pass extra global flags, so the file and the
//! annotations are how an operator or a single container picks options.
//! Unknown keys and invalid values are errors (one line naming the source),
//! never silently ignored.
//!
//! Integration point for the lifecycle verbs (`create`, `run`): collect the
//! explicitly given global flags with [`cli_flags`], the bundle's annotations
//! from config.json, and call [`resolve`]; pass the result to the sandbox
//! (the sentry and gofer get the resolved values as their own flags, see
//! [`Options::boot_flags`]).

use crate::Cli;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Environment variable that overrides the config file's path.
pub const CONFIG_ENV: &str = "RUNSC_CONFIG";
/// Default config file (a missing default file is not an error).
pub const DEFAULT_CONFIG: &str = "/etc/runsc/config.toml";
/// Prefix of the bundle annotations that carry options.
pub const ANNOTATION_PREFIX: &str = "dev.runsc.";

/// Which mechanism runs app code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Ptrace,
}

/// The sandbox's network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// The sentry's own stack (loopback only until the network stack lands).
    Sandbox,
    /// No network at all, not even loopback.
    None,
}

/// Action of the sentry's seccomp filter on a syscall outside its allowlist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeccompMode {
    /// Kill the sandbox (the default).
    #[default]
    Kill,
    /// Allow it and log it to the host's audit log (finding missing entries).
    Log,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Every runsc option, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub platform: Platform,
    pub network: Network,
    /// A writable in-memory layer over the root file system (`memory`, the
    /// default) or none (`none`: the rootfs is served writable).
    pub overlay: bool,
    pub strace: bool,
    pub debug: bool,
    /// Directory for one log file per runsc process (sentry, gofer, CLI).
    pub debug_log: Option<PathBuf>,
    pub log_format: LogFormat,
    /// Accepted for compatibility: systemd cgroup paths (`slice:prefix:name`)
    /// are mapped to plain paths (see `crate::cgroup`).
    pub systemd_cgroup: bool,
    pub seccomp: SeccompMode,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            platform: Platform::Ptrace,
            network: Network::Sandbox,
            overlay: true,
            strace: false,
            debug: false,
            debug_log: None,
            log_format: LogFormat::Text,
            systemd_cgroup: false,
            seccomp: SeccompMode::Kill,
        }
    }
}

/// One option: its name (the flag's, the annotation's suffix and the file's
/// key) and how a textual value sets it.
struct OptionSpec {
    name: &'static str,
    set: fn(&mut Options, &str) -> Result<(), String>,
}

fn parse_bool(v: &str) -> Result<bool, String> {
    match v {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("expected true or false".into()),
    }
}

const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "platform",
        set: |o, v| {
            o.platform = match v {
                "ptrace" => Platform::Ptrace,
                _ => return Err("expected ptrace (the only platform)".into()),
            };
            Ok(())
        },
    },
    OptionSpec {
        name: "network",
        set: |o, v| {
            o.network = match v {
                "sandbox" => Network::Sandbox,
                "none" => Network::None,
                "host" => return Err("host networking is not supported".into()),
                _ => return Err("expected sandbox or none".into()),
            };
            Ok(())
        },
    },
    OptionSpec {
        name: "overlay",
        set: |o, v| {
            o.overlay = match v {
                "memory" | "true" => true,
                "none" | "false" => false,
                _ => return Err("expected memory or none".into()),
            };
            Ok(())
        },
    },
    OptionSpec {
        name: "strace",
        set: |o, v| {
            o.strace = parse_bool(v)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "debug",
        set: |o, v| {
            o.debug = parse_bool(v)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "debug-log",
        set: |o, v| {
            if v.is_empty() {
                return Err("expected a directory".into());
            }
            o.debug_log = Some(PathBuf::from(v));
            Ok(())
        },
    },
    OptionSpec {
        name: "log-format",
        set: |o, v| {
            o.log_format = match v {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => return Err("expected text or json".into()),
            };
            Ok(())
        },
    },
    OptionSpec {
        name: "systemd-cgroup",
        set: |o, v| {
            o.systemd_cgroup = parse_bool(v)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "seccomp",
        set: |o, v| {
            o.seccomp = match v {
                "kill" => SeccompMode::Kill,
                "log" => SeccompMode::Log,
                _ => return Err("expected kill or log".into()),
            };
            Ok(())
        },
    },
];

/// Names of every option, in documentation order.
pub fn option_names() -> impl Iterator<Item = &'static str> {
    OPTIONS.iter().map(|s| s.name)
}

fn apply(o: &mut Options, source: &str, name: &str, value: &str) -> anyhow::Result<()> {
    let spec = OPTIONS
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| anyhow::anyhow!("{source}: unknown option {name:?}"))?;
    (spec.set)(o, value)
        .map_err(|e| anyhow::anyhow!("{source}: invalid value {value:?} for {name}: {e}"))
}

/// The options the user gave explicitly on the command line, as
/// (name, value) pairs. Flags left at their defaults are not included, so
/// annotations and the file can still set them.
pub fn cli_flags(cli: &Cli) -> Vec<(&'static str, String)> {
    let mut f = Vec::new();
    if let Some(p) = &cli.platform {
        f.push(("platform", p.clone()));
    }
    if let Some(n) = &cli.network {
        f.push(("network", n.clone()));
    }
    if let Some(v) = &cli.overlay {
        f.push(("overlay", v.clone()));
    }
    if cli.strace {
        f.push(("strace", "true".into()));
    }
    if cli.debug {
        f.push(("debug", "true".into()));
    }
    if let Some(d) = &cli.debug_log {
        f.push(("debug-log", d.clone()));
    }
    if let Some(l) = &cli.log_format {
        f.push(("log-format", l.clone()));
    }
    if cli.systemd_cgroup {
        f.push(("systemd-cgroup", "true".into()));
    }
    if let Some(s) = &cli.seccomp {
        f.push(("seccomp", s.clone()));
    }
    f
}

/// The config file's path: `$RUNSC_CONFIG` when set, else the default.
pub fn config_path() -> (PathBuf, bool) {
    match std::env::var_os(CONFIG_ENV) {
        Some(p) if !p.is_empty() => (PathBuf::from(p), true),
        _ => (PathBuf::from(DEFAULT_CONFIG), false),
    }
}

/// Resolve every option: flag > annotation > file > default.
/// `annotations` are the bundle's (only `dev.runsc.*` keys are looked at).
pub fn resolve(
    cli_flags: &[(&str, String)],
    annotations: &BTreeMap<String, String>,
) -> anyhow::Result<Options> {
    let (path, explicit) = config_path();
    resolve_with(cli_flags, annotations, &path, explicit)
}

/// [`resolve`] with the config file named. A missing file is an error only
/// when `required` (it was named by `$RUNSC_CONFIG`).
pub fn resolve_with(
    cli_flags: &[(&str, String)],
    annotations: &BTreeMap<String, String>,
    file: &Path,
    required: bool,
) -> anyhow::Result<Options> {
    let mut o = Options::default();
    match std::fs::read_to_string(file) {
        Ok(text) => apply_file(&mut o, file, &text)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {}
        Err(e) => anyhow::bail!("config file {}: {e}", file.display()),
    }
    for (k, v) in annotations {
        if let Some(name) = k.strip_prefix(ANNOTATION_PREFIX) {
            apply(&mut o, &format!("annotation {k}"), name, v)?;
        }
    }
    for (k, v) in cli_flags {
        apply(&mut o, &format!("flag --{k}"), k, v)?;
    }
    Ok(o)
}

fn apply_file(o: &mut Options, file: &Path, text: &str) -> anyhow::Result<()> {
    let source = format!("config file {}", file.display());
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        // toml's messages span several lines (a source excerpt): keep one.
        let msg = e.message().replace('\n', " ");
        match e.span() {
            Some(s) => {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                anyhow::anyhow!("{source}: line {line}: {msg}")
            }
            None => anyhow::anyhow!("{source}: {msg}"),
        }
    })?;
    for (k, v) in &table {
        let value = match v {
            toml::Value::String(s) => s.clone(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Integer(i) => i.to_string(),
            other => anyhow::bail!(
                "{source}: invalid value for {k}: expected a string or a boolean, found {}",
                other.type_str()
            ),
        };
        apply(o, &source, k, &value)?;
    }
    Ok(())
}

impl Options {
    /// The global flags that hand these options to a child runsc process
    /// (`runsc boot`, `runsc gofer`), so that it does not resolve again.
    pub fn boot_flags(&self) -> Vec<String> {
        let mut f = Vec::new();
        if self.strace {
            f.push("--strace".to_string());
        }
        if self.debug {
            f.push("--debug".to_string());
        }
        if let Some(d) = &self.debug_log {
            f.push(format!("--debug-log={}", d.display()));
        }
        if self.seccomp == SeccompMode::Log {
            f.push("--seccomp=log".to_string());
        }
        if self.log_format == LogFormat::Json {
            f.push("--log-format=json".to_string());
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpfile(name: &str, text: &str) -> PathBuf {
        // Removed by the test after use.
        let p =
            std::env::temp_dir().join(format!("runsc-config-test-{}-{name}", std::process::id()));
        std::fs::write(&p, text).unwrap();
        p
    }

    fn ann(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_without_file() {
        let o = resolve_with(&[], &ann(&[]), Path::new("/nonexistent/runsc.toml"), false).unwrap();
        assert_eq!(o, Options::default());
        let e = resolve_with(&[], &ann(&[]), Path::new("/nonexistent/runsc.toml"), true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("/nonexistent/runsc.toml"), "{e}");
    }

    #[test]
    fn precedence_flag_annotation_file() {
        let f = tmpfile(
            "prec.toml",
            "strace = true\nseccomp = \"log\"\nnetwork = \"none\"\ndebug-log = \"/tmp/x\"\n",
        );
        let a = ann(&[
            ("dev.runsc.seccomp", "kill"),
            ("dev.runsc.network", "sandbox"),
            ("org.other.thing", "whatever"),
        ]);
        let o = resolve_with(&[("network", "none".into())], &a, &f, true).unwrap();
        assert!(o.strace, "file value kept when nothing overrides it");
        assert_eq!(o.seccomp, SeccompMode::Kill, "annotation beats file");
        assert_eq!(o.network, Network::None, "flag beats annotation");
        assert_eq!(o.debug_log.as_deref(), Some(Path::new("/tmp/x")));
        assert!(!o.debug, "default");
        let _ = std::fs::remove_file(&f);
    }

    #[test]
    fn errors_are_one_line_and_name_the_source() {
        type Case<'a> = (
            Vec<(&'a str, String)>,
            BTreeMap<String, String>,
            &'a str,
            &'a str,
        );
        let cases: Vec<Case> = vec![
            (vec![], ann(&[]), "bogus = 1\n", "unknown option \"bogus\""),
            (
                vec![],
                ann(&[]),
                "platform = \"kvm\"\n",
                "invalid value \"kvm\"",
            ),
            (vec![], ann(&[]), "strace = [1]\n", "found array"),
            (vec![], ann(&[]), "strace = \n", "line 1"),
            (
                vec![],
                ann(&[("dev.runsc.nope", "1")]),
                "",
                "annotation dev.runsc.nope: unknown option",
            ),
            (
                vec![],
                ann(&[("dev.runsc.debug", "maybe")]),
                "",
                "expected true or false",
            ),
            (
                vec![("network", "host".into())],
                ann(&[]),
                "",
                "flag --network",
            ),
        ];
        for (i, (flags, a, file, want)) in cases.into_iter().enumerate() {
            let f = tmpfile(&format!("err{i}.toml"), file);
            let e = format!("{:#}", resolve_with(&flags, &a, &f, true).unwrap_err());
            let _ = std::fs::remove_file(&f);
            assert!(e.contains(want), "case {i}: {e:?} lacks {want:?}");
            assert!(!e.contains('\n'), "case {i}: not one line: {e:?}");
        }
    }

    #[test]
    fn boot_flags_round_trip() {
        let o = Options {
            strace: true,
            debug_log: Some("/d".into()),
            ..Options::default()
        };
        assert_eq!(o.boot_flags(), vec!["--strace", "--debug-log=/d"]);
    }
}

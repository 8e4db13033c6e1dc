//! `runsc install` and `runsc uninstall`: register this binary as a Docker
//! runtime in Docker's daemon.json (or remove it), merging with what the file
//! already holds and keeping a backup of the previous version
//! (`daemon.json.bak`). The file is replaced atomically (write + rename).
//! Docker reads it at start: restart (or SIGHUP) dockerd afterwards.

use anyhow::Context;
use clap::Args;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

pub const DEFAULT_CONFIG: &str = "/etc/docker/daemon.json";

#[derive(Args, Debug)]
pub struct InstallArgs {
    /// Docker's daemon configuration file.
    #[arg(long = "config-file", default_value = DEFAULT_CONFIG)]
    pub config_file: PathBuf,
    /// Name of the runtime (`docker run --runtime NAME`).
    #[arg(long, default_value = "runsc")]
    pub runtime: String,
    /// Flags Docker passes to runsc before every verb (after `--`).
    #[arg(last = true)]
    pub runtime_args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct UninstallArgs {
    /// Docker's daemon configuration file.
    #[arg(long = "config-file", default_value = DEFAULT_CONFIG)]
    pub config_file: PathBuf,
    /// Name of the runtime to remove.
    #[arg(long, default_value = "runsc")]
    pub runtime: String,
}

fn load(path: &Path) -> anyhow::Result<Map<String, Value>> {
    match std::fs::read_to_string(path) {
        Ok(s) if s.trim().is_empty() => Ok(Map::new()),
        Ok(s) => match serde_json::from_str(&s) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => anyhow::bail!("{}: not a JSON object", path.display()),
            Err(e) => anyhow::bail!("{}: invalid JSON: {e}", path.display()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Map::new()),
        Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
    }
}

/// Back up the current file (if any) and write `m` in its place.
fn store(path: &Path, m: Map<String, Value>) -> anyhow::Result<Option<PathBuf>> {
    let backup = if path.exists() {
        let mut b = path.as_os_str().to_owned();
        b.push(".bak");
        let b = PathBuf::from(b);
        std::fs::copy(path, &b).with_context(|| format!("cannot back up to {}", b.display()))?;
        Some(b)
    } else {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        None
    };
    let mut text = serde_json::to_string_pretty(&Value::Object(m))?;
    text.push('\n');
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".runsc-tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(backup)
}

/// Add or replace runtime `name` → `exe` with `args`.
pub fn install(
    path: &Path,
    name: &str,
    exe: &Path,
    args: &[String],
) -> anyhow::Result<Option<PathBuf>> {
    if name.is_empty() {
        anyhow::bail!("the runtime name must not be empty");
    }
    let mut m = load(path)?;
    let runtimes = m.entry("runtimes").or_insert_with(|| json!({}));
    let runtimes = runtimes
        .as_object_mut()
        .with_context(|| format!("{}: \"runtimes\" is not an object", path.display()))?;
    let mut rt = json!({"path": exe.to_string_lossy()});
    if !args.is_empty() {
        rt["runtimeArgs"] = json!(args);
    }
    runtimes.insert(name.to_string(), rt);
    store(path, m)
}

/// Remove runtime `name`; an error if it is not there.
pub fn uninstall(path: &Path, name: &str) -> anyhow::Result<Option<PathBuf>> {
    let mut m = load(path)?;
    let runtimes = m.get_mut("runtimes").and_then(Value::as_object_mut);
    let Some(runtimes) = runtimes.filter(|r| r.contains_key(name)) else {
        anyhow::bail!("runtime {name:?} not found in {}", path.display());
    };
    runtimes.remove(name);
    if runtimes.is_empty() {
        m.remove("runtimes");
    }
    store(path, m)
}

pub fn run_install(a: &InstallArgs) -> anyhow::Result<i32> {
    let exe = std::env::current_exe().context("cannot find our own executable")?;
    let exe = std::fs::canonicalize(&exe).unwrap_or(exe);
    let backup = install(&a.config_file, &a.runtime, &exe, &a.runtime_args)?;
    println!(
        "runtime {:?} ({}) added to {}{}; restart dockerd to use it",
        a.runtime,
        exe.display(),
        a.config_file.display(),
        backup
            .map(|b| format!(" (previous version in {})", b.display()))
            .unwrap_or_default()
    );
    Ok(0)
}

pub fn run_uninstall(a: &UninstallArgs) -> anyhow::Result<i32> {
    let backup = uninstall(&a.config_file, &a.runtime)?;
    println!(
        "runtime {:?} removed from {}{}",
        a.runtime,
        a.config_file.display(),
        backup
            .map(|b| format!(" (previous version in {})", b.display()))
            .unwrap_or_default()
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("runsc-install-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d.join("daemon.json")
    }

    fn read(p: &Path) -> Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    #[test]
    fn install_merges_and_backs_up() {
        let p = tmp("merge");
        let orig = r#"{"storage-driver":"vfs","runtimes":{"other":{"path":"/usr/bin/other"}}}"#;
        std::fs::write(&p, orig).unwrap();
        let args = vec!["--debug".to_string(), "--strace".to_string()];
        let b = install(&p, "runsc", Path::new("/usr/local/bin/runsc"), &args).unwrap();
        let v = read(&p);
        assert_eq!(v["storage-driver"], "vfs");
        assert_eq!(v["runtimes"]["other"]["path"], "/usr/bin/other");
        assert_eq!(v["runtimes"]["runsc"]["path"], "/usr/local/bin/runsc");
        assert_eq!(
            v["runtimes"]["runsc"]["runtimeArgs"],
            json!(["--debug", "--strace"])
        );
        assert_eq!(std::fs::read_to_string(b.unwrap()).unwrap(), orig);
        // Reinstalling replaces the entry (no args now).
        install(&p, "runsc", Path::new("/x/runsc"), &[]).unwrap();
        let v = read(&p);
        assert_eq!(v["runtimes"]["runsc"], json!({"path": "/x/runsc"}));
        // Uninstall keeps the others.
        uninstall(&p, "runsc").unwrap();
        let v = read(&p);
        assert!(v["runtimes"].get("runsc").is_none());
        assert_eq!(v["runtimes"]["other"]["path"], "/usr/bin/other");
        let e = uninstall(&p, "runsc").unwrap_err().to_string();
        assert!(e.contains("not found"), "{e}");
        uninstall(&p, "other").unwrap();
        assert_eq!(read(&p), json!({"storage-driver": "vfs"}));
        let _ = std::fs::remove_dir_all(p.parent().unwrap());
    }

    #[test]
    fn missing_or_empty_file_and_bad_json() {
        let p = tmp("new").parent().unwrap().join("sub/daemon.json");
        assert!(install(&p, "rs", Path::new("/r"), &[]).unwrap().is_none());
        assert_eq!(read(&p), json!({"runtimes": {"rs": {"path": "/r"}}}));
        let _ = std::fs::remove_dir_all(p.parent().unwrap().parent().unwrap());
        let p = tmp("empty");
        std::fs::write(&p, "").unwrap();
        install(&p, "rs", Path::new("/r"), &[]).unwrap();
        assert_eq!(read(&p)["runtimes"]["rs"]["path"], "/r");
        let _ = std::fs::remove_dir_all(p.parent().unwrap());
        for bad in ["{", "[1]", r#"{"runtimes": 3}"#] {
            let p = tmp("bad");
            std::fs::write(&p, bad).unwrap();
            let e = install(&p, "rs", Path::new("/r"), &[])
                .unwrap_err()
                .to_string();
            assert!(!e.contains('\n'), "{e}");
            assert_eq!(
                std::fs::read_to_string(&p).unwrap(),
                bad,
                "file changed on error"
            );
            let _ = std::fs::remove_dir_all(p.parent().unwrap());
        }
    }
}

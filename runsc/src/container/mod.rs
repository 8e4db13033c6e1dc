//! Container logic shared by the runc-style verbs (`create`, `start`, ...):
//! the state directory, the bundle, launching the sandbox and talking to it.
//!
//! Layout: `<root>/<id>/` holds `state.json` (written atomically through a
//! temp file and a rename), `lock` (flock'ed by every verb for the whole
//! operation, so concurrent verbs on one container serialise) and
//! `control.sock` (the sentry's control socket, [`sentry::kernel::control`]).
//!
//! The status is computed, never trusted from the file alone: a container
//! whose sentry is gone (or is a zombie, or whose pid was reused: the start
//! time in `/proc/<pid>/stat` is recorded) is `stopped`.

pub mod client;
pub mod kernel_ns;
pub mod launch;
pub mod proc;
pub mod spec;

use anyhow::Context;
use nix::fcntl::{Flock, FlockArg};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The OCI runtime spec version we report.
pub const OCI_VERSION: &str = "1.0.2";

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Creating,
    Created,
    Running,
    Paused,
    Stopped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Creating => "creating",
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Stopped => "stopped",
        }
    }
}

/// What `state.json` records.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct State {
    pub id: String,
    pub bundle: String,
    pub rootfs: String,
    /// The sentry's host pid and its start time (clock ticks since boot).
    pub pid: i32,
    pub pid_start: u64,
    pub gofer_pid: i32,
    pub gofer_start: u64,
    /// The gofers of bind mounts (directories, the files gofer): pid and
    /// start time.
    #[serde(default)]
    pub volume_gofers: Vec<(i32, u64)>,
    /// The last status a verb set (created, running, paused, stopped).
    pub status: Status,
    /// RFC 3339.
    pub created: String,
    pub owner: String,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Mounts of config.json the sandbox does not provide yet.
    #[serde(default)]
    pub unmounted: Vec<String>,
    /// The sandbox's cgroup (linux.cgroupsPath) when create made one.
    #[serde(default)]
    pub cgroup: Option<CgroupRef>,
}

/// Where the sandbox's cgroup is.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct CgroupRef {
    pub path: Option<String>,
}

impl State {
    /// The state JSON hooks get on stdin, with `status` forced.
    pub fn hook_state(&self, status: &str) -> Vec<u8> {
        let mut j = self.oci_json();
        j["status"] = serde_json::json!(status);
        if status != "stopped" {
            j["pid"] = serde_json::json!(self.pid);
        }
        serde_json::to_vec(&j).unwrap_or_default()
    }

    /// Run the bundle's hooks of `kind` (read from its config.json).
    pub fn run_hooks(&self, kind: crate::oci::hooks::HookKind, status: &str) -> anyhow::Result<()> {
        match spec::load(&self.bundle) {
            Ok(b) => b.hooks.run(kind, &self.hook_state(status)),
            // The bundle may be gone by delete: no hooks to run then.
            Err(_) => Ok(()),
        }
    }

    /// The sandbox's cgroup, if create made one.
    pub fn cgroup(&self) -> anyhow::Result<Option<crate::cgroup::Cgroup>> {
        match &self.cgroup {
            Some(r) => crate::cgroup::Cgroup::locate(r.path.as_deref(), &self.id).map(Some),
            None => Ok(None),
        }
    }

    /// The status now: the recorded one while the sentry lives.
    pub fn status(&self) -> Status {
        if self.status == Status::Stopped || !proc::alive(self.pid, self.pid_start) {
            Status::Stopped
        } else {
            self.status
        }
    }

    /// The OCI state JSON (`runsc state`, `list --format json`).
    pub fn oci_json(&self) -> serde_json::Value {
        let st = self.status();
        serde_json::json!({
            "ociVersion": OCI_VERSION,
            "id": self.id,
            "pid": if st == Status::Stopped { 0 } else { self.pid },
            "status": st.as_str(),
            "bundle": self.bundle,
            "rootfs": self.rootfs,
            "created": self.created,
            "owner": self.owner,
            "annotations": self.annotations,
        })
    }
}

/// `<root>/<id>` with its lock held.
pub struct Container {
    pub dir: PathBuf,
    pub id: String,
    _lock: Flock<std::fs::File>,
}

/// Container ids: what runc accepts.
pub fn check_id(id: &str) -> anyhow::Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 1024
        && id != "."
        && id != ".."
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+-.".contains(&b));
    if !ok {
        anyhow::bail!("invalid container id format: {id}");
    }
    Ok(())
}

/// Lock `<dir>/lock` (made by `create`; never created by other verbs, so
/// a concurrent delete can always remove the directory).
fn lock_file(dir: &Path, create: bool) -> anyhow::Result<Flock<std::fs::File>> {
    let mut f = std::fs::OpenOptions::new()
        .create(create)
        .truncate(false)
        .read(true)
        .write(true)
        .open(dir.join("lock"))
        .with_context(|| format!("lock {}", dir.display()))?;
    loop {
        match Flock::lock(f, FlockArg::LockExclusive) {
            Ok(l) => return Ok(l),
            Err((back, nix::errno::Errno::EINTR)) => f = back,
            Err((_, e)) => return Err(e).context("flock"),
        }
    }
}

impl Container {
    /// Make `<root>/<id>` for a new container (fails if it exists).
    pub fn create(root: &Path, id: &str) -> anyhow::Result<Container> {
        check_id(id)?;
        std::fs::create_dir_all(root).with_context(|| format!("state root {}", root.display()))?;
        let dir = root.join(id);
        match std::fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                anyhow::bail!("container with id exists: {id}")
            }
            Err(e) => return Err(e).with_context(|| format!("create {}", dir.display())),
        }
        let lock = lock_file(&dir, true)?;
        Ok(Container {
            dir,
            id: id.to_string(),
            _lock: lock,
        })
    }

    /// Open and lock an existing container.
    pub fn open(root: &Path, id: &str) -> anyhow::Result<Container> {
        check_id(id)?;
        let dir = root.join(id);
        if !dir.join("state.json").exists() {
            anyhow::bail!("container does not exist: {id}");
        }
        let gone = || anyhow::anyhow!("container does not exist: {id}");
        let lock = lock_file(&dir, false).map_err(|_| gone())?;
        // Deleted while we waited for the lock?
        if !dir.join("state.json").exists() {
            anyhow::bail!("container does not exist: {id}");
        }
        Ok(Container {
            dir,
            id: id.to_string(),
            _lock: lock,
        })
    }

    pub fn load(&self) -> anyhow::Result<State> {
        let p = self.dir.join("state.json");
        let data = std::fs::read(&p).with_context(|| format!("read {}", p.display()))?;
        serde_json::from_slice(&data).with_context(|| format!("parse {}", p.display()))
    }

    /// Write state.json atomically.
    pub fn save(&self, st: &State) -> anyhow::Result<()> {
        let data = serde_json::to_vec(st)?;
        write_atomic(&self.dir.join("state.json"), &data)
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.join("control.sock")
    }

    /// Remove the state directory (the lock goes with it).
    pub fn remove(self) -> anyhow::Result<()> {
        std::fs::remove_dir_all(&self.dir).with_context(|| format!("remove {}", self.dir.display()))
    }
}

/// Write `data` to `path` through a temp file in the same directory and a
/// rename, so readers see the old or the new content, never a part.
pub fn write_atomic(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}", std::process::id()));
    std::fs::write(&tmp, data).with_context(|| format!("open {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| {
        let _ = std::fs::remove_file(&tmp);
        format!("rename {}", path.display())
    })
}

/// Every container under `root`, sorted by id (unreadable ones skipped).
pub fn list(root: &Path) -> Vec<State> {
    let mut v = Vec::new();
    if let Ok(rd) = std::fs::read_dir(root) {
        for e in rd.flatten() {
            let p = e.path().join("state.json");
            if let Some(st) = std::fs::read(&p)
                .ok()
                .and_then(|d| serde_json::from_slice::<State>(&d).ok())
            {
                v.push(st);
            }
        }
    }
    v.sort_by(|a, b| a.id.cmp(&b.id));
    v
}

/// Now in RFC 3339 with nanoseconds, like runc's `created`.
pub fn now_rfc3339() -> String {
    crate::logging::rfc3339_now()
}

/// `runsc events` / `update`: the container's status and cgroup.
pub fn events_target(cli: &crate::Cli, id: &str) -> anyhow::Result<crate::cmd::events::Target> {
    let st = Container::open(Path::new(&cli.root), id)?.load()?;
    let cgroup = match st.cgroup()? {
        Some(c) => c,
        None => crate::cgroup::Cgroup::locate(None, id)?,
    };
    Ok(crate::cmd::events::Target {
        status: st.status().as_str().into(),
        cgroup,
    })
}

//! Confinement of the `runsc gofer` process.

use std::fs::OpenOptions;
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{unshare, CloneFlags};
use nix::sys::statvfs::{statvfs, FsFlags};

use crate::sys::nix_errno;
use crate::GoferError;

fn step(op: &'static str) -> impl FnOnce(nix::Error) -> GoferError {
    move |e| GoferError::Sys {
        op,
        errno: nix_errno(e),
    }
}

/// Capabilities the gofer keeps after confinement, as a mask of `CAP_*` numbers. The sentry
/// does the permission checks of the sandbox's users; the gofer acts for them on the host:
/// * `CAP_CHOWN`: owners of created files and `chown` for the sandbox's root;
/// * `CAP_DAC_OVERRIDE`: open, create and remove whatever the sentry allowed, regardless of
///   the host's permission bits;
/// * `CAP_DAC_READ_SEARCH`: `linkat(AT_EMPTY_PATH)` of a handle's fd (no re-resolution of a
///   name that could have been swapped);
/// * `CAP_FOWNER`: chmod, utimes and xattrs of files the gofer's uid does not own;
/// * `CAP_FSETID`: keep set-group-ID bits the sentry decided to keep.
///
/// Dropped, among all the others: `CAP_SYS_ADMIN` (no more mounts), `CAP_MKNOD` (device nodes
/// are refused anyway), `CAP_SYS_PTRACE`, `CAP_NET_*`, `CAP_SETUID`/`CAP_SETGID`,
/// `CAP_SYS_CHROOT` (the root cannot be escaped by another chroot).
pub const KEPT_CAPS: u64 = 1 << CAP_CHOWN
    | 1 << CAP_DAC_OVERRIDE
    | 1 << CAP_DAC_READ_SEARCH
    | 1 << CAP_FOWNER
    | 1 << CAP_FSETID;

const CAP_CHOWN: u64 = 0;
const CAP_DAC_OVERRIDE: u64 = 1;
const CAP_DAC_READ_SEARCH: u64 = 2;
const CAP_FOWNER: u64 = 3;
const CAP_FSETID: u64 = 4;

/// Makes `root` the whole visible filesystem of this process and returns an `O_PATH` fd of it
/// for [`crate::serve`].
///
/// The process also enters new network and IPC namespaces (no network at all), keeps only
/// [`KEPT_CAPS`] and sets `no_new_privs`; `runsc gofer` then installs its seccomp allowlist
/// (`runsc/src/seccomp/gofer.rs`).
///
/// In a new mount namespace (with `/` made a recursive slave, so nothing propagates back to the
/// host), `root` is bind-mounted onto itself (non-recursively: mounts below `root` on the host are
/// not visible; serve them through their own gofer connections), remounted `nosuid,nodev` (keeping
/// `ro`, `noexec` and atime flags), and made the root with `pivot_root(".", ".")` followed by a
/// detaching unmount of the old root. Then `no_new_privs` is set.
///
/// Call it before starting threads: the new namespace is the calling thread's, inherited by the
/// threads it creates afterwards. Needs `CAP_SYS_ADMIN`.
pub fn confine_to(root: &Path) -> Result<OwnedFd, GoferError> {
    const NONE: Option<&str> = None;
    enter_namespaces()?;
    mount(Some(root), root, NONE, MsFlags::MS_BIND, NONE).map_err(step("bind-mount the root"))?;
    // Harden the new mount without loosening what it already had.
    harden(root, false).map_err(step("remount the root nosuid,nodev"))?;
    pivot_into(root)?;
    lock_down()
}

/// One host file a files gofer serves (an OCI file bind mount or a `--volume` of a file).
#[derive(Debug, Clone)]
pub struct BoundFile {
    pub source: std::path::PathBuf,
    pub readonly: bool,
}

/// Like [`confine_to`], but the root is a private, read-only tmpfs holding only `files`: the
/// i-th file appears as the entry named `i` (decimal), a bind mount of the host file, read-only
/// when it says so (the host kernel then refuses every write with `EROFS`, whatever the
/// server is asked). Nothing else of the host is visible. The sources are opened (following
/// symlinks, as a bind mount's source is on the host) before the tmpfs is mounted and must be
/// regular files.
///
/// The tmpfs is mounted over `/tmp` of the new mount namespace (any directory would do; the
/// host's `/tmp` is untouched) and then made the root with `pivot_root`.
pub fn confine_to_files(files: &[BoundFile]) -> Result<OwnedFd, GoferError> {
    const NONE: Option<&str> = None;
    const TOP: &str = "/tmp";
    // Opened in the new namespace: a bind mount's source must be a mount
    // of the caller's namespace.
    enter_namespaces()?;
    let mut fds = Vec::new();
    for f in files {
        let fd = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_PATH | libc::O_CLOEXEC)
            .open(&f.source)
            .map_err(|e| GoferError::Sys {
                op: "open a bound file",
                errno: e.into(),
            })?;
        if !fd.metadata().map(|m| m.is_file()).unwrap_or(false) {
            return Err(GoferError::Sys {
                op: "a bound file is not a regular file",
                errno: syscalls::Errno::EINVAL,
            });
        }
        fds.push(fd);
    }
    let tmpfs_flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
    mount(
        Some("tmpfs"),
        TOP,
        Some("tmpfs"),
        tmpfs_flags,
        Some("size=4k,mode=0755"),
    )
    .map_err(step("mount the files' tmpfs"))?;
    for (i, (f, fd)) in files.iter().zip(&fds).enumerate() {
        let at = format!("{TOP}/{i}");
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&at)
            .map_err(|e| GoferError::Sys {
                op: "create a mount point for a bound file",
                errno: e.into(),
            })?;
        let src = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(fd));
        mount(
            Some(src.as_str()),
            at.as_str(),
            NONE,
            MsFlags::MS_BIND,
            NONE,
        )
        .map_err(step("bind-mount a bound file"))?;
        harden(Path::new(&at), f.readonly).map_err(step("remount a bound file"))?;
    }
    drop(fds);
    // Nothing can be created or removed beside the files.
    mount(
        NONE,
        TOP,
        NONE,
        MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY | tmpfs_flags,
        Some("size=4k,mode=0755"),
    )
    .map_err(step("remount the files' tmpfs read-only"))?;
    pivot_into(Path::new(TOP))?;
    lock_down()
}

/// New mount, network and IPC namespaces, with `/` a recursive slave (nothing propagates back
/// to the host).
fn enter_namespaces() -> Result<(), GoferError> {
    const NONE: Option<&str> = None;
    unshare(CloneFlags::CLONE_NEWNS | CloneFlags::CLONE_NEWNET | CloneFlags::CLONE_NEWIPC)
        .map_err(step("unshare(CLONE_NEWNS|CLONE_NEWNET|CLONE_NEWIPC)"))?;
    mount(NONE, "/", NONE, MsFlags::MS_SLAVE | MsFlags::MS_REC, NONE).map_err(step("make / rslave"))
}

/// Remount the bind mount at `at` `nosuid,nodev` (and `ro` with `readonly`), keeping the `ro`,
/// `noexec` and atime flags it already had.
fn harden(at: &Path, readonly: bool) -> nix::Result<()> {
    const NONE: Option<&str> = None;
    let current = statvfs(at)?.flags();
    let mut flags = MsFlags::MS_REMOUNT | MsFlags::MS_BIND | MsFlags::MS_NOSUID | MsFlags::MS_NODEV;
    if readonly {
        flags |= MsFlags::MS_RDONLY;
    }
    for (have, keep) in [
        (FsFlags::ST_RDONLY, MsFlags::MS_RDONLY),
        (FsFlags::ST_NOEXEC, MsFlags::MS_NOEXEC),
        (FsFlags::ST_NOATIME, MsFlags::MS_NOATIME),
        (FsFlags::ST_NODIRATIME, MsFlags::MS_NODIRATIME),
        (FsFlags::ST_RELATIME, MsFlags::MS_RELATIME),
    ] {
        if current.contains(have) {
            flags |= keep;
        }
    }
    mount(NONE, at, NONE, flags, NONE)
}

/// Make the mount at `root` the root (`pivot_root(".", ".")`, then a detaching unmount of the
/// old root stacked on it).
fn pivot_into(root: &Path) -> Result<(), GoferError> {
    nix::unistd::chdir(root).map_err(step("chdir to the root"))?;
    // The old root ends up stacked on top of the new one at "."; detach it.
    match nix::unistd::pivot_root(".", ".") {
        Ok(()) => umount2(".", MntFlags::MNT_DETACH).map_err(step("unmount the old root"))?,
        // Serving the host's own "/": the bind mount sits on top of the
        // current root, which pivot_root refuses. chroot into the bind
        // mount instead; it carries none of the host's submounts.
        Err(nix::errno::Errno::EBUSY) => nix::unistd::chroot(".").map_err(step("chroot"))?,
        Err(e) => return Err(step("pivot_root")(e)),
    }
    nix::unistd::chdir("/").map_err(step("chdir /"))
}

/// An `O_PATH` fd of `/`, then only [`KEPT_CAPS`] and `no_new_privs`.
fn lock_down() -> Result<OwnedFd, GoferError> {
    let root_fd = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open("/")
        .map_err(|e| GoferError::Sys {
            op: "open /",
            errno: e.into(),
        })?;

    crate::sys::restrict_caps(KEPT_CAPS).map_err(|errno| GoferError::Sys {
        op: "drop capabilities",
        errno,
    })?;
    nix::sys::prctl::set_no_new_privs().map_err(step("prctl(PR_SET_NO_NEW_PRIVS)"))?;
    Ok(root_fd.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::process::Command;

    const CHILD_ENV: &str = "GOFER_CONFINE_TEST_ROOT";

    /// Runs `confined_child` in a child process (confinement changes the process for good).
    #[test]
    fn confine_in_child() {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("confine_in_child: skipped, needs root");
            return;
        }
        let dir = std::env::temp_dir().join(format!("gofer-confine-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/hello"), "world").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.join("passwd")).unwrap();
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "confine::tests::confined_child",
                "--ignored",
                "--nocapture",
            ])
            .args(["--test-threads", "1"])
            .env(CHILD_ENV, &dir)
            .output()
            .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "child failed:\n{text}");
        assert!(
            text.contains("1 passed"),
            "child did not run the test:\n{text}"
        );
    }

    const FILES_ENV: &str = "GOFER_CONFINE_TEST_FILES";

    /// Runs `confined_files_child` in a child process.
    #[test]
    fn confine_files_in_child() {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("confine_files_in_child: skipped, needs root");
            return;
        }
        let dir = std::env::temp_dir().join(format!("gofer-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("rw"), "rw data").unwrap();
        std::fs::write(dir.join("ro"), "ro data").unwrap();
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "confine::tests::confined_files_child",
                "--ignored",
                "--nocapture",
            ])
            .args(["--test-threads", "1"])
            .env(FILES_ENV, &dir)
            .output()
            .unwrap();
        let rw = std::fs::read_to_string(dir.join("rw")).unwrap();
        let ro = std::fs::read_to_string(dir.join("ro")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "child failed:\n{text}");
        assert!(
            text.contains("1 passed"),
            "child did not run the test:\n{text}"
        );
        // The rw file was written through the served fd; the ro one not.
        assert_eq!((rw.as_str(), ro.as_str()), ("RW data", "ro data"));
    }

    #[test]
    #[ignore = "run in a child process by confine_files_in_child"]
    fn confined_files_child() {
        let Some(dir) = std::env::var_os(FILES_ENV) else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        let files = [
            BoundFile {
                source: dir.join("rw"),
                readonly: false,
            },
            BoundFile {
                source: dir.join("ro"),
                readonly: true,
            },
        ];
        let (srv, cli) = crate::channel_pair().unwrap();
        let root = confine_to_files(&files).unwrap();

        // Only the two files are visible, as 0 and 1, in a read-only root.
        let mut names: Vec<String> = std::fs::read_dir("/")
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["0", "1"]);
        assert!(!dir.exists());
        assert!(std::fs::write("/new", "x").is_err());
        assert_eq!(std::fs::read_to_string("/1").unwrap(), "ro data");
        assert!(nix::sys::prctl::get_no_new_privs().unwrap());

        // Served: the rw file opens for writing, the ro one gives EROFS.
        let server = std::thread::spawn(move || crate::serve(root, vec![srv], Default::default()));
        let client = crate::Client::new(vec![cli]);
        let (r, _) = client.attach().unwrap();
        let rw = client.walk(r, &[b"0"]).unwrap();
        assert!(rw[0].1.mode & libc::S_IFMT == libc::S_IFREG);
        let f = std::fs::File::from(client.open(rw[0].0, libc::O_RDWR).unwrap());
        std::os::unix::fs::FileExt::write_at(&f, b"RW", 0).unwrap();
        let ro = client.walk(r, &[b"1"]).unwrap();
        assert_eq!(
            client.open(ro[0].0, libc::O_RDWR).unwrap_err(),
            syscalls::Errno::EROFS
        );
        assert!(client.create(r, b"x", libc::O_RDWR, 0o644, 0, 0).is_err());
        drop(client);
        server.join().unwrap().unwrap();
    }

    #[test]
    #[ignore = "run in a child process by confine_in_child"]
    fn confined_child() {
        let Some(dir) = std::env::var_os(CHILD_ENV) else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        let (srv, cli) = crate::channel_pair().unwrap();
        let root = confine_to(&dir).unwrap();

        // Only the root's contents are visible; the host tree is gone.
        assert_eq!(std::fs::read_to_string("/sub/hello").unwrap(), "world");
        assert!(!dir.join("sub").exists());
        assert!(!Path::new("/proc/self").exists());
        assert!(std::fs::metadata("/etc/passwd").is_err());
        assert!(nix::sys::prctl::get_no_new_privs().unwrap());
        let flags = statvfs("/").unwrap().flags();
        assert!(
            flags.contains(FsFlags::ST_NOSUID | FsFlags::ST_NODEV),
            "{flags:?}"
        );

        // And it can be served.
        let server = std::thread::spawn(move || crate::serve(root, vec![srv], Default::default()));
        let client = crate::Client::new(vec![cli]);
        let (r, _) = client.attach().unwrap();
        let walked = client.walk(r, &[b"sub", b"hello"]).unwrap();
        assert_eq!(walked.len(), 2);
        let mut f = std::fs::File::from(client.open(walked[1].0, libc::O_RDONLY).unwrap());
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "world");
        let link = client.walk(r, &[b"passwd"]).unwrap();
        assert!(link[0].1.is_symlink());
        assert_eq!(
            client.open(link[0].0, libc::O_RDONLY).unwrap_err(),
            syscalls::Errno::ELOOP
        );
        drop(client);
        server.join().unwrap().unwrap();
    }
}

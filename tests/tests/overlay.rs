//! The in-memory overlay root (the default of `runsc do`): workloads that write into
//! directories of the host's root must behave as natively while the host stays
//! unchanged, and the `ovl_*` conformance programs (copy-up, whiteouts, opaque
//! directories, rename rules) compared with native runs.
//!
//! Each run gets its own fresh copy of a fixture tree under the bin dir (on the host's
//! root, so it is the overlay's lower layer in the sandbox): the native run changes its
//! copy (the programs restore it at the end, checked), the sandboxed run's copy must be
//! exactly as before afterwards (names, types, modes, sizes, contents and mtimes).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use systests::{
    assert_native_sane, compile, line_diff, native_only, runsc_cmd, sandbox_enabled, scratch_dir,
    Cmd, Link, Output,
};

/// One entry of a tree snapshot: mode, size (files), mtime, content or link target.
#[derive(Debug, PartialEq, Eq, Clone)]
struct Node {
    mode: u32,
    size: u64,
    mtime: (i64, i64),
    data: Vec<u8>,
}

type Snapshot = BTreeMap<PathBuf, Node>;

fn snapshot(root: &Path) -> Snapshot {
    let mut out = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            let m = fs::symlink_metadata(&p).unwrap();
            let data = if m.file_type().is_symlink() {
                fs::read_link(&p)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else if m.is_file() {
                fs::read(&p).unwrap_or_default()
            } else {
                Vec::new()
            };
            if m.is_dir() {
                todo.push(p.clone());
            }
            let node = Node {
                mode: m.mode(),
                size: if m.is_dir() { 0 } else { m.size() },
                mtime: (m.mtime(), m.mtime_nsec()),
                data,
            };
            out.insert(p.strip_prefix(root).unwrap().to_path_buf(), node);
        }
    }
    out
}

/// The snapshot without times (a native run may change them while restoring).
fn timeless(s: &Snapshot) -> Snapshot {
    s.iter()
        .map(|(k, v)| {
            let mut v = v.clone();
            v.mtime = (0, 0);
            (k.clone(), v)
        })
        .collect()
}

fn assert_same_tree(before: &Snapshot, after: &Snapshot, what: &str) {
    if before != after {
        let show = |s: &Snapshot| {
            s.iter()
                .map(|(k, v)| format!("{} {:o} {} {:?}\n", k.display(), v.mode, v.size, v.mtime))
                .collect::<String>()
        };
        panic!(
            "{what}: the host tree changed:\n{}",
            line_diff("before", &show(before), "after", &show(after))
        );
    }
}

fn write_mode(p: &Path, data: &[u8], mode: u32) {
    fs::write(p, data).unwrap();
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

/// Set the extended attribute `name` of `p` (ovl_xattr reads it in the
/// lower layer).
fn set_user_xattr(p: &Path, name: &str, value: &[u8]) {
    let path = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    let name = std::ffi::CString::new(name).unwrap();
    // SAFETY: NUL-terminated strings and a value buffer that outlive the call.
    let r = unsafe {
        libc::setxattr(
            path.as_ptr(),
            name.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    };
    assert_eq!(
        r,
        0,
        "setxattr {}: {}",
        p.display(),
        std::io::Error::last_os_error()
    );
}

/// The tree of `tests/conformance/ovl.h`, in a fresh directory.
fn ovl_tree(tag: &str) -> PathBuf {
    let t = scratch_dir(tag);
    write_mode(&t.join("f.txt"), b"0123456789\n", 0o644);
    set_user_xattr(&t.join("f.txt"), "user.lower", b"L");
    write_mode(&t.join("g.txt"), b"lower g\n", 0o644);
    write_mode(&t.join("ro.txt"), b"read only\n", 0o444);
    let big: Vec<u8> = (0..3 * 4096 + 100)
        .map(|i: usize| b'a' + ((i * 7) % 26) as u8)
        .collect();
    write_mode(&t.join("big.bin"), &big, 0o644);
    fs::create_dir_all(t.join("dir/sub")).unwrap();
    fs::create_dir_all(t.join("dir2")).unwrap();
    fs::create_dir_all(t.join("empty")).unwrap();
    write_mode(&t.join("dir/a"), b"A\n", 0o644);
    write_mode(&t.join("dir/b"), b"B\n", 0o644);
    write_mode(&t.join("dir/sub/c"), b"C\n", 0o644);
    write_mode(&t.join("dir2/x"), b"X\n", 0o644);
    symlink("f.txt", t.join("link")).unwrap();
    for d in ["dir", "dir/sub", "dir2", "empty", ""] {
        fs::set_permissions(t.join(d), fs::Permissions::from_mode(0o755)).unwrap();
    }
    t
}

fn compare(native: &Output, sandbox: &Output) {
    let same = native.stdout == sandbox.stdout
        && native.status.shell_code() == sandbox.status.shell_code()
        && !sandbox.timed_out;
    if !same {
        panic!(
            "native and sandbox runs differ (status {} vs {}):\n{}\nsandbox run:\n{}",
            native.status,
            sandbox.status,
            line_diff(
                "native",
                &native.stdout_str(),
                "sandbox",
                &sandbox.stdout_str()
            ),
            sandbox.describe()
        );
    }
}

/// Run the conformance program `prog` natively on one fresh tree and in the sandbox on
/// another; the outputs must match, the native run must restore its tree, and the
/// sandboxed one must leave its tree exactly as it was.
fn ovl_check(prog: &str, link: Link) {
    let bin = compile(prog, link);
    let a = ovl_tree(prog);
    let before = snapshot(&a);
    let native = Cmd::new(&bin).arg(&a).cwd("/").run_native();
    assert_native_sane(&native, 0);
    assert_same_tree(
        &timeless(&before),
        &timeless(&snapshot(&a)),
        "the native run did not restore its tree",
    );
    let _ = fs::remove_dir_all(&a);
    if native_only() {
        return;
    }
    let b = ovl_tree(prog);
    let before = snapshot(&b);
    let sandbox = Cmd::new(&bin).arg(&b).cwd("/").run_sandbox();
    assert_same_tree(&before, &snapshot(&b), "after the sandboxed run");
    let _ = fs::remove_dir_all(&b);
    compare(&native, &sandbox);
}

macro_rules! ovl_programs {
    ($($name:ident),* $(,)?) => {
        mod static_bin {
            use super::*;
            $( #[test] fn $name() { ovl_check(stringify!($name), Link::Static); } )*
        }
        mod dynamic_bin {
            use super::*;
            $( #[test] fn $name() { ovl_check(stringify!($name), Link::Dynamic); } )*
        }
    };
}

ovl_programs!(
    ovl_write,
    ovl_trunc,
    ovl_chmod,
    ovl_append,
    ovl_link_write,
    ovl_rename_file,
    ovl_unlink_recreate,
    ovl_readdir_whiteout,
    ovl_readdir_concurrent,
    ovl_rmdir_merged,
    ovl_opaque,
    ovl_rename_self,
    ovl_rename_nonempty,
    ovl_rename_exdev,
    ovl_noreplace,
    ovl_exchange,
    ovl_mmap,
    ovl_symlink,
    ovl_mkdir_p,
    ovl_stat_ino,
    ovl_fallocate,
    ovl_big_copy,
    ovl_xattr,
    unix_ovl_path,
);

/// The shell command of issue 5's first "Done when" item, working in `dir`.
fn done_when(dir: &str) -> String {
    format!(
        "cd {dir} && mkdir -p a/b && echo x > a/b/f && cp -r a c && mv c d && ln -s d/b/f l \
         && cat l && tar czf t.tgz a d && tar tzf t.tgz && find . | sort && rm -rf a d l t.tgz"
    )
}

fn sh(cmd: &str) -> Cmd {
    Cmd::new("/bin/sh")
        .arg("-c")
        .arg(cmd)
        .env("PATH", "/usr/bin:/bin")
}

/// Exactly the Done-when command (in the sandbox's own /tmp) against the same command
/// run natively in a fresh directory.
#[test]
fn done_when_in_tmp() {
    let dir = scratch_dir("ovl-tmp");
    let native = sh(&done_when(&dir.to_string_lossy())).run_native();
    assert_eq!(native.status.shell_code(), 0, "{}", native.describe());
    let _ = fs::remove_dir_all(&dir);
    if !sandbox_enabled("done_when_in_tmp") {
        return;
    }
    let sandbox = sh(&done_when("/tmp")).run_sandbox();
    compare(&native, &sandbox);
}

/// A directory tree on the host with some content, for the host-directory variants.
fn host_tree(tag: &str) -> PathBuf {
    let t = scratch_dir(tag);
    fs::create_dir_all(t.join("keep/sub")).unwrap();
    write_mode(&t.join("keep/file"), b"keep me\n", 0o644);
    write_mode(&t.join("keep/sub/deep"), b"deep\n", 0o600);
    write_mode(&t.join("existing"), b"line 1\n", 0o644);
    write_mode(&t.join("victim"), b"delete me\n", 0o644);
    write_mode(&t.join("moved"), b"move me\n", 0o644);
    t
}

/// The same command in a directory of the host's root (through the overlay, rootfs
/// `/`): same output, and the host directory did not change.
#[test]
fn done_when_in_host_directory() {
    let a = host_tree("ovl-host-n");
    let native = sh(&done_when(&a.to_string_lossy())).run_native();
    assert_eq!(native.status.shell_code(), 0, "{}", native.describe());
    let _ = fs::remove_dir_all(&a);
    if !sandbox_enabled("done_when_in_host_directory") {
        return;
    }
    let b = host_tree("ovl-host-s");
    let before = snapshot(&b);
    let sandbox = sh(&done_when(&b.to_string_lossy()))
        .runsc_opt("--rootfs")
        .runsc_opt("/")
        .run_sandbox();
    assert_same_tree(&before, &snapshot(&b), "after the sandboxed run");
    let _ = fs::remove_dir_all(&b);
    compare(&native, &sandbox);
}

/// Deleting, appending to, renaming and creating host files through the overlay: the
/// sandbox sees its changes, the host keeps its files.
#[test]
fn host_files_untouched() {
    let script = "set -e; rm victim; echo line 2 >> existing; mv moved keep/sub/moved; \
                  mkdir keep/new; echo n > keep/new/n; chmod 600 existing; rm -r keep/sub/deep; \
                  ln existing hard; echo line 3 >> hard; \
                  cat existing; ls -l existing | cut -c1-10; find . | sort; \
                  rm -rf keep; ls";
    let a = host_tree("ovl-untouched-n");
    let native = sh(&format!("cd {} && {script}", a.display())).run_native();
    assert_eq!(native.status.shell_code(), 0, "{}", native.describe());
    let _ = fs::remove_dir_all(&a);
    if !sandbox_enabled("host_files_untouched") {
        return;
    }
    let b = host_tree("ovl-untouched-s");
    let before = snapshot(&b);
    let sandbox = sh(&format!("cd {} && {script}", b.display())).run_sandbox();
    assert_same_tree(&before, &snapshot(&b), "after the sandboxed run");
    let _ = fs::remove_dir_all(&b);
    compare(&native, &sandbox);
}

/// Moving a directory of the lower layer gives EXDEV (as Linux overlayfs without
/// redirect_dir), and mv copes by copying; a directory made in the sandbox moves.
#[test]
fn lower_directory_rename_is_exdev() {
    if !sandbox_enabled("lower_directory_rename_is_exdev") {
        return;
    }
    let b = host_tree("ovl-exdev");
    let before = snapshot(&b);
    let py = "import os, errno\n\
              try:\n    os.rename('keep', 'k2'); print('renamed')\n\
              except OSError as e:\n    print(errno.errorcode[e.errno])\n\
              os.mkdir('fresh'); os.rename('fresh', 'fresh2'); print(sorted(os.listdir('.')))\n";
    let out = Cmd::new("/usr/bin/python3")
        .arg("-c")
        .arg(py)
        .cwd(&b)
        .run_sandbox();
    assert_eq!(
        out.stdout_str(),
        "EXDEV\n['existing', 'fresh2', 'keep', 'moved', 'victim']\n",
        "{}",
        out.describe()
    );
    let out = sh("mv keep k2 && find . | sort").cwd(&b).run_sandbox();
    assert_eq!(
        out.stdout_str(),
        ".\n./existing\n./k2\n./k2/file\n./k2/sub\n./k2/sub/deep\n./moved\n./victim\n",
        "{}",
        out.describe()
    );
    assert_same_tree(&before, &snapshot(&b), "after the sandboxed runs");
    let _ = fs::remove_dir_all(&b);
}

/// `--overlay` takes gVisor's names; anything else is refused with a clear message.
#[test]
fn overlay_flag_values() {
    if !sandbox_enabled("overlay_flag_values") {
        return;
    }
    let bad = runsc_cmd(["do", "--overlay=disk", "/bin/true"]);
    assert_ne!(bad.status.shell_code(), 0);
    assert!(
        bad.stderr_str().contains("--overlay") && bad.stderr_str().contains("memory"),
        "{}",
        bad.describe()
    );
    for v in ["--overlay=memory", "--overlay=none"] {
        let out = runsc_cmd(["do", v, "/bin/cat", "/etc/hostname"]);
        assert_eq!(out.status.shell_code(), 0, "{}", out.describe());
    }
    // statfs of the root: an overlay by default, the host's file system without it.
    let f = |v: &str| {
        runsc_cmd(["do", v, "/usr/bin/stat", "-f", "-c", "%T", "/"])
            .stdout_str()
            .trim()
            .to_string()
    };
    assert_eq!(f("--overlay=memory"), "overlayfs");
    assert_ne!(f("--overlay=none"), "overlayfs");
}

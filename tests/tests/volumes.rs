//! `runsc do --volume HOST:SANDBOX[:ro]`: bind mounts served by their own gofers, and
//! writes through the gofer.
//!
//! * `gw_*` conformance programs (`tests/conformance/gw_*.c`) get an empty, host-backed
//!   writable directory as argv[1]: natively a scratch directory, in the sandbox another
//!   scratch directory mounted at the same path with `--volume`. Outputs must be equal.
//! * Workloads: writes visible on the host after the run, `:ro` gives EROFS, a sqlite3
//!   database made by python3 on a volume is readable natively afterwards, bad `--volume`
//!   arguments fail with one clear line.

use std::path::Path;
use systests::{
    compile, differential_pair, native_only, runsc_cmd, sandbox_enabled, scratch_dir, Cmd, Link,
};

fn volume_arg(host: &Path, sandbox: &Path, ro: bool) -> String {
    format!(
        "{}:{}{}",
        host.display(),
        sandbox.display(),
        if ro { ":ro" } else { "" }
    )
}

/// One gw_ program: native run on one scratch dir, sandbox run on another mounted at
/// the same path.
fn gw(link: Link, prog: &str) {
    let bin = compile(prog, link);
    let nat = scratch_dir("gw-native");
    let sbx = scratch_dir("gw-sandbox");
    let native = Cmd::new(&bin).arg(&nat).cwd("/");
    let sandbox = Cmd::new(&bin)
        .arg(&sbx)
        .cwd("/")
        .runsc_opt("--volume")
        .runsc_opt(volume_arg(&sbx, &sbx, false));
    differential_pair(&native, &sandbox, 0);
}

macro_rules! gw {
    ($($test:ident $(, ignore $reason:literal)?;)*) => {
        mod static_bin {
            use super::*;
            $(
                #[test]
                $(#[ignore = $reason])?
                fn $test() {
                    gw(Link::Static, stringify!($test));
                }
            )*
        }
        mod dynamic_bin {
            use super::*;
            $(
                #[test]
                $(#[ignore = $reason])?
                fn $test() {
                    gw(Link::Dynamic, stringify!($test));
                }
            )*
        }
    };
}

gw! {
    gw_create_excl;
    gw_append_two;
    gw_truncate;
    gw_chmod;
    gw_chown;
    gw_utimens;
    gw_rename;
    gw_links;
    gw_unlink;
    gw_fsync;
    gw_fallocate;
    gw_statfs;
    gw_rw;
    gw_mmap_shared;
    gw_mknod;
    gw_symlink;
    gw_dirents;
    gw_readdir_concurrent;
    gw_xattr;
}

fn skip(test: &str) -> bool {
    native_only() || !sandbox_enabled(test)
}

#[test]
fn volume_writes_reach_the_host() {
    if skip("volume_writes_reach_the_host") {
        return;
    }
    let host = scratch_dir("vol-host");
    std::fs::write(host.join("before"), "from the host\n").unwrap();
    let out = runsc_cmd([
        "do".into(),
        "--volume".into(),
        volume_arg(&host, Path::new("/mnt/vol/deep"), false),
        "/bin/sh".into(),
        "-c".into(),
        "cd /mnt/vol/deep && cat before && echo written > new && mkdir -p a/b && \
         echo x > a/b/f && ln -s a/b/f link && mv before renamed && rm a/b/f && echo done"
            .to_string(),
    ]);
    out.assert_code(0).assert_stdout("from the host\ndone\n");
    assert_eq!(
        std::fs::read_to_string(host.join("new")).unwrap(),
        "written\n"
    );
    assert!(host.join("a/b").is_dir());
    assert!(!host.join("a/b/f").exists());
    assert!(!host.join("before").exists());
    assert_eq!(
        std::fs::read_to_string(host.join("renamed")).unwrap(),
        "from the host\n"
    );
    assert_eq!(
        std::fs::read_link(host.join("link")).unwrap(),
        Path::new("a/b/f")
    );
}

#[test]
fn volume_readonly_gives_erofs() {
    if skip("volume_readonly_gives_erofs") {
        return;
    }
    let host = scratch_dir("vol-ro");
    std::fs::write(host.join("f"), "keep\n").unwrap();
    let out = runsc_cmd([
        "do".into(),
        "--volume".into(),
        volume_arg(&host, Path::new("/ro"), true),
        "/usr/bin/python3".into(),
        "-c".into(),
        "import os, errno\n\
         def t(f):\n    try:\n        f(); print('ok')\n    except OSError as e:\n        print(errno.errorcode[e.errno])\n\
         t(lambda: open('/ro/new', 'w'))\n\
         t(lambda: open('/ro/f', 'a'))\n\
         t(lambda: os.mkdir('/ro/d'))\n\
         t(lambda: os.unlink('/ro/f'))\n\
         t(lambda: os.rename('/ro/f', '/ro/g'))\n\
         t(lambda: os.chmod('/ro/f', 0o600))\n\
         t(lambda: os.utime('/ro/f'))\n\
         t(lambda: os.symlink('f', '/ro/l'))\n\
         t(lambda: os.truncate('/ro/f', 0))\n\
         print(open('/ro/f').read(), end='')\n\
         print(bool(os.statvfs('/ro').f_flag & os.ST_RDONLY))"
            .to_string(),
    ]);
    out.assert_code(0).assert_stdout(
        "EROFS\nEROFS\nEROFS\nEROFS\nEROFS\nEROFS\nEROFS\nEROFS\nEROFS\nkeep\nTrue\n",
    );
    assert_eq!(std::fs::read_to_string(host.join("f")).unwrap(), "keep\n");
    assert_eq!(std::fs::read_dir(&host).unwrap().count(), 1);
}

#[test]
fn volume_sqlite_readable_natively() {
    if skip("volume_sqlite_readable_natively") {
        return;
    }
    let host = scratch_dir("vol-sqlite");
    let out = runsc_cmd([
        "do".into(),
        "--volume".into(),
        volume_arg(&host, Path::new("/data"), false),
        "/usr/bin/python3".into(),
        "-c".into(),
        "import sqlite3\n\
         c = sqlite3.connect('/data/t.db')\n\
         c.execute('create table t(a integer, b text)')\n\
         c.executemany('insert into t values(?, ?)', [(i, str(i) * 3) for i in range(1000)])\n\
         c.commit()\n\
         c.execute('create index ia on t(b)')\n\
         c.execute('delete from t where a % 7 = 0')\n\
         c.commit()\n\
         print(c.execute('select count(*), sum(a) from t').fetchone())\n\
         c.close()"
            .to_string(),
    ]);
    out.assert_code(0);
    let sandbox_line = out.stdout_str();
    let native = std::process::Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(format!(
            "import sqlite3\nc = sqlite3.connect('{}/t.db')\n\
             print(c.execute('pragma integrity_check').fetchone()[0])\n\
             print(c.execute('select count(*), sum(a) from t').fetchone())",
            host.display()
        ))
        .output()
        .unwrap();
    let native_out = String::from_utf8_lossy(&native.stdout).to_string();
    assert_eq!(native_out, format!("ok\n{sandbox_line}"));
    assert_eq!(sandbox_line, "(857, 428429)\n");
}

#[test]
fn volume_bad_arguments() {
    if skip("volume_bad_arguments") {
        return;
    }
    let host = scratch_dir("vol-bad");
    std::fs::write(host.join("file"), "").unwrap();
    for (arg, want) in [
        ("/no/such/dir:/x".to_string(), "No such file or directory"),
        ("relative:/x".to_string(), "is not absolute"),
        (format!("{}:relative", host.display()), "is not absolute"),
        (
            "/dev/null:/x".to_string(),
            "is not a directory or a regular file",
        ),
        // A file cannot go on a directory.
        (format!("{}/file:/tmp", host.display()), "Not a directory"),
        (
            format!("{}", host.display()),
            "expected HOST_PATH:SANDBOX_PATH",
        ),
        (
            format!("{}:/x:bogus", host.display()),
            "expected HOST_PATH:SANDBOX_PATH",
        ),
    ] {
        let out = runsc_cmd(["do", "--volume", &arg, "/bin/true"]);
        assert_ne!(out.status.shell_code(), 0, "{arg}");
        let err = out.stderr_str();
        assert!(err.contains(want), "{arg}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{arg}: {err}");
    }
}

/// `--overlay=none`: the root's gofer serves it writable and writes reach the host rootfs;
/// with the default overlay the same program leaves the rootfs unchanged.
#[test]
fn overlay_none_writes_through_to_the_rootfs() {
    if skip("overlay_none_writes_through_to_the_rootfs") {
        return;
    }
    let prog = compile("gw_rw", Link::Static);
    for (overlay, written) in [("none", true), ("memory", false)] {
        let root = scratch_dir("rootfs-rw");
        std::fs::copy(&prog, root.join("prog")).unwrap();
        let out = runsc_cmd([
            format!("--overlay={overlay}"),
            "do".into(),
            "--rootfs".into(),
            root.display().to_string(),
            "/prog".into(),
            "/".into(),
        ]);
        out.assert_code(0);
        assert!(
            out.stdout_str().contains("size 300000"),
            "{}",
            out.describe()
        );
        let big = std::fs::metadata(root.join("big")).map(|m| m.len()).ok();
        assert_eq!(big, written.then_some(300000), "--overlay={overlay}");
        assert_eq!(root.join("f").exists(), written, "--overlay={overlay}");
    }
}

/// `--volume HOSTFILE:PATH[:ro]`: host files served by one files gofer and mounted on files
/// (a missing destination and its directories are made in the overlay); writes reach the
/// host file, `:ro` gives EROFS. The sandbox's stdout is a host file on the same file
/// system as the bound files, so coreutils' `cat` copies into it with copy_file_range: the
/// bytes must land at the stdout's position (after "first"), not at offset 0.
#[test]
fn file_volumes() {
    if skip("file_volumes") {
        return;
    }
    let host = scratch_dir("vol-files");
    let (rw, ro, out) = (host.join("rw"), host.join("ro"), host.join("stdout"));
    std::fs::write(&rw, "rw line\n").unwrap();
    std::fs::write(&ro, "ro line\n").unwrap();
    let status = std::process::Command::new(systests::runsc())
        .args(["do", "--volume"])
        .arg(volume_arg(&rw, Path::new("/etc/bound"), false))
        .arg("--volume")
        .arg(volume_arg(&ro, Path::new("/new/dir/ro"), true))
        .args([
            "/bin/sh",
            "-c",
            "echo first; cat /etc/bound /new/dir/ro; echo appended >> /etc/bound; \
             echo x > /new/dir/ro 2>/dev/null || echo ro-refused; echo last",
        ])
        .stdout(std::fs::File::create(&out).unwrap())
        .status()
        .unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "first\nrw line\nro line\nro-refused\nlast\n"
    );
    assert_eq!(std::fs::read_to_string(&rw).unwrap(), "rw line\nappended\n");
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), "ro line\n");
}

/// A file volume shows what the host writes to the file while the sandbox runs (Docker
/// rewrites /etc/hosts on a network change): contents and stat size are the host's.
#[test]
fn file_volume_sees_host_changes() {
    if skip("file_volume_sees_host_changes") {
        return;
    }
    let host = scratch_dir("vol-file-host");
    let sig = host.join("sig");
    std::fs::create_dir_all(&sig).unwrap();
    let file = host.join("f");
    std::fs::write(&file, "one\n").unwrap();
    let child = std::process::Command::new(systests::runsc())
        .args(["do", "--volume"])
        .arg(volume_arg(&file, Path::new("/etc/f"), true))
        .arg("--volume")
        .arg(volume_arg(&sig, Path::new("/sig"), false))
        .args([
            "/bin/sh",
            "-c",
            "stat -c %s /etc/f; touch /sig/ready; \
             while ! grep -q two /etc/f; do sleep 0.05; done; stat -c %s /etc/f; cat /etc/f",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !sig.join("ready").exists() && start.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    std::io::Write::write_all(&mut f, b"two\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "4\n8\none\ntwo\n");
}

/// Two volumes of one host directory: a change made through one shows in
/// the next listing of the other (listings are cached per directory, but
/// any change on a gofer mount makes every cached listing stale).
#[test]
fn two_volumes_of_one_directory_list_each_others_changes() {
    if skip("two_volumes_of_one_directory_list_each_others_changes") {
        return;
    }
    let host = scratch_dir("vol-twice");
    std::fs::write(host.join("old"), "").unwrap();
    let out = runsc_cmd([
        "do".into(),
        "--volume".into(),
        volume_arg(&host, Path::new("/mnt/a"), false),
        "--volume".into(),
        volume_arg(&host, Path::new("/mnt/b"), false),
        "/bin/sh".into(),
        "-c".into(),
        "ls /mnt/b; echo x > /mnt/a/new; ls /mnt/b; rm /mnt/a/old; ls /mnt/b; mv /mnt/a/new /mnt/a/moved; ls /mnt/b"
            .to_string(),
    ]);
    out.assert_code(0)
        .assert_stdout("old\nnew\nold\nnew\nmoved\n");
}

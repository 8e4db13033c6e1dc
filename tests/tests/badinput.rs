//! Bad input: thousands of random syscalls must not panic or hang the sandbox, and
//! malformed executables fail exactly as on Linux.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use systests::{
    compile, compile_sandbox_program, differential, fixtures, runsc_cmd_with, sandbox_enabled,
    scratch_dir, Cmd, Link,
};

/// Runs the random-syscall program under `runsc do` inside an otherwise empty rootfs (so
/// nothing of the host is reachable even if the sandbox let a call through).
fn fuzz(seed: u64) {
    if !sandbox_enabled("fuzz") {
        return;
    }
    let bin = compile_sandbox_program("fuzz_syscalls", Link::Static);
    let root = scratch_dir("fuzzroot");
    fs::create_dir_all(root.join("dev")).unwrap();
    fs::copy(&bin, root.join("fuzz")).unwrap();
    let out = runsc_cmd_with(
        [
            "do",
            "--rootfs",
            root.to_str().unwrap(),
            "--cwd",
            "/",
            "/fuzz",
            &seed.to_string(),
            "10000",
        ],
        Duration::from_secs(180),
        None,
    );
    let stdout = out.stdout_str();
    let tail: Vec<&str> = stdout.lines().rev().take(15).collect();
    let tail = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
    let ok = !out.timed_out
        && out.status.shell_code() == 0
        && stdout.ends_with("done\n")
        && stdout.contains("calls made 10000");
    let err = out.stderr_str();
    if !ok || err.contains("panicked") {
        panic!(
            "random syscalls (seed {seed}) did not run to completion in the sandbox: {}{}\n\
             each line is `<i> <nr> <args>` written just before the call; the last ones:\n{tail}\n\
             --- stderr (last 4000 bytes) ---\n{}",
            out.status,
            if out.timed_out { " (TIMED OUT)" } else { "" },
            &err[err.len().saturating_sub(4000)..]
        );
    }
    let _ = fs::remove_dir_all(&root);
}

#[test]
fn random_syscalls_seed_1() {
    fuzz(1);
}

#[test]
fn random_syscalls_seed_2() {
    fuzz(2);
}

#[test]
fn random_syscalls_seed_3() {
    fuzz(0x5eed);
}

fn write_exec(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, content).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// Malformed executables of every kind, built from real binaries.
fn bad_executables() -> Vec<PathBuf> {
    static DIR: std::sync::OnceLock<Vec<PathBuf>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        // (Linux does not check EI_CLASS, EI_DATA or EI_VERSION of an x86_64 ELF: those
        // mutants run, so they are not here.)
        let dir = systests::bin_dir().join("badexec-v1");
        let tmp = scratch_dir("badexec");
        let elf = fs::read(compile("exec_target", Link::Static)).unwrap();
        let dynelf = fs::read(compile("exec_target", Link::Dynamic)).unwrap();
        let mut files = Vec::new();
        let mut mutate = |name: &str, f: &dyn Fn(&mut Vec<u8>)| {
            let mut b = elf.clone();
            f(&mut b);
            files.push(write_exec(&tmp, name, &b));
        };
        mutate("truncated_header", &|b| b.truncate(40));
        mutate("truncated_phdrs", &|b| b.truncate(100));
        mutate("bad_machine", &|b| {
            b[18..20].copy_from_slice(&40u16.to_le_bytes())
        });
        mutate("type_rel", &|b| {
            b[16..18].copy_from_slice(&1u16.to_le_bytes())
        });
        mutate("type_core", &|b| {
            b[16..18].copy_from_slice(&4u16.to_le_bytes())
        });
        mutate("huge_phnum", &|b| {
            b[56..58].copy_from_slice(&0xffffu16.to_le_bytes())
        });
        mutate("zero_phnum", &|b| {
            b[56..58].copy_from_slice(&0u16.to_le_bytes())
        });
        mutate("phoff_beyond_eof", &|b| {
            b[32..40].copy_from_slice(&0x7fff_ffffu64.to_le_bytes())
        });
        mutate("bad_phentsize", &|b| {
            b[54..56].copy_from_slice(&10u16.to_le_bytes())
        });
        mutate("magic_only", &|b| {
            b.truncate(4);
            b.extend_from_slice(&[0u8; 200]);
        });
        // The interpreter of a dynamic binary, renamed to something that does not exist.
        let interp = b"/lib64/ld-linux-x86-64.so.2";
        let mut d = dynelf.clone();
        if let Some(pos) = d.windows(interp.len()).position(|w| w == interp) {
            d[pos + 7..pos + 9].copy_from_slice(b"XX");
            files.push(write_exec(&tmp, "interp_missing", &d));
        }
        // Scripts
        let fx = fixtures();
        files.push(write_exec(&tmp, "script_interp_dir", b"#!/usr\n"));
        files.push(write_exec(
            &tmp,
            "script_interp_text",
            format!("#!{}\n", fx.join("exec_text").display()).as_bytes(),
        ));
        files.push(write_exec(&tmp, "script_empty_interp", b"#!\n"));
        files.push(write_exec(&tmp, "script_spaces_only", b"#!   \n"));
        let long = format!("#!/{}\n", "a".repeat(300));
        files.push(write_exec(&tmp, "script_long_line", long.as_bytes()));
        let selfref = dir.join("script_self");
        files.push(write_exec(
            &tmp,
            "script_self",
            format!("#!{}\n", selfref.display()).as_bytes(),
        ));
        files.push(write_exec(&tmp, "binary_garbage", &[0xffu8; 512]));
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let _ = fs::remove_dir_all(&dir);
        if fs::rename(&tmp, &dir).is_err() && !dir.exists() {
            panic!("could not install {}", dir.display());
        }
        names.iter().map(|n| dir.join(n)).collect()
    })
    .clone()
}

fn bad_exec(link: Link) {
    let bin = compile("exec_bad", link);
    let cmd = Cmd::new(bin)
        .arg(fixtures())
        .args(bad_executables())
        .cwd("/");
    let (native, _) = differential(&cmd, 0);
    // every file must have been refused natively
    assert_eq!(
        native.stdout_str().lines().count(),
        bad_executables().len(),
        "an exec succeeded natively:\n{}",
        native.describe()
    );
}

#[test]
fn malformed_executables_static_caller() {
    bad_exec(Link::Static);
}

#[test]
fn malformed_executables_dynamic_caller() {
    bad_exec(Link::Dynamic);
}

/// `runsc do` of a malformed executable: a clear one-line error and the shell's 126.
#[test]
fn runsc_do_malformed_executable_126() {
    if !sandbox_enabled("runsc_do_malformed") {
        return;
    }
    for p in bad_executables().iter().take(6) {
        let out = runsc_cmd_with(["do", p.to_str().unwrap()], Duration::from_secs(60), None);
        out.assert_no_panic().assert_code(126);
        assert!(
            !out.stderr.is_empty(),
            "no error message\n{}",
            out.describe()
        );
    }
}

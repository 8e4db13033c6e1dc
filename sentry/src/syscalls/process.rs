//! Syscall handlers: process lifecycle (execve, exit) and per-thread setup
//! (arch_prctl, set_tid_address).

use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use crate::kernel::ExitStatus;
use crate::loader::{ExecArgs, MAX_ARG_STRLEN};
use crate::mm::MemoryManager;
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    t.set(
        nr::EXECVE,
        sys_execve,
        Support::Partial("single-threaded callers only until threads exist"),
    );
    t.set(
        nr::EXECVEAT,
        sys_execveat,
        Support::Partial("single-threaded callers only until threads exist"),
    );
    t.set(nr::EXIT, sys_exit, Support::Full);
    t.set(nr::EXIT_GROUP, sys_exit_group, Support::Full);
    t.set(
        nr::ARCH_PRCTL,
        sys_arch_prctl,
        Support::Partial("FS/GS base and CPUID faulting query; no shadow stack"),
    );
    t.set(nr::SET_TID_ADDRESS, sys_set_tid_address, Support::Full);
}

/// Linux's limit on argv/envp entries (MAX_ARG_STRINGS).
const MAX_ARG_STRINGS: usize = 0x7FFF_FFFF;

/// Read a NULL-terminated array of string pointers.
fn read_strings(t: &Task, addr: u64) -> Result<Vec<Vec<u8>>, Errno> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }
    let mut total = 0usize;
    let limit = (t.rlimits[libc::RLIMIT_STACK as usize].rlim_cur / 4).max(32 * 4096) as usize;
    loop {
        let p: u64 = t.mm.read_obj(addr + 8 * out.len() as u64)?;
        if p == 0 {
            return Ok(out);
        }
        let s = match t.mm.read_cstr(p, MAX_ARG_STRLEN) {
            Err(Errno::ENAMETOOLONG) => return Err(Errno::E2BIG),
            r => r?,
        };
        total += s.len() + 1 + 8;
        if total > limit || out.len() >= MAX_ARG_STRINGS {
            return Err(Errno::E2BIG);
        }
        out.push(s);
    }
}

fn sys_execve(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_execve(t, libc::AT_FDCWD, a[0], a[1], a[2], 0)
}

fn sys_execveat(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let flags = a[4] as i32;
    if flags & !(libc::AT_EMPTY_PATH | libc::AT_SYMLINK_NOFOLLOW) != 0 {
        return Err(Errno::EINVAL);
    }
    do_execve(t, a[0] as i32, a[1], a[2], a[3], flags)
}

fn do_execve(t: &mut Task, dirfd: i32, path: u64, argv: u64, envp: u64, flags: i32) -> SysResult {
    let filename = t.read_path(path)?;
    let mut argv = read_strings(t, argv)?;
    let envp = read_strings(t, envp)?;
    if argv.is_empty() {
        // Linux (since 5.18) runs with argv[0] = "".
        argv.push(Vec::new());
    }
    if filename.is_empty() && flags & libc::AT_EMPTY_PATH == 0 {
        return Err(Errno::ENOENT);
    }
    exec_into(t, dirfd, filename, argv, envp, flags)?;
    t.regs_replaced = true;
    Ok(0)
}

/// Replace the task's image. On error the old image is untouched.
pub fn exec_into(
    t: &mut Task,
    dirfd: i32,
    filename: Vec<u8>,
    argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
    flags: i32,
) -> Result<(), Errno> {
    let (file, _dentry) = crate::vfs::open_exec(t, dirfd, &filename, flags)?;
    let mm = MemoryManager::new(t.k.mf.clone());
    let execfn = if filename.is_empty() {
        b"".to_vec()
    } else {
        filename.clone()
    };
    let image = crate::loader::load(
        t,
        file,
        ExecArgs {
            filename: execfn,
            argv,
            envp,
        },
        &mm,
    )?;
    // Point of no return: a fresh stub for the fresh address space.
    let stub = match t.k.stubs.spawn(&t.k.mf.fd()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("exec: cannot create a stub: {e}");
            return Err(Errno::ENOMEM);
        }
    };
    t.regs = stub.initial_regs(image.entry, image.sp);
    t.stub = stub; // the old stub is killed on drop
    t.mm = mm;
    t.k.mf.flush_frees();
    t.fds.close_on_exec();
    for act in t.sig.actions.iter_mut() {
        if act.handler != libc::SIG_IGN as u64 {
            *act = Default::default();
        }
    }
    t.sig.altstack = Default::default();
    t.sig.altstack.ss_flags = libc::SS_DISABLE;
    t.comm = image.comm;
    Ok(())
}

fn sys_exit(t: &mut Task, a: &[u64; 6]) -> SysResult {
    // Single-threaded for now: the thread's exit ends the process.
    t.exit = Some(ExitStatus::Exited((a[0] & 0xff) as i32));
    t.regs_replaced = true;
    Ok(0)
}

fn sys_exit_group(t: &mut Task, a: &[u64; 6]) -> SysResult {
    t.exit = Some(ExitStatus::Exited((a[0] & 0xff) as i32));
    t.regs_replaced = true;
    Ok(0)
}

const ARCH_SET_GS: u64 = 0x1001;
const ARCH_SET_FS: u64 = 0x1002;
const ARCH_GET_FS: u64 = 0x1003;
const ARCH_GET_GS: u64 = 0x1004;
const ARCH_GET_CPUID: u64 = 0x1011;
const ARCH_SET_CPUID: u64 = 0x1012;

fn sys_arch_prctl(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let canonical = |v: u64| v < crate::platform::TASK_SIZE;
    match a[0] {
        ARCH_SET_FS => {
            if !canonical(a[1]) {
                return Err(Errno::EPERM);
            }
            t.regs.fs_base = a[1];
            t.regs.fs = 0;
            Ok(0)
        }
        ARCH_SET_GS => {
            if !canonical(a[1]) {
                return Err(Errno::EPERM);
            }
            t.regs.gs_base = a[1];
            t.regs.gs = 0;
            Ok(0)
        }
        ARCH_GET_FS => {
            t.mm.write_obj(a[1], &t.regs.fs_base)?;
            Ok(0)
        }
        ARCH_GET_GS => {
            t.mm.write_obj(a[1], &t.regs.gs_base)?;
            Ok(0)
        }
        ARCH_GET_CPUID => Ok(1),
        ARCH_SET_CPUID => Err(Errno::ENODEV),
        _ => Err(Errno::EINVAL),
    }
}

fn sys_set_tid_address(t: &mut Task, a: &[u64; 6]) -> SysResult {
    t.clear_child_tid = a[0];
    Ok(t.tid as u64)
}

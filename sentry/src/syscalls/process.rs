//! Syscall handlers: process lifecycle (execve, exit) and per-thread setup
//! (arch_prctl, set_tid_address).

use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use crate::kernel::ExitStatus;
use crate::loader::{ExecArgs, MAX_ARG_STRLEN};
use crate::mm::MemoryManager;
use std::sync::{Arc, Condvar, Mutex};
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
    let fork_note =
        "processes only: CLONE_VM without CLONE_VFORK (threads) is ENOSYS until threads exist; \
                     a vfork child gets a copy-on-write copy of the parent's memory";
    t.set(nr::FORK, sys_fork, Support::Full);
    t.set(nr::VFORK, sys_vfork, Support::Partial(fork_note));
    t.set(nr::CLONE, sys_clone, Support::Partial(fork_note));
    t.set(nr::CLONE3, sys_clone3, Support::Partial(fork_note));
}

const CSIGNAL: u64 = 0xff;

/// What a new task shares with its parent and how it starts.
struct CloneRequest {
    flags: u64,
    exit_signal: i32,
    stack: u64,
    parent_tid: u64,
    child_tid: u64,
    tls: u64,
    /// Where CLONE_PIDFD stores the pidfd.
    pidfd: u64,
}

fn sys_fork(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    do_clone(
        t,
        CloneRequest {
            flags: 0,
            exit_signal: libc::SIGCHLD,
            stack: 0,
            parent_tid: 0,
            child_tid: 0,
            tls: 0,
            pidfd: 0,
        },
    )
}

fn sys_vfork(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    let flags = (libc::CLONE_VM | libc::CLONE_VFORK) as u64;
    do_clone(
        t,
        CloneRequest {
            flags,
            exit_signal: libc::SIGCHLD,
            stack: 0,
            parent_tid: 0,
            child_tid: 0,
            tls: 0,
            pidfd: 0,
        },
    )
}

fn sys_clone(t: &mut Task, a: &[u64; 6]) -> SysResult {
    // x86_64 order: flags, stack, parent_tid, child_tid, tls.
    do_clone(
        t,
        CloneRequest {
            flags: a[0] & !CSIGNAL,
            exit_signal: (a[0] & CSIGNAL) as i32,
            stack: a[1],
            parent_tid: a[2],
            child_tid: a[3],
            tls: a[4],
            pidfd: a[2],
        },
    )
}

fn sys_clone3(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let size = a[1] as usize;
    let min = 64; // CLONE_ARGS_SIZE_VER0
    if size > 4096 {
        return Err(Errno::E2BIG);
    }
    if size < min {
        return Err(Errno::EINVAL);
    }
    let mut raw = vec![0u8; size];
    t.mm.copy_in(a[0], &mut raw)?;
    let word = |i: usize| -> u64 {
        raw.get(i * 8..i * 8 + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            .unwrap_or(0)
    };
    // Unknown trailing fields must be zero (E2BIG otherwise).
    if raw.len() > 88 && raw[88..].iter().any(|b| *b != 0) {
        return Err(Errno::E2BIG);
    }
    let (flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls) = (
        word(0),
        word(1),
        word(2),
        word(3),
        word(4),
        word(5),
        word(6),
        word(7),
    );
    // Linux's copy_clone_args_from_user and clone3_args_valid, in order.
    let (set_tid, set_tid_size) = (word(8), word(9));
    if set_tid_size > 32 || (set_tid == 0) != (set_tid_size == 0) {
        return Err(Errno::EINVAL);
    }
    if exit_signal & !CSIGNAL != 0 || exit_signal > 64 {
        return Err(Errno::EINVAL);
    }
    const CLONE_CLEAR_SIGHAND: u64 = 1 << 32;
    const CLONE_INTO_CGROUP: u64 = 1 << 33;
    const CLONE_NEWTIME: u64 = 0x80;
    let known = 0xffff_ffff | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP;
    let sighand = libc::CLONE_SIGHAND as u64;
    if flags & !known != 0
        || flags & (libc::CLONE_DETACHED as u64 | (CSIGNAL & !CLONE_NEWTIME)) != 0
        || flags & (sighand | CLONE_CLEAR_SIGHAND) == sighand | CLONE_CLEAR_SIGHAND
        || (flags & (libc::CLONE_THREAD | libc::CLONE_PARENT) as u64 != 0 && exit_signal != 0)
        || (stack == 0) != (stack_size == 0)
    {
        return Err(Errno::EINVAL);
    }
    if set_tid != 0 || flags & (CLONE_INTO_CGROUP | CLONE_CLEAR_SIGHAND) != 0 {
        // set_tid needs CAP_SYS_ADMIN over a pid namespace; cgroups and
        // CLONE_CLEAR_SIGHAND are not supported yet.
        return Err(Errno::EINVAL);
    }
    do_clone(
        t,
        CloneRequest {
            flags,
            exit_signal: exit_signal as i32,
            stack: if stack != 0 {
                stack.checked_add(stack_size).ok_or(Errno::EINVAL)?
            } else {
                0
            },
            parent_tid,
            child_tid,
            tls,
            pidfd,
        },
    )
}

fn do_clone(t: &mut Task, req: CloneRequest) -> SysResult {
    let f = req.flags;
    let has = |x: i32| f & x as u64 != 0;
    // Linux's validation of flag combinations.
    if has(libc::CLONE_SIGHAND) && !has(libc::CLONE_VM) {
        return Err(Errno::EINVAL);
    }
    if has(libc::CLONE_THREAD) && !has(libc::CLONE_SIGHAND) {
        return Err(Errno::EINVAL);
    }
    if has(libc::CLONE_FS) && has(libc::CLONE_NEWNS) {
        return Err(Errno::EINVAL);
    }
    if !(0..=64).contains(&req.exit_signal) {
        return Err(Errno::EINVAL);
    }
    if has(libc::CLONE_PIDFD) && has(libc::CLONE_PARENT_SETTID) && req.parent_tid == req.pidfd {
        return Err(Errno::EINVAL);
    }
    if has(libc::CLONE_PIDFD) && has(libc::CLONE_DETACHED) {
        return Err(Errno::EINVAL);
    }
    let namespaces = libc::CLONE_NEWNS
        | libc::CLONE_NEWUTS
        | libc::CLONE_NEWIPC
        | libc::CLONE_NEWPID
        | libc::CLONE_NEWNET
        | libc::CLONE_NEWUSER
        | libc::CLONE_NEWCGROUP;
    if f & namespaces as u64 != 0 {
        return Err(Errno::EINVAL);
    }
    let thread = has(libc::CLONE_THREAD);
    let parent = if has(libc::CLONE_PARENT) || thread {
        t.k.procs.parent_of(t.tgid)
    } else {
        t.tgid
    };
    let nproc = t.rlimits[libc::RLIMIT_NPROC as usize].rlim_cur;
    let nproc = if t.creds.euid == 0 { u64::MAX } else { nproc };
    let exit_signal = if thread { 0 } else { req.exit_signal };
    let tid = t.k.procs.alloc(parent, exit_signal, nproc, thread)?;
    let free_id = |k: &crate::kernel::Kernel| {
        if thread {
            k.procs.free_tid(tid);
        } else {
            k.procs.exit(
                tid,
                ExitStatus::Signaled {
                    signal: libc::SIGKILL,
                    core: false,
                },
            );
            k.procs.autoreap(tid);
        }
    };

    // A task sharing the address space runs on a new thread of the same
    // stub process; others get a stub process of their own.
    let (mm, stub) = if has(libc::CLONE_VM) {
        match t.stub.clone_thread() {
            Ok(s) => (t.mm.clone(), StubSource::Thread(Box::new(s))),
            Err(e) => {
                tracing::error!("clone: cannot create a stub thread: {e}");
                free_id(&t.k);
                return Err(Errno::EAGAIN);
            }
        }
    } else {
        (t.mm.fork(), StubSource::Spawn)
    };
    let fds = if has(libc::CLONE_FILES) {
        t.fds.clone()
    } else {
        t.fds.fork()
    };
    if has(libc::CLONE_PIDFD) {
        // Installed in the parent after its table was copied for the child.
        let flags = if thread {
            super::pidfd::PIDFD_THREAD
        } else {
            0
        };
        let made = super::pidfd::new_pidfd(t, tid, flags).and_then(|fd| {
            t.mm.write_obj(req.pidfd, &fd).inspect_err(|_| {
                let _ = t.fds.remove(fd);
            })
        });
        if let Err(e) = made {
            free_id(&t.k);
            return Err(e);
        }
    }
    let mut regs = t.regs;
    regs.rax = 0;
    if req.stack != 0 {
        regs.rsp = req.stack;
    }
    if has(libc::CLONE_SETTLS) {
        regs.fs_base = req.tls;
    }
    if has(libc::CLONE_PARENT_SETTID) {
        let _ = t.mm.write_obj(req.parent_tid, &tid);
    }
    let group = if thread {
        t.shared.group.clone()
    } else {
        // CLONE_SIGHAND without CLONE_THREAD gets a copy of the dispositions.
        crate::kernel::signal::ThreadGroup::new(tid, *t.shared.group.actions())
    };
    // Registered before the parent returns, so that an exit_group or a
    // signal to the process right after clone reaches the new thread too.
    let shared = Arc::new(crate::kernel::signal::TaskShared::new(tid, group, t.mask()));
    *shared.sched.lock().unwrap_or_else(|p| p.into_inner()) = t
        .shared
        .sched
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .fork();
    shared.set_uids(t.creds.ruid, t.creds.euid);
    shared.set_caps(t.extras.caps);
    crate::fs::proc::inherit_view(&t.shared, &shared);
    t.k.tasks.add(shared.clone());
    super::seccomp::inherit(&t.shared, &shared);
    let mut sig = t.sig.clone();
    if has(libc::CLONE_VM) && !has(libc::CLONE_VFORK) {
        // Linux clears the alternate stack of a task sharing the memory.
        sig.altstack = syscalls::abi::StackT {
            ss_flags: libc::SS_DISABLE,
            ..Default::default()
        };
    }
    let vfork = has(libc::CLONE_VFORK).then(|| Arc::new((Mutex::new(false), Condvar::new())));
    let k = t.k.clone();
    let child_fs = if has(libc::CLONE_FS) {
        t.fs.clone()
    } else {
        let copy = t.fs.lock().unwrap_or_else(|p| p.into_inner()).clone();
        Arc::new(Mutex::new(copy))
    };
    {
        // procfs sees the child's files, root and memory before it first
        // runs (a parent may read /proc/<child>/... right after fork).
        let mut v = crate::fs::proc::view(&shared);
        v.fs = Arc::downgrade(&child_fs);
        v.fds = Arc::downgrade(&fds);
        v.mm = Arc::downgrade(&mm);
        v.creds = t.creds.clone();
        v.rlimits = t.rlimits;
    }
    let child_state = ChildState {
        k: k.clone(),
        tid,
        tgid: if thread { t.tgid } else { tid },
        ppid: if thread { t.ppid } else { parent },
        shared,
        stub,
        regs,
        mm,
        fds,
        fs: child_fs,
        creds: t.creds.clone(),
        sig,
        comm: t.comm.clone(),
        rlimits: t.rlimits,
        extras: {
            // Linux: the parent-death signal is not inherited; the subreaper
            // flag belongs to the process.
            let mut e = t.extras.clone();
            e.pdeathsig = 0;
            if !thread {
                e.subreaper = false;
            }
            e
        },
        child_settid: if has(libc::CLONE_CHILD_SETTID) {
            req.child_tid
        } else {
            0
        },
        clear_child_tid: if has(libc::CLONE_CHILD_CLEARTID) {
            req.child_tid
        } else {
            0
        },
        vfork: vfork.clone(),
    };
    let spawned = std::thread::Builder::new()
        .name(format!("task-{tid}"))
        .spawn(move || child_state.run());
    if let Err(e) = spawned {
        tracing::error!("clone: cannot start a task thread: {e}");
        // The closure (and the stub thread in it) is dropped with the error.
        k.tasks.remove(tid);
        if let Some(g) = k.tasks.group(if thread { t.tgid } else { tid }) {
            g.remove(tid);
        }
        if !thread {
            k.tasks.remove_group(tid);
        }
        free_id(&k);
        return Err(Errno::EAGAIN);
    }
    if let Some(v) = vfork {
        let (m, c) = &*v;
        let mut done = m.lock().unwrap_or_else(|p| p.into_inner());
        while !*done {
            done = c.wait(done).unwrap_or_else(|p| p.into_inner());
        }
    }
    Ok(tid as u64)
}

/// Where a new task's stub thread comes from.
enum StubSource {
    /// A new stub process (fork).
    Spawn,
    /// A new thread of the parent's stub process, to be attached.
    Thread(Box<crate::platform::ptrace::NewStubThread>),
}

/// Everything a new task thread needs to build its Task.
struct ChildState {
    k: Arc<crate::kernel::Kernel>,
    tid: i32,
    tgid: i32,
    ppid: i32,
    shared: Arc<crate::kernel::signal::TaskShared>,
    stub: StubSource,
    regs: crate::platform::Regs,
    mm: Arc<MemoryManager>,
    fds: Arc<crate::vfs::FdTable>,
    fs: Arc<Mutex<crate::kernel::task::FsContext>>,
    creds: crate::kernel::task::Creds,
    sig: crate::kernel::task::SigState,
    comm: Vec<u8>,
    rlimits: [syscalls::abi::Rlimit; 16],
    extras: crate::syscalls::prctl::ProcExtras,
    /// CLONE_CHILD_SETTID: written by the child when it first runs, as Linux.
    child_settid: u64,
    clear_child_tid: u64,
    vfork: Option<Arc<(Mutex<bool>, Condvar)>>,
}

impl ChildState {
    /// Body of the new task's sentry thread: it creates or attaches (and so
    /// traces) the child's stub thread, then runs the task.
    fn run(self) {
        let stub = match self.stub {
            StubSource::Spawn => self.k.stubs.spawn(&self.k.mf.fd()),
            StubSource::Thread(n) => n.attach(),
        };
        let stub = match stub {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("clone: cannot start the stub of task {}: {e}", self.tid);
                if let Some(v) = &self.vfork {
                    let (m, c) = &**v;
                    *m.lock().unwrap_or_else(|p| p.into_inner()) = true;
                    c.notify_all();
                }
                self.k.tasks.remove(self.tid);
                let left = self.shared.group.remove(self.tid);
                if self.tid != self.tgid {
                    self.k.procs.free_tid(self.tid);
                } else if left == 0 {
                    self.k.tasks.remove_group(self.tid);
                    self.k.procs.exit(
                        self.tid,
                        ExitStatus::Signaled {
                            signal: libc::SIGKILL,
                            core: false,
                        },
                    );
                }
                return;
            }
        };
        self.shared.set_interrupter(stub.interrupter());
        if self.child_settid != 0 {
            let _ = self.mm.write_obj(self.child_settid, &self.tid);
        }
        let mut task = Task {
            shared: self.shared,
            saved_mask: None,
            k: self.k,
            tid: self.tid,
            tgid: self.tgid,
            ppid: self.ppid,
            regs: self.regs,
            stub,
            mm: self.mm,
            fds: self.fds,
            fs: self.fs,
            creds: self.creds,
            sig: self.sig,
            comm: self.comm,
            rlimits: self.rlimits,
            clear_child_tid: self.clear_child_tid,
            robust_list: (0, 0),
            extras: self.extras,
            vfork_done: self.vfork,
            exit: None,
            regs_replaced: false,
            restart: None,
            restart_block: None,
            spurious_fault: None,
        };
        let status = task.run();
        task.exit_and_release(status);
    }
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
    let (file, dentry) = crate::vfs::open_exec(t, dirfd, &filename, flags)?;
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
    // Point of no return: the other threads go, then a fresh stub for the
    // fresh address space.
    de_thread(t)?;
    let stub = match t.k.stubs.spawn(&t.k.mf.fd()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("exec: cannot create a stub: {e}");
            return Err(Errno::ENOMEM);
        }
    };
    t.regs = stub.initial_regs(image.entry, image.sp);
    t.shared.set_interrupter(stub.interrupter());
    crate::kernel::usage::exec_switch(&t.shared, &t.mm, stub.pid(), stub.process_pid());
    t.stub = stub; // the old stub is killed on drop
    t.k.timers
        .process_execed(t.tgid, crate::kernel::timers::CpuSource::of(t));
    t.mm = mm;
    t.k.mf.flush_frees();
    t.fds.close_on_exec();
    super::caps::on_exec(t);
    for act in t.shared.group.actions().iter_mut() {
        if act.handler != libc::SIG_IGN as u64 {
            *act = Default::default();
        }
    }
    t.sig.altstack = Default::default();
    t.sig.altstack.ss_flags = libc::SS_DISABLE;
    t.comm = image.comm;
    crate::fs::proc::set_exe(t, dentry);
    t.k.procs.mark_execed(t.tgid);
    t.release_vfork_parent();
    Ok(())
}

/// execve in a multi-threaded process: kill the other threads, wait for
/// them to leave, and take over the leader's id if the caller is not it.
fn de_thread(t: &mut Task) -> Result<(), Errno> {
    use crate::kernel::wait::{block_on_killable, WaitError};
    let g = t.shared.group.clone();
    if g.members().len() <= 1 && t.tid == t.tgid {
        return Ok(());
    }
    {
        let mut st = g.state();
        if st.exit.is_some() || st.exec_tid.is_some() {
            return Err(Errno::EAGAIN);
        }
        st.exec_tid = Some(t.tid);
        st.execs += 1;
    }
    for m in g.members().iter() {
        if m.tid != t.tid {
            m.kill();
        }
    }
    let r = block_on_killable(&[&g.changed], None, || {
        (g.members().len() <= 1).then_some(())
    });
    if r == Err(WaitError::Interrupted) {
        g.state().exec_tid = None;
        return Err(Errno::EINTR);
    }
    if t.tid != t.tgid {
        let old = t.shared.clone();
        t.k.tasks.remove(t.tid);
        g.remove(t.tid);
        t.k.procs.free_tid(t.tid);
        let new = Arc::new(crate::kernel::signal::TaskShared::new(
            t.tgid,
            g.clone(),
            old.mask(),
        ));
        *new.queue() = std::mem::take(&mut *old.queue());
        super::seccomp::inherit(&old, &new);
        crate::fs::proc::inherit_view(&old, &new);
        t.k.tasks.add(new.clone());
        crate::kernel::wait::set_current(Some(new.clone()));
        t.shared = new;
        t.tid = t.tgid;
    }
    g.state().exec_tid = None;
    Ok(())
}

fn sys_exit(t: &mut Task, a: &[u64; 6]) -> SysResult {
    // This thread only; the process ends with its last thread.
    t.exit = Some(ExitStatus::Exited((a[0] & 0xff) as i32));
    t.regs_replaced = true;
    Ok(0)
}

fn sys_exit_group(t: &mut Task, a: &[u64; 6]) -> SysResult {
    t.exit_group(ExitStatus::Exited((a[0] & 0xff) as i32));
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

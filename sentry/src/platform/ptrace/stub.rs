//! Running a stub: [`StubProcess`], [`Stub`] (one traced stub thread),
//! [`NewStubThread`] and [`Interrupter`].
//!
//! Contains `unsafe`: sched_getcpu, the siginfo fault address, the raw
//! FPU/XSAVE regset ptrace calls, and tgkill.

use super::stubcode::{clone_site, syscall_site};
use super::{host, TRACE_OPTIONS};
use crate::platform::{Event, PlatformError, Regs};
use nix::sys::ptrace;
use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

/// One host stub process: one app address space, shared by the stub threads
/// of every task that uses it. Killed when the last of them goes away.
pub struct StubProcess {
    pub(super) pid: Pid,
}

impl Drop for StubProcess {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(self.pid, Signal::SIGKILL);
        // Reap it: we are its parent (any sentry thread may wait for it).
        loop {
            match waitpid(self.pid, Some(WaitPidFlag::__WALL)) {
                Err(nix::errno::Errno::EINTR) => continue,
                Ok(WaitStatus::Exited(..)) | Ok(WaitStatus::Signaled(..)) | Err(_) => break,
                Ok(_) => continue,
            }
        }
    }
}

/// One stub thread (one app thread), traced by the calling sentry thread.
pub struct Stub {
    pub(super) tid: Pid,
    pub(super) process: std::sync::Arc<StubProcess>,
    /// The CPU the stub is bound to (-1: none yet). Keeping the stub on the
    /// tracer's CPU turns each stop/resume into a same-CPU hand-off instead of
    /// a cross-CPU wake-up, which is several times slower in a VM.
    pub(super) cpu: i32,
    /// Registers as the stub stopped first: valid segment selectors and flags.
    pub(super) template: Regs,
    pub(super) alive: bool,
}

/// A stub thread just cloned for a new task, not yet traced. Handed to the
/// new task's sentry thread, which seizes it with [`NewStubThread::attach`].
pub struct NewStubThread {
    pub(super) tid: Pid,
    pub(super) process: std::sync::Arc<StubProcess>,
    pub(super) template: Regs,
}

impl NewStubThread {
    /// Trace the new stub thread from the calling thread and stop it.
    pub fn attach(self) -> Result<Stub, PlatformError> {
        let tid = self.tid;
        ptrace::seize(tid, TRACE_OPTIONS).map_err(host("PTRACE_SEIZE"))?;
        ptrace::interrupt(tid).map_err(host("PTRACE_INTERRUPT"))?;
        let mut stub = Stub {
            tid,
            process: self.process,
            cpu: -1,
            template: self.template,
            alive: true,
        };
        loop {
            match stub.wait()? {
                WaitStatus::PtraceEvent(..) => break,
                WaitStatus::Stopped(..) => {
                    // A kick that raced with the attach: suppressed.
                    ptrace::cont(tid, None).map_err(host("PTRACE_CONT"))?;
                    ptrace::interrupt(tid).map_err(host("PTRACE_INTERRUPT"))?;
                }
                WaitStatus::Exited(..) | WaitStatus::Signaled(..) => {
                    stub.alive = false;
                    return Err(PlatformError::StubDied);
                }
                _ => continue,
            }
        }
        Ok(stub)
    }
}

/// The regset of the XSAVE area (Linux's NT_X86_XSTATE).
const NT_X86_XSTATE: usize = 0x202;
/// Upper bound of the XSAVE area size (AMX tiles included).
const XSTATE_MAX: usize = 16 * 1024;

/// The mmap prot/flags value meaning "shared fixed mapping of the memory file".
const MAP_MEMFILE: u64 = (libc::MAP_SHARED | libc::MAP_FIXED) as u64;

/// Flags of the host clone that makes a new stub thread.
const STUB_THREAD_FLAGS: u64 = (libc::CLONE_VM
    | libc::CLONE_FS
    | libc::CLONE_FILES
    | libc::CLONE_SIGHAND
    | libc::CLONE_THREAD
    | libc::CLONE_SYSVSEM) as u64;

impl Stub {
    /// The host id of this stub thread.
    pub fn pid(&self) -> i32 {
        self.tid.as_raw()
    }

    /// The host pid of the stub process (its CPU clock is the address space's).
    pub fn process_pid(&self) -> i32 {
        self.process.pid.as_raw()
    }

    /// Initial register state for an app starting at `rip` with stack `rsp`.
    pub fn initial_regs(&self, rip: u64, rsp: u64) -> Regs {
        let mut r = self.template;
        r.rip = rip;
        r.rsp = rsp;
        for v in [
            &mut r.rax,
            &mut r.rbx,
            &mut r.rcx,
            &mut r.rdx,
            &mut r.rsi,
            &mut r.rdi,
            &mut r.rbp,
            &mut r.r8,
            &mut r.r9,
            &mut r.r10,
            &mut r.r11,
            &mut r.r12,
            &mut r.r13,
            &mut r.r14,
            &mut r.r15,
            &mut r.fs_base,
            &mut r.gs_base,
        ] {
            *v = 0;
        }
        r.orig_rax = u64::MAX;
        r.eflags = 0x202;
        r
    }

    /// Wait for the next stop or exit of this stub thread.
    fn wait(&mut self) -> Result<WaitStatus, PlatformError> {
        loop {
            match waitpid(self.tid, Some(WaitPidFlag::__WALL)) {
                Ok(st) => {
                    if matches!(st, WaitStatus::Exited(..) | WaitStatus::Signaled(..)) {
                        self.alive = false;
                    }
                    return Ok(st);
                }
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => {
                    self.alive = false;
                    return Err(PlatformError::Host {
                        call: "waitpid",
                        errno: e,
                    });
                }
            }
        }
    }

    /// Run app code with `regs` until it traps; `regs` is updated.
    pub fn switch(&mut self, regs: &mut Regs) -> Result<Event, PlatformError> {
        if !self.alive {
            return Ok(Event::Died);
        }
        self.bind_to_current_cpu();
        ptrace::setregs(self.tid, *regs).map_err(host("PTRACE_SETREGS"))?;
        ptrace::sysemu(self.tid, None).map_err(host("PTRACE_SYSEMU"))?;
        loop {
            match self.wait()? {
                WaitStatus::PtraceSyscall(_) => {
                    *regs = ptrace::getregs(self.tid).map_err(host("PTRACE_GETREGS"))?;
                    return Ok(Event::Syscall);
                }
                WaitStatus::Stopped(_, sig) => {
                    *regs = ptrace::getregs(self.tid).map_err(host("PTRACE_GETREGS"))?;
                    let (code, addr) = self.siginfo();
                    return Ok(match sig {
                        Signal::SIGSEGV | Signal::SIGBUS => Event::Fault {
                            signal: sig as i32,
                            addr,
                            code,
                        },
                        Signal::SIGILL | Signal::SIGFPE | Signal::SIGTRAP => Event::Signal {
                            signal: sig as i32,
                            code,
                            addr,
                        },
                        _ => Event::Interrupted,
                    });
                }
                WaitStatus::PtraceEvent(..) => {
                    *regs = ptrace::getregs(self.tid).map_err(host("PTRACE_GETREGS"))?;
                    return Ok(Event::Interrupted);
                }
                WaitStatus::Exited(..) | WaitStatus::Signaled(..) => return Ok(Event::Died),
                _ => continue,
            }
        }
    }

    fn bind_to_current_cpu(&mut self) {
        // SAFETY: sched_getcpu has no preconditions.
        let cpu = unsafe { libc::sched_getcpu() };
        if cpu < 0 || cpu == self.cpu {
            return;
        }
        let mut set = nix::sched::CpuSet::new();
        if set.set(cpu as usize).is_ok() && nix::sched::sched_setaffinity(self.tid, &set).is_ok() {
            self.cpu = cpu;
        }
    }

    pub(super) fn siginfo(&self) -> (i32, u64) {
        match ptrace::getsiginfo(self.tid) {
            // SAFETY: si_addr reads the fault-address union member, which the
            // kernel fills for the fault signals we ask it for; for others it
            // reads initialised bytes of the union that we treat as a number.
            Ok(si) => (si.si_code, unsafe { si.si_addr() } as u64),
            Err(_) => (0, 0),
        }
    }

    /// Execute one syscall at `site` in the stub and return its raw result;
    /// the stub traps back at `ret`.
    pub(super) fn inject_at(
        &mut self,
        site: u64,
        ret: u64,
        nr: i64,
        args: [u64; 6],
    ) -> Result<u64, PlatformError> {
        if !self.alive {
            return Err(PlatformError::StubDied);
        }
        let mut r = self.template;
        r.rax = nr as u64;
        r.orig_rax = u64::MAX;
        r.rdi = args[0];
        r.rsi = args[1];
        r.rdx = args[2];
        r.r10 = args[3];
        r.r8 = args[4];
        r.r9 = args[5];
        r.rip = site;
        ptrace::setregs(self.tid, r).map_err(host("PTRACE_SETREGS"))?;
        ptrace::cont(self.tid, None).map_err(host("PTRACE_CONT"))?;
        loop {
            match self.wait()? {
                WaitStatus::Stopped(_, Signal::SIGTRAP) => {
                    let out = ptrace::getregs(self.tid).map_err(host("PTRACE_GETREGS"))?;
                    if out.rip != ret {
                        return Err(PlatformError::Unexpected(format!(
                            "injected syscall {nr} stopped at {:#x}",
                            out.rip
                        )));
                    }
                    return Ok(out.rax);
                }
                // An external signal (e.g. an interrupt) raced with the
                // injection: suppress it and keep going.
                WaitStatus::Stopped(..) | WaitStatus::PtraceEvent(..) => {
                    ptrace::cont(self.tid, None).map_err(host("PTRACE_CONT"))?
                }
                WaitStatus::Exited(..) | WaitStatus::Signaled(..) => {
                    return Err(PlatformError::StubDied)
                }
                _ => continue,
            }
        }
    }

    fn inject(&mut self, nr: i64, args: [u64; 6]) -> Result<u64, PlatformError> {
        let site = syscall_site();
        self.inject_at(site, site + 3, nr, args)
    }

    pub(super) fn check(ret: u64, call: &'static str) -> Result<u64, PlatformError> {
        let r = ret as i64;
        if (-4095..0).contains(&r) {
            Err(PlatformError::Host {
                call,
                errno: nix::errno::Errno::from_raw(-r as i32),
            })
        } else {
            Ok(ret)
        }
    }

    /// Register the stub process for the host's
    /// MEMBARRIER_CMD_GLOBAL_EXPEDITED (the app's membarrier barriers then
    /// reach its running threads through the host's IPIs).
    pub fn membarrier_register(&mut self) -> Result<(), PlatformError> {
        const MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED: u64 = 4;
        let r = self.inject(
            libc::SYS_membarrier,
            [MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0, 0, 0, 0],
        )?;
        Self::check(r, "stub membarrier").map(|_| ())
    }

    /// Clone a new thread of this stub process for a new task that shares
    /// the address space. The new thread waits untraced until the task's
    /// own sentry thread attaches it.
    pub fn clone_thread(&mut self) -> Result<NewStubThread, PlatformError> {
        let (site, ret) = clone_site();
        let r = self.inject_at(
            site,
            ret,
            libc::SYS_clone,
            [STUB_THREAD_FLAGS, 0, 0, 0, 0, 0],
        )?;
        let tid = Self::check(r, "stub clone")?;
        Ok(NewStubThread {
            tid: Pid::from_raw(tid as i32),
            process: self.process.clone(),
            template: self.template,
        })
    }

    /// Map `len` bytes of the memory file at `offset` to `addr` with `prot`.
    pub fn map(
        &mut self,
        addr: u64,
        len: u64,
        prot: i32,
        offset: u64,
    ) -> Result<(), PlatformError> {
        let r = self.inject(
            libc::SYS_mmap,
            [addr, len, prot as u64, MAP_MEMFILE, 0, offset],
        )?;
        Self::check(r, "stub mmap").map(|_| ())
    }

    /// Remove any mapping in `[addr, addr+len)`.
    pub fn unmap(&mut self, addr: u64, len: u64) -> Result<(), PlatformError> {
        let r = self.inject(libc::SYS_munmap, [addr, len, 0, 0, 0, 0])?;
        Self::check(r, "stub munmap").map(|_| ())
    }

    /// Change the protection of mapped pages in `[addr, addr+len)`.
    pub fn protect(&mut self, addr: u64, len: u64, prot: i32) -> Result<(), PlatformError> {
        let r = self.inject(libc::SYS_mprotect, [addr, len, prot as u64, 0, 0, 0])?;
        Self::check(r, "stub mprotect").map(|_| ())
    }

    /// The FXSAVE area (x87/SSE state) of the stopped stub thread.
    pub fn get_fpregs(&self) -> Result<[u8; 512], PlatformError> {
        let mut buf = [0u8; 512];
        // SAFETY: PTRACE_GETFPREGS writes exactly one user_fpregs_struct
        // (512 bytes) into the buffer; the tracee is stopped and ours.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_GETFPREGS,
                self.tid.as_raw(),
                0,
                buf.as_mut_ptr() as *mut libc::c_void,
            )
        };
        if r < 0 {
            return Err(PlatformError::Host {
                call: "PTRACE_GETFPREGS",
                errno: nix::errno::Errno::last(),
            });
        }
        Ok(buf)
    }

    /// Load an FXSAVE area into the stopped stub thread.
    pub fn set_fpregs(&self, buf: &[u8; 512]) -> Result<(), PlatformError> {
        // SAFETY: PTRACE_SETFPREGS reads exactly 512 bytes from the buffer.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_SETFPREGS,
                self.tid.as_raw(),
                0,
                buf.as_ptr() as *mut libc::c_void,
            )
        };
        if r < 0 {
            return Err(PlatformError::Host {
                call: "PTRACE_SETFPREGS",
                errno: nix::errno::Errno::last(),
            });
        }
        Ok(())
    }

    /// The full XSAVE area (x87, SSE, AVX, AVX-512, ... as enabled on the
    /// host) of the stopped stub thread, with the kernel's software bytes
    /// (FP_XSTATE_MAGIC1, sizes, features) in the FXSAVE reserved area.
    pub fn get_xstate(&self) -> Result<Vec<u8>, PlatformError> {
        let mut buf = vec![0u8; XSTATE_MAX];
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr() as *mut libc::c_void,
            iov_len: buf.len(),
        };
        // SAFETY: PTRACE_GETREGSET writes at most iov_len bytes into the
        // buffer the iovec describes and shrinks iov_len to what it wrote;
        // the tracee is stopped and ours.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_GETREGSET,
                self.tid.as_raw(),
                NT_X86_XSTATE,
                &mut iov as *mut libc::iovec as *mut libc::c_void,
            )
        };
        if r < 0 {
            return Err(PlatformError::Host {
                call: "PTRACE_GETREGSET",
                errno: nix::errno::Errno::last(),
            });
        }
        buf.truncate(iov.iov_len);
        Ok(buf)
    }

    /// Load an XSAVE area into the stopped stub thread. The host validates
    /// it (reserved bits, feature bits) and refuses a bad one.
    pub fn set_xstate(&self, area: &[u8]) -> Result<(), PlatformError> {
        let mut iov = libc::iovec {
            iov_base: area.as_ptr() as *mut libc::c_void,
            iov_len: area.len(),
        };
        // SAFETY: PTRACE_SETREGSET only reads iov_len bytes from the buffer.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_SETREGSET,
                self.tid.as_raw(),
                NT_X86_XSTATE,
                &mut iov as *mut libc::iovec as *mut libc::c_void,
            )
        };
        if r < 0 {
            return Err(PlatformError::Host {
                call: "PTRACE_SETREGSET",
                errno: nix::errno::Errno::last(),
            });
        }
        Ok(())
    }

    /// Kill the whole stub process (every thread of it) and reap this thread.
    pub fn kill(&mut self) {
        if self.alive {
            let _ = nix::sys::signal::kill(self.process.pid, Signal::SIGKILL);
            while self.alive && self.wait().is_ok() {}
            self.alive = false;
        }
    }

    /// End this stub thread alone (other tasks still use the process): it
    /// runs exit(2) and is detached on its way out, so that neither this
    /// tracer's exit nor the thread's zombie state affects the others.
    fn exit_thread(&mut self) {
        if !self.alive {
            return;
        }
        let opts = ptrace::Options::PTRACE_O_TRACESYSGOOD | ptrace::Options::PTRACE_O_TRACEEXIT;
        if ptrace::setoptions(self.tid, opts).is_err() {
            self.alive = false;
            return;
        }
        let mut r = self.template;
        r.rax = libc::SYS_exit as u64;
        r.orig_rax = u64::MAX;
        r.rdi = 0;
        r.rip = syscall_site();
        if ptrace::setregs(self.tid, r).is_err() || ptrace::cont(self.tid, None).is_err() {
            self.alive = false;
            return;
        }
        loop {
            match self.wait() {
                Ok(WaitStatus::PtraceEvent(_, _, ev)) if ev == libc::PTRACE_EVENT_EXIT => {
                    let _ = ptrace::detach(self.tid, None);
                    break;
                }
                Ok(WaitStatus::Stopped(..)) | Ok(WaitStatus::PtraceEvent(..)) => {
                    if ptrace::cont(self.tid, None).is_err() {
                        break;
                    }
                }
                Ok(WaitStatus::Exited(..)) | Ok(WaitStatus::Signaled(..)) | Err(_) => break,
                Ok(_) => continue,
            }
        }
        self.alive = false;
    }

    /// Ask a running stub thread to stop (from another thread).
    pub fn interrupter(&self) -> Interrupter {
        Interrupter {
            pid: self.process.pid,
            tid: self.tid,
        }
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        if std::sync::Arc::strong_count(&self.process) > 1 {
            self.exit_thread();
        } else {
            self.kill();
        }
    }
}

/// Kicks a running stub thread back into the sentry; usable from any thread.
#[derive(Clone, Copy, Debug)]
pub struct Interrupter {
    pid: Pid,
    tid: Pid,
}

impl Interrupter {
    pub fn interrupt(&self) {
        // A thread-directed SIGSTOP: the tracer sees a signal-delivery stop
        // for this thread only and suppresses it.
        // SAFETY: tgkill only sends a signal; the ids are plain integers.
        unsafe {
            libc::syscall(
                libc::SYS_tgkill,
                self.pid.as_raw(),
                self.tid.as_raw(),
                libc::SIGSTOP,
            );
        }
    }
}

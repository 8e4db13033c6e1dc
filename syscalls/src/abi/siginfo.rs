//! `siginfo_t` (128 bytes) as raw words with typed accessors for the union members.
//!
//! Layout (x86_64, checked with `offsetof` on glibc's `siginfo_t`):
//!
//! | offset | field |
//! |---|---|
//! | 0 | `si_signo: i32` |
//! | 4 | `si_errno: i32` |
//! | 8 | `si_code: i32` (4 bytes of padding follow) |
//! | 16 | union: `kill`/`rt`/`sigchld`: `si_pid: i32`, 20 `si_uid: u32`; `timer`: `si_timerid: i32`, 20 `si_overrun: i32`; `fault`: `si_addr: u64`; `poll`: `si_band: i64`; `sigsys`: `si_call_addr: u64` |
//! | 24 | `rt`/`timer`: `si_value: u64` (sigval); `sigchld`: `si_status: i32`; `fault`: `si_addr_lsb: i16` (and bounds/pkey after); `poll`: `si_fd: i32`; `sigsys`: `si_syscall: i32`, 28 `si_arch: u32` |
//! | 32 | `sigchld`: `si_utime: i64`, 40 `si_stime: i64` (clock ticks) |

use crate::pod::pod_struct;

pod_struct! {
    #[repr(C)]
    /// `siginfo_t`, stored as 16 little-endian words; use the accessors.
    pub struct Siginfo {
        pub raw: [u64; 16],
    }
}

const OFF_SIGNO: usize = 0;
const OFF_ERRNO: usize = 4;
const OFF_CODE: usize = 8;
const OFF_PID: usize = 16;
const OFF_UID: usize = 20;
const OFF_ADDR: usize = 16;
const OFF_TIMERID: usize = 16;
const OFF_OVERRUN: usize = 20;
const OFF_VALUE: usize = 24;
const OFF_STATUS: usize = 24;
const OFF_UTIME: usize = 32;
const OFF_STIME: usize = 40;
const OFF_ADDR_LSB: usize = 24;
const OFF_BAND: usize = 16;
const OFF_FD: usize = 24;
const OFF_CALL_ADDR: usize = 16;
const OFF_SYSCALL: usize = 24;
const OFF_ARCH: usize = 28;

impl Siginfo {
    fn get32(&self, off: usize) -> u32 {
        (self.raw[off / 8] >> ((off % 8) * 8)) as u32
    }
    fn set32(&mut self, off: usize, v: u32) {
        let shift = (off % 8) * 8;
        let w = &mut self.raw[off / 8];
        *w = (*w & !(0xffff_ffffu64 << shift)) | ((v as u64) << shift);
    }
    fn get16(&self, off: usize) -> u16 {
        (self.raw[off / 8] >> ((off % 8) * 8)) as u16
    }
    fn set16(&mut self, off: usize, v: u16) {
        let shift = (off % 8) * 8;
        let w = &mut self.raw[off / 8];
        *w = (*w & !(0xffffu64 << shift)) | ((v as u64) << shift);
    }
    fn get64(&self, off: usize) -> u64 {
        self.raw[off / 8]
    }
    fn set64(&mut self, off: usize, v: u64) {
        self.raw[off / 8] = v;
    }

    /// A siginfo with only `si_signo` and `si_code` set.
    pub fn new(signo: i32, code: i32) -> Siginfo {
        let mut si = Siginfo::default();
        si.set_signo(signo);
        si.set_code(code);
        si
    }

    /// `kill`-style: sender pid and uid (`SI_USER`, `SI_TKILL`).
    pub fn kill(signo: i32, code: i32, pid: i32, uid: u32) -> Siginfo {
        let mut si = Siginfo::new(signo, code);
        si.set_pid(pid);
        si.set_uid(uid);
        si
    }

    /// Fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP): faulting address.
    pub fn fault(signo: i32, code: i32, addr: u64) -> Siginfo {
        let mut si = Siginfo::new(signo, code);
        si.set_addr(addr);
        si
    }

    /// SIGCHLD: child pid, uid, status (exit code or signal) and times in ticks.
    pub fn sigchld(code: i32, pid: i32, uid: u32, status: i32, utime: i64, stime: i64) -> Siginfo {
        let mut si = Siginfo::new(crate::consts::SIGCHLD, code);
        si.set_pid(pid);
        si.set_uid(uid);
        si.set_status(status);
        si.set_utime(utime);
        si.set_stime(stime);
        si
    }

    /// POSIX timer expiry (`SI_TIMER`): timer id, overrun count, sigev_value.
    pub fn timer(signo: i32, timer_id: i32, overrun: i32, value: u64) -> Siginfo {
        let mut si = Siginfo::new(signo, crate::consts::SI_TIMER);
        si.set_timer_id(timer_id);
        si.set_overrun(overrun);
        si.set_value(value);
        si
    }

    /// Queued signal (`rt_sigqueueinfo`, `SI_QUEUE`, `SI_MESGQ`): pid, uid, sigval.
    pub fn rt(signo: i32, code: i32, pid: i32, uid: u32, value: u64) -> Siginfo {
        let mut si = Siginfo::kill(signo, code, pid, uid);
        si.set_value(value);
        si
    }

    /// SIGSYS from seccomp (`SYS_SECCOMP`): call address, syscall number, audit arch.
    pub fn sigsys(code: i32, call_addr: u64, syscall: i32, arch: u32) -> Siginfo {
        let mut si = Siginfo::new(crate::consts::SIGSYS, code);
        si.set_call_addr(call_addr);
        si.set_syscall(syscall);
        si.set_arch(arch);
        si
    }

    /// `si_signo`.
    pub fn signo(&self) -> i32 {
        self.get32(OFF_SIGNO) as i32
    }
    /// Set `si_signo`.
    pub fn set_signo(&mut self, v: i32) {
        self.set32(OFF_SIGNO, v as u32)
    }
    /// `si_errno`.
    pub fn errno(&self) -> i32 {
        self.get32(OFF_ERRNO) as i32
    }
    /// Set `si_errno`.
    pub fn set_errno(&mut self, v: i32) {
        self.set32(OFF_ERRNO, v as u32)
    }
    /// `si_code`.
    pub fn code(&self) -> i32 {
        self.get32(OFF_CODE) as i32
    }
    /// Set `si_code`.
    pub fn set_code(&mut self, v: i32) {
        self.set32(OFF_CODE, v as u32)
    }
    /// `si_pid` (kill, rt, sigchld).
    pub fn pid(&self) -> i32 {
        self.get32(OFF_PID) as i32
    }
    /// Set `si_pid`.
    pub fn set_pid(&mut self, v: i32) {
        self.set32(OFF_PID, v as u32)
    }
    /// `si_uid` (kill, rt, sigchld).
    pub fn uid(&self) -> u32 {
        self.get32(OFF_UID)
    }
    /// Set `si_uid`.
    pub fn set_uid(&mut self, v: u32) {
        self.set32(OFF_UID, v)
    }
    /// `si_status` (sigchld).
    pub fn status(&self) -> i32 {
        self.get32(OFF_STATUS) as i32
    }
    /// Set `si_status`.
    pub fn set_status(&mut self, v: i32) {
        self.set32(OFF_STATUS, v as u32)
    }
    /// `si_utime` (sigchld).
    pub fn utime(&self) -> i64 {
        self.get64(OFF_UTIME) as i64
    }
    /// Set `si_utime`.
    pub fn set_utime(&mut self, v: i64) {
        self.set64(OFF_UTIME, v as u64)
    }
    /// `si_stime` (sigchld).
    pub fn stime(&self) -> i64 {
        self.get64(OFF_STIME) as i64
    }
    /// Set `si_stime`.
    pub fn set_stime(&mut self, v: i64) {
        self.set64(OFF_STIME, v as u64)
    }
    /// `si_addr` (fault).
    pub fn addr(&self) -> u64 {
        self.get64(OFF_ADDR)
    }
    /// Set `si_addr`.
    pub fn set_addr(&mut self, v: u64) {
        self.set64(OFF_ADDR, v)
    }
    /// `si_addr_lsb` (fault, BUS_MCEERR_*).
    pub fn addr_lsb(&self) -> i16 {
        self.get16(OFF_ADDR_LSB) as i16
    }
    /// Set `si_addr_lsb`.
    pub fn set_addr_lsb(&mut self, v: i16) {
        self.set16(OFF_ADDR_LSB, v as u16)
    }
    /// `si_value` (rt, timer): the `sival_ptr`/`sival_int` word.
    pub fn value(&self) -> u64 {
        self.get64(OFF_VALUE)
    }
    /// Set `si_value`.
    pub fn set_value(&mut self, v: u64) {
        self.set64(OFF_VALUE, v)
    }
    /// `si_timerid` (timer).
    pub fn timer_id(&self) -> i32 {
        self.get32(OFF_TIMERID) as i32
    }
    /// Set `si_timerid`.
    pub fn set_timer_id(&mut self, v: i32) {
        self.set32(OFF_TIMERID, v as u32)
    }
    /// `si_overrun` (timer).
    pub fn overrun(&self) -> i32 {
        self.get32(OFF_OVERRUN) as i32
    }
    /// Set `si_overrun`.
    pub fn set_overrun(&mut self, v: i32) {
        self.set32(OFF_OVERRUN, v as u32)
    }
    /// `si_band` (SIGPOLL/SIGIO).
    pub fn band(&self) -> i64 {
        self.get64(OFF_BAND) as i64
    }
    /// Set `si_band`.
    pub fn set_band(&mut self, v: i64) {
        self.set64(OFF_BAND, v as u64)
    }
    /// `si_fd` (SIGPOLL/SIGIO).
    pub fn fd(&self) -> i32 {
        self.get32(OFF_FD) as i32
    }
    /// Set `si_fd`.
    pub fn set_fd(&mut self, v: i32) {
        self.set32(OFF_FD, v as u32)
    }
    /// `si_call_addr` (sigsys).
    pub fn call_addr(&self) -> u64 {
        self.get64(OFF_CALL_ADDR)
    }
    /// Set `si_call_addr`.
    pub fn set_call_addr(&mut self, v: u64) {
        self.set64(OFF_CALL_ADDR, v)
    }
    /// `si_syscall` (sigsys).
    pub fn syscall(&self) -> i32 {
        self.get32(OFF_SYSCALL) as i32
    }
    /// Set `si_syscall`.
    pub fn set_syscall(&mut self, v: i32) {
        self.set32(OFF_SYSCALL, v as u32)
    }
    /// `si_arch` (sigsys).
    pub fn arch(&self) -> u32 {
        self.get32(OFF_ARCH)
    }
    /// Set `si_arch`.
    pub fn set_arch(&mut self, v: u32) {
        self.set32(OFF_ARCH, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::*;
    use crate::pod::Pod;

    #[test]
    fn byte_layout() {
        let si = Siginfo::sigchld(CLD_EXITED, 1234, 1000, 7, 5, 6);
        let b = si.as_bytes();
        assert_eq!(b.len(), 128);
        assert_eq!(&b[0..4], &SIGCHLD.to_le_bytes());
        assert_eq!(&b[8..12], &CLD_EXITED.to_le_bytes());
        assert_eq!(&b[16..20], &1234i32.to_le_bytes());
        assert_eq!(&b[20..24], &1000u32.to_le_bytes());
        assert_eq!(&b[24..28], &7i32.to_le_bytes());
        assert_eq!(&b[32..40], &5i64.to_le_bytes());
        assert_eq!(&b[40..48], &6i64.to_le_bytes());
        let back = Siginfo::from_bytes(b).unwrap();
        assert_eq!(back, si);
        assert_eq!((back.pid(), back.uid(), back.status()), (1234, 1000, 7));
        assert_eq!((back.utime(), back.stime()), (5, 6));
    }

    #[test]
    fn accessors() {
        let mut si = Siginfo::kill(SIGTERM, SI_USER, -5, u32::MAX);
        assert_eq!(si.signo(), SIGTERM);
        assert_eq!(si.code(), SI_USER);
        assert_eq!(si.pid(), -5);
        assert_eq!(si.uid(), u32::MAX);
        si.set_errno(-1);
        assert_eq!(si.errno(), -1);
        assert_eq!(si.code(), SI_USER, "errno must not clobber code");

        let f = Siginfo::fault(SIGSEGV, SEGV_MAPERR, 0xdead_beef_0000);
        assert_eq!(f.addr(), 0xdead_beef_0000);
        let mut f2 = f;
        f2.set_addr_lsb(12);
        assert_eq!(f2.addr_lsb(), 12);
        assert_eq!(f2.addr(), f.addr());

        let t = Siginfo::timer(SIGALRM, 3, 2, 0x55);
        assert_eq!((t.timer_id(), t.overrun(), t.value()), (3, 2, 0x55));
        assert_eq!(t.code(), SI_TIMER);

        let r = Siginfo::rt(SIGRTMIN, SI_QUEUE, 10, 20, 30);
        assert_eq!((r.pid(), r.uid(), r.value()), (10, 20, 30));

        let s = Siginfo::sigsys(SYS_SECCOMP, 0x4000, 39, AUDIT_ARCH_X86_64);
        assert_eq!(
            (s.call_addr(), s.syscall(), s.arch()),
            (0x4000, 39, AUDIT_ARCH_X86_64)
        );
        assert_eq!(s.signo(), SIGSYS);

        let mut p = Siginfo::new(SIGIO, POLL_IN);
        p.set_band(-2);
        p.set_fd(9);
        assert_eq!((p.band(), p.fd()), (-2, 9));
    }
}

//! `#[repr(C)]` Linux x86_64 ABI structures exchanged with the application.
//!
//! Every struct here is [`Pod`](crate::Pod): all fields are plain integers or arrays
//! of them, implicit padding is spelled out as `_pad*` fields (the `pod_struct!`
//! macro refuses to compile a struct with hidden padding), so any bytes read from
//! guest memory form a valid value and `as_bytes` never exposes uninitialized memory.
//!
//! Sizes and field offsets are asserted at compile time. The expected values were
//! checked on the x86_64 build host with small C programs (`cc`, glibc 2.36, Linux
//! uapi headers from linux-libc-dev 6.1) printing `sizeof`/`offsetof` of the kernel
//! types: `struct stat` from `<asm/stat.h>`, `struct statx` from `<linux/stat.h>`
//! (the 6.18 field names after `stx_dio_offset_align` come from the 6.18 uapi; the
//! size is unchanged), `struct termios`/`termios2` from `<asm/termbits.h>`,
//! `struct statfs` from `<asm/statfs.h>`, `struct new_utsname`, `struct sysinfo`,
//! `struct clone_args`, `struct robust_list_head`, `struct epoll_event`,
//! `struct sigcontext`, `struct ucontext`, `struct open_how` from `<linux/*.h>`,
//! and `struct user_regs_struct`, `struct user_fpregs_struct`, `siginfo_t`,
//! `stack_t`, `struct rusage`, `struct tms`, `struct itimerval`, `Elf64_*` from
//! glibc's `<sys/user.h>`, `<signal.h>`, `<sys/resource.h>`, `<elf.h>`, etc.

use crate::pod::{pod_newtype, pod_struct};

mod ipc;
mod siginfo;
pub use ipc::*;
pub use siginfo::Siginfo;

pod_struct! {
    #[repr(C)]
    /// `struct stat` as returned by `stat`/`fstat`/`lstat`/`newfstatat` (144 bytes).
    pub struct Stat {
        pub st_dev: u64,
        pub st_ino: u64,
        pub st_nlink: u64,
        pub st_mode: u32,
        pub st_uid: u32,
        pub st_gid: u32,
        pub _pad0: u32,
        pub st_rdev: u64,
        pub st_size: i64,
        pub st_blksize: i64,
        pub st_blocks: i64,
        pub st_atime: i64,
        pub st_atime_nsec: i64,
        pub st_mtime: i64,
        pub st_mtime_nsec: i64,
        pub st_ctime: i64,
        pub st_ctime_nsec: i64,
        pub _unused: [i64; 3],
    }

    #[repr(C)]
    /// `struct statx_timestamp` (16 bytes).
    pub struct StatxTimestamp {
        pub tv_sec: i64,
        pub tv_nsec: u32,
        pub _reserved: i32,
    }

    #[repr(C)]
    /// `struct statx` (256 bytes), Linux 6.18 layout.
    pub struct Statx {
        pub stx_mask: u32,
        pub stx_blksize: u32,
        pub stx_attributes: u64,
        pub stx_nlink: u32,
        pub stx_uid: u32,
        pub stx_gid: u32,
        pub stx_mode: u16,
        pub _spare0: u16,
        pub stx_ino: u64,
        pub stx_size: u64,
        pub stx_blocks: u64,
        pub stx_attributes_mask: u64,
        pub stx_atime: StatxTimestamp,
        pub stx_btime: StatxTimestamp,
        pub stx_ctime: StatxTimestamp,
        pub stx_mtime: StatxTimestamp,
        pub stx_rdev_major: u32,
        pub stx_rdev_minor: u32,
        pub stx_dev_major: u32,
        pub stx_dev_minor: u32,
        pub stx_mnt_id: u64,
        pub stx_dio_mem_align: u32,
        pub stx_dio_offset_align: u32,
        pub stx_subvol: u64,
        pub stx_atomic_write_unit_min: u32,
        pub stx_atomic_write_unit_max: u32,
        pub stx_atomic_write_segments_max: u32,
        pub stx_dio_read_offset_align: u32,
        pub stx_atomic_write_unit_max_opt: u32,
        pub _spare2: u32,
        pub _spare3: [u64; 8],
    }

    #[repr(C)]
    /// `struct timespec` / `__kernel_timespec` (16 bytes).
    pub struct Timespec {
        pub tv_sec: i64,
        pub tv_nsec: i64,
    }

    #[repr(C)]
    /// `struct timeval` / `__kernel_old_timeval` (16 bytes).
    pub struct Timeval {
        pub tv_sec: i64,
        pub tv_usec: i64,
    }

    #[repr(C)]
    /// `struct timezone` (8 bytes).
    pub struct Timezone {
        pub tz_minuteswest: i32,
        pub tz_dsttime: i32,
    }

    #[repr(C)]
    /// `struct iovec` (16 bytes).
    pub struct Iovec {
        pub iov_base: u64,
        pub iov_len: u64,
    }

    #[repr(C, packed)]
    /// The fixed 19-byte prefix of `struct linux_dirent64`, as produced by
    /// `getdents64`. It is followed by the NUL-terminated name and padding up to
    /// `d_reclen`, which is a multiple of 8. Packed because the kernel's struct has
    /// the name at offset 19 (`offsetof(d_name)`), which `repr(C)` would round up;
    /// copy fields out by value (`{ h.d_reclen }`), never take references to them.
    pub struct LinuxDirent64Header {
        pub d_ino: u64,
        pub d_off: i64,
        pub d_reclen: u16,
        pub d_type: u8,
    }

    #[repr(C)]
    /// `struct new_utsname` as filled by `uname` (6 x 65 bytes).
    pub struct Utsname {
        pub sysname: [u8; 65],
        pub nodename: [u8; 65],
        pub release: [u8; 65],
        pub version: [u8; 65],
        pub machine: [u8; 65],
        pub domainname: [u8; 65],
    }

    #[repr(C)]
    /// `struct rlimit` / `struct rlimit64` (16 bytes). `RLIM_INFINITY` is `u64::MAX`.
    pub struct Rlimit {
        pub rlim_cur: u64,
        pub rlim_max: u64,
    }

    #[repr(C)]
    /// `struct sysinfo` (112 bytes). The kernel's `_f` filler is 0 bytes on 64-bit;
    /// `_pad2` is the implicit hole before `totalhigh` and `_pad3` the tail padding.
    pub struct Sysinfo {
        pub uptime: i64,
        pub loads: [u64; 3],
        pub totalram: u64,
        pub freeram: u64,
        pub sharedram: u64,
        pub bufferram: u64,
        pub totalswap: u64,
        pub freeswap: u64,
        pub procs: u16,
        pub pad: u16,
        pub _pad2: u32,
        pub totalhigh: u64,
        pub freehigh: u64,
        pub mem_unit: u32,
        pub _pad3: u32,
    }

    #[repr(C)]
    /// The kernel's `struct sigaction` for `rt_sigaction` (32 bytes): note the
    /// order differs from glibc's user-space `struct sigaction`.
    pub struct KernelSigaction {
        pub handler: u64,
        pub flags: u64,
        pub restorer: u64,
        pub mask: u64,
    }

    #[repr(C)]
    /// `stack_t` for `sigaltstack` (24 bytes).
    pub struct StackT {
        pub ss_sp: u64,
        pub ss_flags: i32,
        pub _pad0: u32,
        pub ss_size: u64,
    }

    #[repr(C)]
    /// The kernel's `struct termios` for `TCGETS`/`TCSETS*` (36 bytes, `NCCS` = 19).
    pub struct Termios {
        pub c_iflag: u32,
        pub c_oflag: u32,
        pub c_cflag: u32,
        pub c_lflag: u32,
        pub c_line: u8,
        pub c_cc: [u8; NCCS],
    }

    #[repr(C)]
    /// `struct termios2` for `TCGETS2`/`TCSETS2*` (44 bytes).
    pub struct Termios2 {
        pub c_iflag: u32,
        pub c_oflag: u32,
        pub c_cflag: u32,
        pub c_lflag: u32,
        pub c_line: u8,
        pub c_cc: [u8; NCCS],
        pub c_ispeed: u32,
        pub c_ospeed: u32,
    }

    #[repr(C)]
    /// `struct winsize` for `TIOCGWINSZ`/`TIOCSWINSZ` (8 bytes).
    pub struct Winsize {
        pub ws_row: u16,
        pub ws_col: u16,
        pub ws_xpixel: u16,
        pub ws_ypixel: u16,
    }

    #[repr(C)]
    /// `struct pollfd` (8 bytes).
    pub struct Pollfd {
        pub fd: i32,
        pub events: i16,
        pub revents: i16,
    }

    #[repr(C, packed)]
    /// `struct epoll_event` (12 bytes): packed on x86_64 (`__EPOLL_PACKED`).
    /// Copy fields out by value, never take references to them.
    pub struct EpollEvent {
        pub events: u32,
        pub data: u64,
    }

    #[repr(C)]
    /// `struct user_regs_struct` from `<sys/user.h>` (27 x u64 = 216 bytes), the
    /// `PTRACE_GETREGS` layout.
    pub struct UserRegs {
        pub r15: u64,
        pub r14: u64,
        pub r13: u64,
        pub r12: u64,
        pub rbp: u64,
        pub rbx: u64,
        pub r11: u64,
        pub r10: u64,
        pub r9: u64,
        pub r8: u64,
        pub rax: u64,
        pub rcx: u64,
        pub rdx: u64,
        pub rsi: u64,
        pub rdi: u64,
        pub orig_rax: u64,
        pub rip: u64,
        pub cs: u64,
        pub eflags: u64,
        pub rsp: u64,
        pub ss: u64,
        pub fs_base: u64,
        pub gs_base: u64,
        pub ds: u64,
        pub es: u64,
        pub fs: u64,
        pub gs: u64,
    }

    #[repr(C)]
    /// `struct user_fpregs_struct` (the 512-byte FXSAVE area, `PTRACE_GETFPREGS`).
    pub struct UserFpregs {
        pub cwd: u16,
        pub swd: u16,
        pub ftw: u16,
        pub fop: u16,
        pub rip: u64,
        pub rdp: u64,
        pub mxcsr: u32,
        pub mxcr_mask: u32,
        pub st_space: [u32; 32],
        pub xmm_space: [u32; 64],
        pub padding: [u32; 24],
    }

    #[repr(C)]
    /// `struct statfs` for `statfs`/`fstatfs` (120 bytes).
    pub struct Statfs {
        pub f_type: i64,
        pub f_bsize: i64,
        pub f_blocks: u64,
        pub f_bfree: u64,
        pub f_bavail: u64,
        pub f_files: u64,
        pub f_ffree: u64,
        pub f_fsid: [i32; 2],
        pub f_namelen: i64,
        pub f_frsize: i64,
        pub f_flags: i64,
        pub f_spare: [i64; 4],
    }

    #[repr(C)]
    /// `struct tms` for `times` (32 bytes), in clock ticks.
    pub struct Tms {
        pub tms_utime: i64,
        pub tms_stime: i64,
        pub tms_cutime: i64,
        pub tms_cstime: i64,
    }

    #[repr(C)]
    /// `struct rusage` (144 bytes).
    pub struct Rusage {
        pub ru_utime: Timeval,
        pub ru_stime: Timeval,
        pub ru_maxrss: i64,
        pub ru_ixrss: i64,
        pub ru_idrss: i64,
        pub ru_isrss: i64,
        pub ru_minflt: i64,
        pub ru_majflt: i64,
        pub ru_nswap: i64,
        pub ru_inblock: i64,
        pub ru_oublock: i64,
        pub ru_msgsnd: i64,
        pub ru_msgrcv: i64,
        pub ru_nsignals: i64,
        pub ru_nvcsw: i64,
        pub ru_nivcsw: i64,
    }

    #[repr(C)]
    /// `struct itimerval` (32 bytes).
    pub struct Itimerval {
        pub it_interval: Timeval,
        pub it_value: Timeval,
    }

    #[repr(C)]
    /// `struct itimerspec` (32 bytes).
    pub struct Itimerspec {
        pub it_interval: Timespec,
        pub it_value: Timespec,
    }

    #[repr(C)]
    /// `struct robust_list_head` for `set_robust_list` (24 bytes).
    pub struct RobustListHead {
        /// `list.next`: pointer to the first entry (or to the head itself).
        pub list: u64,
        pub futex_offset: i64,
        pub list_op_pending: u64,
    }

    #[repr(C)]
    /// `struct sockaddr_un` (110 bytes).
    pub struct SockaddrUn {
        pub sun_family: u16,
        pub sun_path: [u8; 108],
    }

    #[repr(C)]
    /// `struct sockaddr_in` (16 bytes); port and address are big-endian.
    pub struct SockaddrIn {
        pub sin_family: u16,
        pub sin_port: u16,
        pub sin_addr: u32,
        pub sin_zero: [u8; 8],
    }

    #[repr(C)]
    /// `struct sockaddr_in6` (28 bytes); port and flow info are big-endian.
    pub struct SockaddrIn6 {
        pub sin6_family: u16,
        pub sin6_port: u16,
        pub sin6_flowinfo: u32,
        pub sin6_addr: [u8; 16],
        pub sin6_scope_id: u32,
    }

    #[repr(C)]
    /// `struct msghdr` for `sendmsg`/`recvmsg` (56 bytes).
    pub struct Msghdr {
        pub msg_name: u64,
        pub msg_namelen: u32,
        pub _pad0: u32,
        pub msg_iov: u64,
        pub msg_iovlen: u64,
        pub msg_control: u64,
        pub msg_controllen: u64,
        pub msg_flags: i32,
        pub _pad1: u32,
    }

    #[repr(C)]
    /// `struct mmsghdr` for `sendmmsg`/`recvmmsg` (64 bytes).
    pub struct Mmsghdr {
        pub msg_hdr: Msghdr,
        pub msg_len: u32,
        pub _pad0: u32,
    }

    #[repr(C)]
    /// `struct cmsghdr` (16 bytes), followed by data aligned to 8.
    pub struct Cmsghdr {
        pub cmsg_len: u64,
        pub cmsg_level: i32,
        pub cmsg_type: i32,
    }

    #[repr(C)]
    /// `struct ucred` for `SCM_CREDENTIALS`/`SO_PEERCRED` (12 bytes).
    pub struct Ucred {
        pub pid: i32,
        pub uid: u32,
        pub gid: u32,
    }

    #[repr(C)]
    /// `struct flock` for `F_GETLK`/`F_SETLK*` (32 bytes).
    pub struct Flock {
        pub l_type: i16,
        pub l_whence: i16,
        pub _pad0: u32,
        pub l_start: i64,
        pub l_len: i64,
        pub l_pid: i32,
        pub _pad1: u32,
    }

    #[repr(C)]
    /// `struct open_how` for `openat2` (24 bytes).
    pub struct OpenHow {
        pub flags: u64,
        pub mode: u64,
        pub resolve: u64,
    }

    #[repr(C)]
    /// `struct clone_args` for `clone3` (88 bytes, `CLONE_ARGS_SIZE_VER2`).
    pub struct CloneArgs {
        pub flags: u64,
        pub pidfd: u64,
        pub child_tid: u64,
        pub parent_tid: u64,
        pub exit_signal: u64,
        pub stack: u64,
        pub stack_size: u64,
        pub tls: u64,
        pub set_tid: u64,
        pub set_tid_size: u64,
        pub cgroup: u64,
    }

    #[repr(C)]
    /// `struct inotify_event` without its trailing name (16 bytes).
    pub struct InotifyEventHeader {
        pub wd: i32,
        pub mask: u32,
        pub cookie: u32,
        pub len: u32,
    }

    #[repr(C)]
    /// `struct signalfd_siginfo` read from a signalfd (128 bytes).
    pub struct SignalfdSiginfo {
        pub ssi_signo: u32,
        pub ssi_errno: i32,
        pub ssi_code: i32,
        pub ssi_pid: u32,
        pub ssi_uid: u32,
        pub ssi_fd: i32,
        pub ssi_tid: u32,
        pub ssi_band: u32,
        pub ssi_overrun: u32,
        pub ssi_trapno: u32,
        pub ssi_status: i32,
        pub ssi_int: i32,
        pub ssi_ptr: u64,
        pub ssi_utime: u64,
        pub ssi_stime: u64,
        pub ssi_addr: u64,
        pub ssi_addr_lsb: u16,
        pub _pad2: u16,
        pub ssi_syscall: i32,
        pub ssi_call_addr: u64,
        pub ssi_arch: u32,
        pub _pad: [u8; 28],
    }

    #[repr(C)]
    /// `struct sigevent` for `timer_create`/`mq_notify` (64 bytes). `notify_thread_id`
    /// is `sigev_notify_thread_id` (`SIGEV_THREAD_ID`); the rest of the union is `_pad`.
    pub struct Sigevent {
        pub sigev_value: u64,
        pub sigev_signo: i32,
        pub sigev_notify: i32,
        pub notify_thread_id: i32,
        pub _pad: [u32; 11],
    }

    #[repr(C)]
    /// `struct __user_cap_header_struct` for `capget`/`capset` (8 bytes).
    pub struct CapUserHeader {
        pub version: u32,
        pub pid: i32,
    }

    #[repr(C)]
    /// `struct __user_cap_data_struct` (12 bytes; version 3 passes two of them).
    pub struct CapUserData {
        pub effective: u32,
        pub permitted: u32,
        pub inheritable: u32,
    }

    #[repr(C)]
    /// `struct futex_waitv` for `futex_waitv` (24 bytes).
    pub struct FutexWaitv {
        pub val: u64,
        pub uaddr: u64,
        pub flags: u32,
        pub _reserved: u32,
    }

    #[repr(C)]
    /// The x86_64 `struct sigcontext` inside a signal frame's `ucontext` (256 bytes).
    pub struct SigContext {
        pub r8: u64,
        pub r9: u64,
        pub r10: u64,
        pub r11: u64,
        pub r12: u64,
        pub r13: u64,
        pub r14: u64,
        pub r15: u64,
        pub rdi: u64,
        pub rsi: u64,
        pub rbp: u64,
        pub rbx: u64,
        pub rdx: u64,
        pub rax: u64,
        pub rcx: u64,
        pub rsp: u64,
        pub rip: u64,
        pub eflags: u64,
        pub cs: u16,
        pub gs: u16,
        pub fs: u16,
        pub ss: u16,
        pub err: u64,
        pub trapno: u64,
        pub oldmask: u64,
        pub cr2: u64,
        /// Pointer to the xsave/fxsave area in the frame (0 if none).
        pub fpstate: u64,
        pub _reserved1: [u64; 8],
    }

    #[repr(C)]
    /// The kernel's x86_64 `struct ucontext` in an `rt_sigframe` (304 bytes).
    pub struct UContext {
        pub uc_flags: u64,
        pub uc_link: u64,
        pub uc_stack: StackT,
        pub uc_mcontext: SigContext,
        pub uc_sigmask: u64,
    }

    #[repr(C)]
    /// `Elf64_Ehdr` (64 bytes).
    pub struct Elf64Ehdr {
        pub e_ident: [u8; 16],
        pub e_type: u16,
        pub e_machine: u16,
        pub e_version: u32,
        pub e_entry: u64,
        pub e_phoff: u64,
        pub e_shoff: u64,
        pub e_flags: u32,
        pub e_ehsize: u16,
        pub e_phentsize: u16,
        pub e_phnum: u16,
        pub e_shentsize: u16,
        pub e_shnum: u16,
        pub e_shstrndx: u16,
    }

    #[repr(C)]
    /// `Elf64_Phdr` (56 bytes).
    pub struct Elf64Phdr {
        pub p_type: u32,
        pub p_flags: u32,
        pub p_offset: u64,
        pub p_vaddr: u64,
        pub p_paddr: u64,
        pub p_filesz: u64,
        pub p_memsz: u64,
        pub p_align: u64,
    }

    #[repr(C)]
    /// One auxiliary-vector entry (`Elf64_auxv_t`, 16 bytes); keys are in
    /// [`crate::consts::auxv`].
    pub struct Auxv {
        pub a_type: u64,
        pub a_val: u64,
    }
}

pod_newtype! {
    /// A 64-bit signal mask (`sigset_t` as the kernel sees it, `sizeof == 8`).
    /// Signal `n` (1..=64) is bit `n - 1`.
    pub struct Sigset(pub u64);
}

/// Number of control characters in the kernel's `struct termios`.
pub const NCCS: usize = 19;

/// Size of the fixed part of a `linux_dirent64` record.
pub const DIRENT64_HEADER_SIZE: usize = 19;

// Sizes: Linux x86_64 (see the module docs for how they were checked).
const _: () = {
    use std::mem::{offset_of, size_of};
    assert!(size_of::<Stat>() == 144);
    assert!(offset_of!(Stat, st_mode) == 24);
    assert!(offset_of!(Stat, st_blksize) == 56);
    assert!(offset_of!(Stat, st_atime) == 72);
    assert!(size_of::<StatxTimestamp>() == 16);
    assert!(size_of::<Statx>() == 256);
    assert!(offset_of!(Statx, stx_atime) == 0x40);
    assert!(offset_of!(Statx, stx_mnt_id) == 0x90);
    assert!(offset_of!(Statx, stx_subvol) == 0xa0);
    assert!(offset_of!(Statx, _spare3) == 0xc0);
    assert!(size_of::<Timespec>() == 16);
    assert!(size_of::<Timeval>() == 16);
    assert!(size_of::<Timezone>() == 8);
    assert!(size_of::<Iovec>() == 16);
    assert!(size_of::<LinuxDirent64Header>() == DIRENT64_HEADER_SIZE);
    assert!(size_of::<Utsname>() == 390);
    assert!(size_of::<Rlimit>() == 16);
    assert!(size_of::<Sysinfo>() == 112);
    assert!(offset_of!(Sysinfo, procs) == 80);
    assert!(offset_of!(Sysinfo, mem_unit) == 104);
    assert!(size_of::<KernelSigaction>() == 32);
    assert!(size_of::<Siginfo>() == 128);
    assert!(size_of::<Sigset>() == 8);
    assert!(size_of::<StackT>() == 24);
    assert!(offset_of!(StackT, ss_flags) == 8);
    assert!(offset_of!(StackT, ss_size) == 16);
    assert!(size_of::<Termios>() == 36);
    assert!(size_of::<Termios2>() == 44);
    assert!(size_of::<Winsize>() == 8);
    assert!(size_of::<Pollfd>() == 8);
    assert!(size_of::<EpollEvent>() == 12);
    assert!(size_of::<UserRegs>() == 216);
    assert!(offset_of!(UserRegs, orig_rax) == 120);
    assert!(offset_of!(UserRegs, gs) == 208);
    assert!(size_of::<UserFpregs>() == 512);
    assert!(size_of::<Statfs>() == 120);
    assert!(offset_of!(Statfs, f_fsid) == 56);
    assert!(offset_of!(Statfs, f_flags) == 80);
    assert!(size_of::<Tms>() == 32);
    assert!(size_of::<Rusage>() == 144);
    assert!(size_of::<Itimerval>() == 32);
    assert!(size_of::<Itimerspec>() == 32);
    assert!(size_of::<RobustListHead>() == 24);
    assert!(size_of::<SockaddrUn>() == 110);
    assert!(size_of::<SockaddrIn>() == 16);
    assert!(size_of::<SockaddrIn6>() == 28);
    assert!(size_of::<Msghdr>() == 56);
    assert!(size_of::<Mmsghdr>() == 64);
    assert!(size_of::<Cmsghdr>() == 16);
    assert!(size_of::<Ucred>() == 12);
    assert!(size_of::<Flock>() == 32);
    assert!(size_of::<OpenHow>() == 24);
    assert!(size_of::<CloneArgs>() == 88);
    assert!(offset_of!(CloneArgs, cgroup) == 80);
    assert!(size_of::<InotifyEventHeader>() == 16);
    assert!(size_of::<SignalfdSiginfo>() == 128);
    assert!(size_of::<Sigevent>() == 64);
    assert!(size_of::<CapUserHeader>() == 8);
    assert!(size_of::<CapUserData>() == 12);
    assert!(size_of::<FutexWaitv>() == 24);
    assert!(size_of::<SigContext>() == 256);
    assert!(size_of::<UContext>() == 304);
    assert!(offset_of!(UContext, uc_mcontext) == 40);
    assert!(size_of::<Elf64Ehdr>() == 64);
    assert!(size_of::<Elf64Phdr>() == 56);
    assert!(size_of::<Auxv>() == 16);
};

impl Timespec {
    /// Build from a nanosecond count (negative values round towards -infinity).
    pub fn from_nanos(ns: i128) -> Timespec {
        let sec = ns.div_euclid(1_000_000_000);
        Timespec {
            tv_sec: sec.clamp(i64::MIN as i128, i64::MAX as i128) as i64,
            tv_nsec: ns.rem_euclid(1_000_000_000) as i64,
        }
    }

    /// Total nanoseconds (no overflow: i128).
    pub fn as_nanos(&self) -> i128 {
        self.tv_sec as i128 * 1_000_000_000 + self.tv_nsec as i128
    }

    /// Whether `tv_nsec` is in `0..1_000_000_000` (what Linux requires, else EINVAL).
    pub fn is_valid(&self) -> bool {
        (0..1_000_000_000).contains(&self.tv_nsec)
    }
}

impl Timeval {
    /// Build from a nanosecond count (truncated to microseconds, towards -infinity).
    pub fn from_nanos(ns: i128) -> Timeval {
        let us = ns.div_euclid(1000);
        Timeval {
            tv_sec: us
                .div_euclid(1_000_000)
                .clamp(i64::MIN as i128, i64::MAX as i128) as i64,
            tv_usec: us.rem_euclid(1_000_000) as i64,
        }
    }

    /// Total nanoseconds.
    pub fn as_nanos(&self) -> i128 {
        self.tv_sec as i128 * 1_000_000_000 + self.tv_usec as i128 * 1000
    }

    /// Whether `tv_usec` is in `0..1_000_000`.
    pub fn is_valid(&self) -> bool {
        (0..1_000_000).contains(&self.tv_usec)
    }
}

impl Sigset {
    /// The mask bit of signal `sig` (0 for signals outside 1..=64).
    pub const fn bit(sig: i32) -> u64 {
        if sig >= 1 && sig <= 64 {
            1u64 << (sig - 1)
        } else {
            0
        }
    }
    /// The empty set.
    pub const fn empty() -> Sigset {
        Sigset(0)
    }
    /// All 64 signals.
    pub const fn full() -> Sigset {
        Sigset(u64::MAX)
    }
    /// Whether `sig` is in the set.
    pub const fn contains(self, sig: i32) -> bool {
        self.0 & Self::bit(sig) != 0
    }
    /// Add `sig` (ignored if out of range).
    pub fn add(&mut self, sig: i32) {
        self.0 |= Self::bit(sig);
    }
    /// Remove `sig`.
    pub fn remove(&mut self, sig: i32) {
        self.0 &= !Self::bit(sig);
    }
    /// The signals in the set, ascending.
    pub fn iter(self) -> impl Iterator<Item = i32> {
        (1..=64).filter(move |&s| self.contains(s))
    }
}

impl Utsname {
    /// A field value: the string `s` truncated to 64 bytes, NUL-padded.
    pub fn field(s: &str) -> [u8; 65] {
        let mut f = [0u8; 65];
        let n = s.len().min(64);
        f[..n].copy_from_slice(&s.as_bytes()[..n]);
        f
    }

    /// The bytes of a field up to its first NUL.
    pub fn field_bytes(f: &[u8; 65]) -> &[u8] {
        let n = f.iter().position(|&b| b == 0).unwrap_or(f.len());
        &f[..n]
    }
}

impl LinuxDirent64Header {
    /// The record length for a name of `name_len` bytes: header + name + NUL,
    /// rounded up to 8.
    pub const fn reclen(name_len: usize) -> usize {
        (DIRENT64_HEADER_SIZE + name_len + 1 + 7) & !7
    }

    /// Append one `linux_dirent64` record to `out` and return its length.
    pub fn append(out: &mut Vec<u8>, ino: u64, off: i64, d_type: u8, name: &[u8]) -> usize {
        use crate::pod::Pod;
        let reclen = Self::reclen(name.len());
        let hdr = LinuxDirent64Header {
            d_ino: ino,
            d_off: off,
            d_reclen: reclen as u16,
            d_type,
        };
        let start = out.len();
        out.extend_from_slice(hdr.as_bytes());
        out.extend_from_slice(name);
        out.resize(start + reclen, 0);
        reclen
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pod::Pod;

    #[test]
    fn stat_round_trip() {
        let st = Stat {
            st_ino: 42,
            st_mode: 0o100644,
            st_size: -1,
            st_mtime_nsec: 999,
            ..Default::default()
        };
        let b = st.as_bytes().to_vec();
        assert_eq!(b.len(), 144);
        assert_eq!(&b[8..16], &42u64.to_le_bytes());
        assert_eq!(&b[24..28], &0o100644u32.to_le_bytes());
        assert_eq!(Stat::from_bytes(&b), Some(st));
        assert_eq!(Stat::from_bytes(&b[..143]), None);
        // Unaligned source.
        let mut v = vec![0u8];
        v.extend_from_slice(&b);
        assert_eq!(Stat::from_bytes(&v[1..]), Some(st));
    }

    #[test]
    fn packed_structs() {
        let e = EpollEvent {
            events: 0x8000_0001,
            data: 0x1122_3344_5566_7788,
        };
        let b = e.as_bytes();
        assert_eq!(b.len(), 12);
        assert_eq!(&b[4..], &0x1122_3344_5566_7788u64.to_le_bytes());
        let back = EpollEvent::from_bytes(b).unwrap();
        assert_eq!({ back.data }, 0x1122_3344_5566_7788);
        assert_eq!(back, e);
        let mut buf = Vec::new();
        let n = LinuxDirent64Header::append(&mut buf, 7, 1, 4, b"etc");
        assert_eq!(n, 24);
        assert_eq!(buf.len(), 24);
        let h = LinuxDirent64Header::from_bytes(&buf).unwrap();
        assert_eq!(({ h.d_ino }, { h.d_reclen }, h.d_type), (7, 24, 4));
        assert_eq!(&buf[19..23], b"etc\0");
        assert_eq!(LinuxDirent64Header::reclen(5), 32);
    }

    #[test]
    fn misc_round_trips() {
        let mut regs = UserRegs::zeroed();
        regs.orig_rax = 59;
        regs.gs = 0xdead;
        let b = regs.as_bytes();
        assert_eq!(&b[120..128], &59u64.to_le_bytes());
        assert_eq!(UserRegs::from_bytes(b), Some(regs));

        let mut t = Termios::default();
        t.as_bytes_mut()[17] = 3; // c_cc[VINTR]
        assert_eq!(t.c_cc[0], 3);

        let u = Utsname {
            sysname: Utsname::field("Linux"),
            release: Utsname::field(&"x".repeat(100)),
            ..Default::default()
        };
        assert_eq!(Utsname::field_bytes(&u.sysname), b"Linux");
        assert_eq!(Utsname::field_bytes(&u.release).len(), 64);
        assert_eq!(Utsname::from_bytes(u.as_bytes()), Some(u));
        assert_eq!(Statx::zeroed(), Statx::default());
    }

    #[test]
    fn time_conversions() {
        let t = Timespec::from_nanos(-1);
        assert_eq!((t.tv_sec, t.tv_nsec), (-1, 999_999_999));
        assert_eq!(t.as_nanos(), -1);
        assert!(t.is_valid());
        let tv = Timeval::from_nanos(1_500_000_000);
        assert_eq!((tv.tv_sec, tv.tv_usec), (1, 500_000));
        assert_eq!(tv.as_nanos(), 1_500_000_000);
    }

    #[test]
    fn sigset() {
        let mut s = Sigset::empty();
        s.add(9);
        s.add(64);
        s.add(0);
        s.add(65);
        assert_eq!(s.0, (1 << 8) | (1 << 63));
        assert!(s.contains(9) && !s.contains(10) && !s.contains(0));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![9, 64]);
        s.remove(9);
        assert_eq!(s, Sigset(1 << 63));
        assert_eq!(
            Sigset::from_bytes(&[1, 0, 0, 0, 0, 0, 0, 0]),
            Some(Sigset(1))
        );
    }
}

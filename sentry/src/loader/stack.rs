//! The initial process stack: strings, AT_RANDOM, the platform string, auxv,
//! envp, argv and argc, laid out as Linux's create_elf_tables does.

use super::elf::Loaded;
use super::{ExecArgs, MAX_ARG_STRLEN};
use crate::kernel::task::Task;
use crate::mm::{MapRequest, MemoryManager, PROT_READ, PROT_WRITE};
use std::sync::Arc;
use syscalls::Errno;

/// Top of the app stack (below the stub, with a guard gap).
pub const STACK_TOP: u64 = crate::platform::STUB_ADDR - 0x10_0000;
/// Initial stack VMA size; it grows down on faults like Linux's stack.
const STACK_INITIAL: u64 = 128 * 1024;
/// Where top-down mmap allocation starts (below the stack's maximum growth).
pub const MMAP_BASE: u64 = STACK_TOP - (256 << 20);

const AT_NULL: u64 = 0;
const AT_PHDR: u64 = 3;
const AT_PHENT: u64 = 4;
const AT_PHNUM: u64 = 5;
const AT_PAGESZ: u64 = 6;
const AT_BASE: u64 = 7;
const AT_FLAGS: u64 = 8;
const AT_ENTRY: u64 = 9;
const AT_UID: u64 = 11;
const AT_EUID: u64 = 12;
const AT_GID: u64 = 13;
const AT_EGID: u64 = 14;
const AT_PLATFORM: u64 = 15;
const AT_HWCAP: u64 = 16;
const AT_CLKTCK: u64 = 17;
const AT_SECURE: u64 = 23;
const AT_RANDOM: u64 = 25;
const AT_HWCAP2: u64 = 26;
const AT_EXECFN: u64 = 31;
const AT_MINSIGSTKSZ: u64 = 51;
const AT_SYSINFO_EHDR: u64 = 33;

/// Where the vDSO page goes: above the stack, below the stub.
const VDSO_ADDR: u64 = STACK_TOP + 0x2000;

struct Writer<'a> {
    mm: &'a MemoryManager,
    sp: u64,
}

impl Writer<'_> {
    fn push_bytes(&mut self, b: &[u8]) -> Result<u64, Errno> {
        self.sp = self.sp.checked_sub(b.len() as u64).ok_or(Errno::E2BIG)?;
        self.mm.copy_out(self.sp, b).map_err(|_| Errno::E2BIG)?;
        Ok(self.sp)
    }

    fn push_str(&mut self, s: &[u8]) -> Result<u64, Errno> {
        let mut v = s.to_vec();
        v.push(0);
        self.push_bytes(&v)
    }
}

/// Build the stack in `mm`; returns the initial stack pointer.
pub fn build(
    t: &Task,
    mm: &Arc<MemoryManager>,
    args: &ExecArgs,
    execfn: &[u8],
    exe: &Loaded,
    interp: Option<&Loaded>,
) -> Result<u64, Errno> {
    let total: usize = args
        .argv
        .iter()
        .chain(args.envp.iter())
        .map(|s| s.len() + 1)
        .sum::<usize>()
        + execfn.len()
        + 1;
    let limit = (t.rlimits[libc::RLIMIT_STACK as usize].rlim_cur / 4).max(32 * 4096);
    if total as u64 > limit
        || args
            .argv
            .iter()
            .chain(args.envp.iter())
            .any(|s| s.len() + 1 > MAX_ARG_STRLEN)
    {
        return Err(Errno::E2BIG);
    }
    let stack_size =
        STACK_INITIAL.max(crate::mm::page_up(total as u64 + 64 * 1024).ok_or(Errno::E2BIG)?);
    let mut req = MapRequest::anon(STACK_TOP - stack_size, stack_size, PROT_READ | PROT_WRITE);
    req.fixed = true;
    req.growsdown = true;
    req.name = Some("[stack]".into());
    mm.map(req)?;
    {
        let mut l = mm.lock();
        l.stack_top = STACK_TOP;
        l.mmap_base = MMAP_BASE;
    }

    let mut w = Writer {
        mm,
        sp: STACK_TOP - 8,
    };
    let execfn_addr = w.push_str(execfn)?;
    let env_end = w.sp;
    let mut envp_addrs = vec![0u64; args.envp.len()];
    for (i, e) in args.envp.iter().enumerate().rev() {
        envp_addrs[i] = w.push_str(e)?;
    }
    let env_start = w.sp;
    let arg_end = w.sp;
    let mut argv_addrs = vec![0u64; args.argv.len()];
    for (i, a) in args.argv.iter().enumerate().rev() {
        argv_addrs[i] = w.push_str(a)?;
    }
    let arg_start = w.sp;
    let platform = w.push_str(b"x86_64")?;
    let mut random = [0u8; 16];
    getrandom_host(&mut random);
    let random_addr = w.push_bytes(&random)?;
    w.sp &= !15;

    let vdso = super::vdso::map(mm, &t.k.vdso, VDSO_ADDR)?;
    let c = &t.creds;
    let auxv: Vec<(u64, u64)> = vec![
        (AT_SYSINFO_EHDR, vdso),
        (AT_HWCAP, host_auxv(libc::AT_HWCAP)),
        (AT_PAGESZ, 4096),
        (AT_CLKTCK, 100),
        (AT_PHDR, exe.phdr),
        (AT_PHENT, 56),
        (AT_PHNUM, exe.phnum),
        (AT_BASE, interp.map(|i| i.bias).unwrap_or(0)),
        (AT_FLAGS, 0),
        (AT_ENTRY, exe.entry),
        (AT_UID, c.ruid as u64),
        (AT_EUID, c.euid as u64),
        (AT_GID, c.rgid as u64),
        (AT_EGID, c.egid as u64),
        (AT_SECURE, 0),
        (AT_RANDOM, random_addr),
        (AT_HWCAP2, host_auxv(libc::AT_HWCAP2)),
        (AT_EXECFN, execfn_addr),
        (AT_PLATFORM, platform),
        (AT_MINSIGSTKSZ, host_auxv(AT_MINSIGSTKSZ).max(2048)),
        (AT_NULL, 0),
    ];
    let words = 1 + args.argv.len() + 1 + args.envp.len() + 1 + auxv.len() * 2;
    if words % 2 == 1 {
        w.sp -= 8;
    }
    let mut table: Vec<u64> = Vec::with_capacity(words);
    table.push(args.argv.len() as u64);
    table.extend(&argv_addrs);
    table.push(0);
    table.extend(&envp_addrs);
    table.push(0);
    for (k, v) in &auxv {
        table.push(*k);
        table.push(*v);
    }
    let bytes: Vec<u8> = table.iter().flat_map(|v| v.to_le_bytes()).collect();
    let sp = w.push_bytes(&bytes)?;
    let mut l = mm.lock();
    l.arg_start = arg_start;
    l.arg_end = arg_end;
    l.env_start = env_start;
    l.env_end = env_end;
    l.auxv = auxv;
    Ok(sp)
}

fn host_auxv(key: u64) -> u64 {
    // SAFETY: getauxval only reads the process's own auxiliary vector.
    unsafe { libc::getauxval(key) }
}

fn getrandom_host(buf: &mut [u8]) {
    let mut done = 0;
    while done < buf.len() {
        // SAFETY: writes at most buf.len()-done bytes into our own buffer.
        let r = unsafe {
            libc::getrandom(
                buf[done..].as_mut_ptr() as *mut libc::c_void,
                buf.len() - done,
                0,
            )
        };
        if r <= 0 {
            break;
        }
        done += r as usize;
    }
}

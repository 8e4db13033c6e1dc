//! `/proc/[pid]/{stat,statm,status}`.

use super::pid::{kernel, task_of, Pid};
use super::view;
use std::fmt::Write as _;
use syscalls::Errno;

/// Clock ticks per second as `sysconf(_SC_CLK_TCK)` reports.
const HZ: u128 = 100;
const PAGE_KB: u64 = 4;

/// What stat and status share.
struct Facts {
    comm: Vec<u8>,
    state: (char, &'static str),
    ppid: i32,
    pgid: i32,
    sid: i32,
    threads: usize,
    vsize: u64,
    rss_pages: u64,
    peak_kb: u64,
    utime: u128,
    stime: u128,
    nice: i32,
    mm: Option<Ranges>,
}

/// Address-space landmarks stat reports.
#[derive(Default, Clone, Copy)]
struct Ranges {
    brk_start: u64,
    stack: u64,
    arg: (u64, u64),
    env: (u64, u64),
}

fn facts(p: &Pid) -> Result<Facts, Errno> {
    let k = kernel()?;
    let (ppid, pgid, sid, zombie) = {
        let tb = k.procs.lock();
        let e = tb.procs.get(&p.tgid).ok_or(Errno::ESRCH)?;
        (e.parent, e.pgid, e.sid, e.exit.is_some())
    };
    let t = task_of(p).ok();
    let me = crate::kernel::wait::current();
    let state = if zombie || t.is_none() {
        ('Z', "zombie")
    } else if t
        .as_ref()
        .is_some_and(|t| t.group.state().stopped.is_some())
    {
        ('T', "stopped")
    } else if me.is_some_and(|m| m.tid == p.tid || (p.process && m.tgid == p.tgid)) {
        ('R', "running")
    } else {
        ('S', "sleeping")
    };
    let (comm, mm, threads, nice, usage) = match &t {
        Some(t) => {
            let (comm, mm) = {
                let v = view(t);
                (v.comm.clone(), v.mm.upgrade())
            };
            let nice = t.sched.lock().map(|s| s.nice).unwrap_or(0);
            let threads = t.group.members().len();
            let usage = crate::kernel::usage::group_usage(&t.group);
            (comm, mm, threads, nice, Some(usage))
        }
        None => (Vec::new(), None, 0, 0, None),
    };
    let (mut vsize, mut rss_pages, mut peak_kb, mut ranges) = (0, 0, 0, None);
    if let Some(mm) = &mm {
        let (hi, _) = mm.rss_stats();
        let m = mm.lock();
        vsize = m.vmas.values().map(|v| v.end - v.start).sum();
        rss_pages = m.pages.len() as u64;
        peak_kb = hi;
        ranges = Some(Ranges {
            brk_start: m.brk_start,
            stack: m.stack_top,
            arg: (m.arg_start, m.arg_end),
            env: (m.env_start, m.env_end),
        });
    }
    let ticks = |d: std::time::Duration| d.as_millis() / (1000 / HZ);
    let (utime, stime) = usage
        .map(|u| (ticks(u.utime), ticks(u.stime)))
        .unwrap_or((0, 0));
    Ok(Facts {
        comm,
        state,
        ppid,
        pgid,
        sid,
        threads,
        vsize,
        rss_pages,
        peak_kb,
        utime,
        stime,
        nice,
        mm: ranges,
    })
}

/// `/proc/[pid]/stat`: Linux's 52 fields.
pub fn stat(p: &Pid) -> Result<Vec<u8>, Errno> {
    let f = facts(p)?;
    let r = f.mm.unwrap_or_default();
    let (tty_nr, tpgid) = crate::fs::tty::proc_stat_fields(f.sid);
    let mut s = format!("{} (", if p.process { p.tgid } else { p.tid });
    s.push_str(&String::from_utf8_lossy(&f.comm));
    let _ = writeln!(
        s,
        ") {} {} {} {} {} {} 4194304 0 0 0 0 {} {} 0 0 {} {} {} 0 0 {} {} {} 0 0 {} 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 {} {} {} {} {} 0",
        f.state.0,
        f.ppid,
        f.pgid,
        f.sid,
        tty_nr,
        tpgid,
        f.utime,
        f.stime,
        20 + f.nice,
        f.nice,
        f.threads.max(1),
        f.vsize,
        f.rss_pages,
        u64::MAX,
        r.stack,
        r.brk_start,
        r.arg.0,
        r.arg.1,
        r.env.0,
        r.env.1,
    );
    // stat's start_data/end_data are not tracked: fields 45..46 stay 0.
    Ok(s.into_bytes())
}

/// `/proc/[pid]/statm`: sizes in pages.
pub fn statm(p: &Pid) -> Result<Vec<u8>, Errno> {
    let f = facts(p)?;
    Ok(format!("{} {} 0 0 0 0 0\n", f.vsize / 4096, f.rss_pages).into_bytes())
}

fn mask(s: &mut String, name: &str, m: u64) {
    let _ = writeln!(s, "{name}:\t{m:016x}");
}

/// `/proc/[pid]/status`.
pub fn status(p: &Pid) -> Result<Vec<u8>, Errno> {
    let f = facts(p)?;
    let t = task_of(p).ok();
    let mut s = String::new();
    s.push_str("Name:\t");
    s.push_str(&String::from_utf8_lossy(&f.comm));
    s.push('\n');
    let (creds, umask, nnp, capbset, fdsize) = match &t {
        Some(t) => {
            let v = view(t);
            let fs = v.fs.upgrade();
            let fds = v.fds.upgrade();
            let out = (v.creds.clone(), 0o022, v.no_new_privs, v.capbset, 0);
            drop(v);
            let umask = fs
                .map(|fs| fs.lock().unwrap_or_else(|e| e.into_inner()).umask)
                .unwrap_or(out.1);
            let fdsize = fds.map(|f| f.max_fds()).unwrap_or(64);
            (out.0, umask, out.2, out.3, fdsize)
        }
        None => (Default::default(), 0o022, false, 0, 0),
    };
    let _ = writeln!(s, "Umask:\t{umask:04o}");
    let _ = writeln!(s, "State:\t{} ({})", f.state.0, f.state.1);
    let _ = writeln!(s, "Tgid:\t{}", p.tgid);
    let _ = writeln!(s, "Ngid:\t0");
    let _ = writeln!(s, "Pid:\t{}", p.tid);
    let _ = writeln!(s, "PPid:\t{}", f.ppid);
    let _ = writeln!(s, "TracerPid:\t0");
    let _ = writeln!(
        s,
        "Uid:\t{}\t{}\t{}\t{}",
        creds.ruid, creds.euid, creds.suid, creds.fsuid
    );
    let _ = writeln!(
        s,
        "Gid:\t{}\t{}\t{}\t{}",
        creds.rgid, creds.egid, creds.sgid, creds.fsgid
    );
    let _ = writeln!(s, "FDSize:\t{fdsize}");
    s.push_str("Groups:\t");
    for g in &creds.groups {
        let _ = write!(s, "{g} ");
    }
    s.push('\n');
    let _ = writeln!(s, "NStgid:\t{}", p.tgid);
    let _ = writeln!(s, "NSpid:\t{}", p.tid);
    let _ = writeln!(s, "NSpgid:\t{}", f.pgid);
    let _ = writeln!(s, "NSsid:\t{}", f.sid);
    if f.mm.is_some() {
        let kb = |pages: u64| pages * PAGE_KB;
        let _ = writeln!(s, "VmPeak:\t{:8} kB", f.vsize / 1024);
        let _ = writeln!(s, "VmSize:\t{:8} kB", f.vsize / 1024);
        let _ = writeln!(s, "VmHWM:\t{:8} kB", f.peak_kb.max(kb(f.rss_pages)));
        let _ = writeln!(s, "VmRSS:\t{:8} kB", kb(f.rss_pages));
    }
    let _ = writeln!(s, "Threads:\t{}", f.threads.max(1));
    let _ = writeln!(s, "SigQ:\t0/{}", 62_000);
    let (pnd, shd, blk, ign, cgt) = match &t {
        Some(t) => {
            let pnd = t.queue().pending;
            let shd = t.group.queue().pending;
            let (mut ign, mut cgt) = (0u64, 0u64);
            for (i, a) in t.group.actions().iter().enumerate() {
                if a.handler == libc::SIG_IGN as u64 {
                    ign |= 1 << i;
                } else if a.handler != libc::SIG_DFL as u64 {
                    cgt |= 1 << i;
                }
            }
            (pnd, shd, t.mask(), ign, cgt)
        }
        None => (0, 0, 0, 0, 0),
    };
    mask(&mut s, "SigPnd", pnd);
    mask(&mut s, "ShdPnd", shd);
    mask(&mut s, "SigBlk", blk);
    mask(&mut s, "SigIgn", ign);
    mask(&mut s, "SigCgt", cgt);
    let caps = t.as_ref().map(|t| t.caps());
    mask(&mut s, "CapInh", caps.map_or(0, |c| c.inheritable));
    mask(&mut s, "CapPrm", caps.map_or(0, |c| c.permitted));
    mask(&mut s, "CapEff", caps.map_or(0, |c| c.effective));
    mask(&mut s, "CapBnd", capbset);
    mask(&mut s, "CapAmb", 0);
    let _ = writeln!(s, "NoNewPrivs:\t{}", u8::from(nnp));
    let seccomp = t.as_ref().map(|t| t.seccomp.mode().as_u32()).unwrap_or(0);
    let _ = writeln!(s, "Seccomp:\t{seccomp}");
    let filters = t
        .as_ref()
        .and_then(|t| t.seccomp.get().filter)
        .map_or(0, |f| f.chain().count());
    let _ = writeln!(s, "Seccomp_filters:\t{filters}");
    let ncpu = super::global::cpu_count();
    let _ = writeln!(s, "Cpus_allowed_list:\t0-{}", ncpu.saturating_sub(1));
    let _ = writeln!(s, "voluntary_ctxt_switches:\t0");
    let _ = writeln!(s, "nonvoluntary_ctxt_switches:\t0");
    Ok(s.into_bytes())
}

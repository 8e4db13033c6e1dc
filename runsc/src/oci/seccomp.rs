//! The bundle's `linux.seccomp` profile compiled to a classic-BPF program
//! for the sentry's seccomp interpreter, with the behaviour runc gives it
//! (libseccomp's filter plus runc's -ENOSYS stub):
//!
//! - Actions: `SCMP_ACT_KILL` and `SCMP_ACT_KILL_THREAD` are KILL_THREAD,
//!   `KILL_PROCESS`, `TRAP`, `ERRNO` (errnoRet, default EPERM), `TRACE`
//!   (errnoRet, default EPERM), `LOG`, `ALLOW`. `NOTIFY` needs a seccomp
//!   agent; runc requires `listenerPath` for it, we refuse it either way
//!   with a clear error.
//! - A rule whose action is the default action is skipped; an unknown
//!   syscall name is skipped (logged at debug level), as runc does.
//! - Argument conditions of one rule are ANDed, each a 64-bit comparison
//!   made of two 32-bit halves like libseccomp generates; when a rule
//!   compares one argument twice, each condition becomes a rule of its own
//!   (runc's fallback). For `SCMP_CMP_MASKED_EQ`, `value` is the mask and
//!   `valueTwo` the datum.
//! - Several rules for one syscall: the conditional ones are tried in
//!   order (first match wins), then the unconditional one, then the
//!   default action.
//! - Architectures: the sandbox is x86_64 and the sentry always reports
//!   AUDIT_ARCH_X86_64; another arch gets libseccomp's bad-arch action
//!   (KILL_THREAD). x32 syscall numbers (bit 30 set) get the bad-arch
//!   action unless `SCMP_ARCH_X32` is listed, in which case the rules are
//!   applied with x32 numbering (libseccomp's behaviour). Other listed
//!   architectures are accepted and have no effect here.
//! - runc's -ENOSYS stub: unless the default action is ALLOW, LOG or TRACE
//!   or defaultErrnoRet is ENOSYS, a syscall numbered above the largest one
//!   the profile names (per listed x86_64/x32 ABI) fails with ENOSYS, so
//!   programs probing newer syscalls fall back as on an older kernel.
//! - Flags: `SECCOMP_FILTER_FLAG_LOG` is kept (the sentry records it),
//!   TSYNC and SPEC_ALLOW have nothing to do.
//!
//! Layout: the syscall numbers of each ABI are searched with a binary
//! tree of `jgt` whose leaves compare a few numbers each and share their
//! `ret`s, so a syscall costs about a dozen instructions and Docker's
//! default profile (357 names, x86_64 and x32) stays under 1,000
//! instructions, well under BPF_MAXINSNS.

use anyhow::{bail, Context};
use oci_spec::runtime::{
    Arch, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompFilterFlag, LinuxSeccompOperator,
};
use sentry::kernel::seccomp::{SockFilter, MAX_INSNS};
use serde::{Deserialize, Serialize};
use syscalls::consts::{
    AUDIT_ARCH_X86_64, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS,
    SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP,
};

/// For `runsc features` (runc's names, sorted like runc's output).
pub const ACTIONS: &[&str] = &[
    "SCMP_ACT_ALLOW",
    "SCMP_ACT_ERRNO",
    "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_LOG",
    "SCMP_ACT_TRACE",
    "SCMP_ACT_TRAP",
];
pub const OPERATORS: &[&str] = &[
    "SCMP_CMP_EQ",
    "SCMP_CMP_GE",
    "SCMP_CMP_GT",
    "SCMP_CMP_LE",
    "SCMP_CMP_LT",
    "SCMP_CMP_MASKED_EQ",
    "SCMP_CMP_NE",
];
pub const ARCHS: &[&str] = &["SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"];
pub const FLAGS: &[&str] = &[
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_LOG",
];

/// The x32 ABI marks its syscall numbers with bit 30.
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;
const EPERM: u32 = 1;
const ENOSYS: u32 = 38;

// Classic BPF opcodes (linux/bpf_common.h).
const LD_W_ABS: u16 = 0x20;
const JMP_JA: u16 = 0x05;
const JMP_JEQ_K: u16 = 0x15;
const JMP_JGT_K: u16 = 0x25;
const JMP_JGE_K: u16 = 0x35;
const JMP_JSET_K: u16 = 0x45;
const ALU_AND_K: u16 = 0x54;
const RET_K: u16 = 0x06;

/// Offsets in `struct seccomp_data`.
const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
const OFF_ARGS: u32 = 16;

/// The compiled profile as the sentry installs it on the container's
/// processes (carried in the boot spec).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ContainerSeccomp {
    /// The `sock_filter` array, 8 little-endian bytes each, hex-encoded
    /// (compact: the boot spec travels on a command line).
    pub program: String,
    /// SECCOMP_FILTER_FLAG_LOG.
    #[serde(default)]
    pub log: bool,
}

impl ContainerSeccomp {
    pub fn new(prog: &[SockFilter], log: bool) -> ContainerSeccomp {
        let mut s = String::with_capacity(prog.len() * 16);
        for f in prog {
            let mut b = [0u8; 8];
            b[0..2].copy_from_slice(&f.code.to_le_bytes());
            b[2] = f.jt;
            b[3] = f.jf;
            b[4..8].copy_from_slice(&f.k.to_le_bytes());
            for x in b {
                s.push_str(&format!("{x:02x}"));
            }
        }
        ContainerSeccomp { program: s, log }
    }

    /// The instructions back.
    pub fn instructions(&self) -> anyhow::Result<Vec<SockFilter>> {
        let s = self.program.as_bytes();
        if !s.len().is_multiple_of(16) {
            bail!("seccomp program: bad length");
        }
        let mut bytes = Vec::with_capacity(s.len() / 2);
        for pair in s.chunks_exact(2) {
            let h = std::str::from_utf8(pair).context("seccomp program")?;
            bytes.push(u8::from_str_radix(h, 16).context("seccomp program")?);
        }
        Ok(SockFilter::parse(&bytes))
    }
}

/// The compiled profile.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub program: Vec<SockFilter>,
    pub log: bool,
}

impl Compiled {
    pub fn for_boot(&self) -> ContainerSeccomp {
        ContainerSeccomp::new(&self.program, self.log)
    }
}

fn stmt(code: u16, k: u32) -> SockFilter {
    SockFilter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> SockFilter {
    SockFilter { code, jt, jf, k }
}

/// A rule's action as the value the filter returns (runc's getAction).
fn action_value(a: LinuxSeccompAction, errno: Option<u32>) -> anyhow::Result<u32> {
    use LinuxSeccompAction::*;
    let data = |e: Option<u32>| e.unwrap_or(EPERM) & 0xffff;
    Ok(match a {
        ScmpActKill | ScmpActKillThread => SECCOMP_RET_KILL_THREAD,
        ScmpActKillProcess => SECCOMP_RET_KILL_PROCESS,
        ScmpActTrap => SECCOMP_RET_TRAP,
        ScmpActErrno => SECCOMP_RET_ERRNO | data(errno),
        ScmpActTrace => SECCOMP_RET_TRACE | data(errno),
        ScmpActLog => SECCOMP_RET_LOG,
        ScmpActAllow => SECCOMP_RET_ALLOW,
        ScmpActNotify => bail!("seccomp: SCMP_ACT_NOTIFY is not supported"),
    })
}

/// One argument comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cond {
    index: u32,
    op: LinuxSeccompOperator,
    value: u64,
    value_two: u64,
}

/// One rule of one syscall.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    action: u32,
    conds: Vec<Cond>,
}

/// The x86_64 syscalls that do not exist in the x32 ABI (marked "64" in
/// the kernel's syscall_64.tbl).
const X86_64_ONLY: &[&str] = &[
    "rt_sigaction",
    "rt_sigreturn",
    "ioctl",
    "readv",
    "writev",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "setsockopt",
    "getsockopt",
    "execve",
    "ptrace",
    "rt_sigpending",
    "rt_sigtimedwait",
    "rt_sigqueueinfo",
    "sigaltstack",
    "uselib",
    "_sysctl",
    "create_module",
    "get_kernel_syms",
    "query_module",
    "nfsservctl",
    "set_thread_area",
    "io_setup",
    "io_submit",
    "get_thread_area",
    "epoll_ctl_old",
    "epoll_wait_old",
    "timer_create",
    "vserver",
    "mq_notify",
    "kexec_load",
    "waitid",
    "set_robust_list",
    "get_robust_list",
    "vmsplice",
    "move_pages",
    "preadv",
    "pwritev",
    "rt_tgsigqueueinfo",
    "recvmmsg",
    "sendmmsg",
    "process_vm_readv",
    "process_vm_writev",
    "execveat",
    "preadv2",
    "pwritev2",
];

/// The x32 versions of those, numbered from 512 (syscall_64.tbl "x32").
const X32_SPECIFIC: &[&str] = &[
    "rt_sigaction",
    "rt_sigreturn",
    "ioctl",
    "readv",
    "writev",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "execve",
    "ptrace",
    "rt_sigpending",
    "rt_sigtimedwait",
    "rt_sigqueueinfo",
    "sigaltstack",
    "timer_create",
    "mq_notify",
    "kexec_load",
    "waitid",
    "set_robust_list",
    "get_robust_list",
    "vmsplice",
    "move_pages",
    "preadv",
    "pwritev",
    "rt_tgsigqueueinfo",
    "recvmmsg",
    "sendmmsg",
    "process_vm_readv",
    "process_vm_writev",
    "setsockopt",
    "getsockopt",
    "io_setup",
    "io_submit",
    "execveat",
    "preadv2",
    "pwritev2",
];

/// A syscall name's number in the x86_64 ABI.
fn nr_x86_64(name: &str) -> Option<u32> {
    syscalls::nr::by_name(name).map(|n| n as u32)
}

/// A syscall name's number in the x32 ABI (bit 30 included).
fn nr_x32(name: &str) -> Option<u32> {
    if let Some(i) = X32_SPECIFIC.iter().position(|n| *n == name) {
        return Some(X32_SYSCALL_BIT | (512 + i as u32));
    }
    if X86_64_ONLY.contains(&name) {
        return None;
    }
    nr_x86_64(name).map(|n| X32_SYSCALL_BIT | n)
}

/// Compile `s` into a seccomp program.
pub fn compile(s: &LinuxSeccomp) -> anyhow::Result<Compiled> {
    if s.default_action() == LinuxSeccompAction::ScmpActNotify {
        bail!("seccomp: SCMP_ACT_NOTIFY cannot be used as default action");
    }
    let notify = s
        .syscalls()
        .iter()
        .flatten()
        .any(|c| c.action() == LinuxSeccompAction::ScmpActNotify);
    if notify {
        if s.listener_path().is_none() {
            bail!("seccomp: listenerPath is not set but SCMP_ACT_NOTIFY is used");
        }
        bail!(
            "seccomp: SCMP_ACT_NOTIFY (a seccomp agent on listenerPath) is not supported by runsc"
        );
    }
    let default = action_value(s.default_action(), s.default_errno_ret())?;
    let (mut x86_64, mut x32) = (false, false);
    for a in s.architectures().iter().flatten() {
        match a {
            Arch::ScmpArchNative | Arch::ScmpArchX86_64 => x86_64 = true,
            Arch::ScmpArchX32 => x32 = true,
            // Accepted: the sentry never reports another architecture.
            _ => {}
        }
    }
    let log = s
        .flags()
        .iter()
        .flatten()
        .any(|f| *f == LinuxSeccompFilterFlag::SeccompFilterFlagLog);

    // The rules by syscall name, in profile order.
    let mut rules: Vec<(String, Rule)> = Vec::new();
    for call in s.syscalls().iter().flatten() {
        let action = action_value(call.action(), call.errno_ret())?;
        let mut conds = Vec::new();
        for a in call.args().iter().flatten() {
            if a.index() >= 6 {
                bail!("seccomp: argument index {} out of range", a.index());
            }
            conds.push(Cond {
                index: a.index() as u32,
                op: a.op(),
                value: a.value(),
                value_two: a.value_two().unwrap_or(0),
            });
        }
        // runc: a rule comparing one argument twice becomes one rule per
        // condition.
        let mut seen = [0u8; 6];
        for c in &conds {
            seen[c.index as usize] += 1;
        }
        let split = seen.iter().any(|&n| n > 1);
        for name in call.names() {
            if name.is_empty() {
                bail!("seccomp: empty string is not a valid syscall");
            }
            if action == default {
                continue;
            }
            if split {
                for c in &conds {
                    rules.push((
                        name.clone(),
                        Rule {
                            action,
                            conds: vec![*c],
                        },
                    ));
                }
            } else {
                rules.push((
                    name.clone(),
                    Rule {
                        action,
                        conds: conds.clone(),
                    },
                ));
            }
        }
    }
    for (name, _) in &rules {
        if nr_x86_64(name).is_none() && nr_x32(name).is_none() {
            tracing::debug!("unknown seccomp syscall {name:?} ignored");
        }
    }

    let mut prog = Vec::new();
    // runc's -ENOSYS stub, before libseccomp's filter.
    let permissive = matches!(
        s.default_action(),
        LinuxSeccompAction::ScmpActAllow
            | LinuxSeccompAction::ScmpActLog
            | LinuxSeccompAction::ScmpActTrace
    );
    // (runc skips it when defaultErrnoRet is ENOSYS; it could only matter
    // with an ERRNO default, which then answers ENOSYS anyway.)
    if !permissive && default != SECCOMP_RET_ERRNO | ENOSYS {
        // The largest number over every rule's names (skipped ones too).
        let names = || s.syscalls().iter().flatten().flat_map(|c| c.names().iter());
        let last64 = names()
            .filter_map(|n| nr_x86_64(n))
            .max()
            .filter(|_| x86_64);
        let last32 = names().filter_map(|n| nr_x32(n)).max().filter(|_| x32);
        enosys_stub(&mut prog, last64, last32);
    }
    // libseccomp's filter: the arch, then the ABI, then the rules.
    prog.push(stmt(LD_W_ABS, OFF_ARCH));
    prog.push(jump(JMP_JEQ_K, AUDIT_ARCH_X86_64, 1, 0));
    prog.push(stmt(RET_K, SECCOMP_RET_KILL_THREAD));
    prog.push(stmt(LD_W_ABS, OFF_NR));
    let x86_rules = by_number(&rules, nr_x86_64);
    if x32 {
        let x32_rules = by_number(&rules, nr_x32);
        let mut native = Vec::new();
        rule_section(&mut native, &x86_rules, default)?;
        // jge X32 → the x32 section (after the native one).
        prog.push(jump(JMP_JGE_K, X32_SYSCALL_BIT, 0, 1));
        prog.push(stmt(JMP_JA, native.len() as u32));
        prog.extend(native);
        rule_section(&mut prog, &x32_rules, default)?;
    } else {
        prog.push(jump(JMP_JGE_K, X32_SYSCALL_BIT, 0, 1));
        prog.push(stmt(RET_K, SECCOMP_RET_KILL_THREAD));
        rule_section(&mut prog, &x86_rules, default)?;
    }
    if prog.len() > MAX_INSNS {
        bail!(
            "seccomp: the profile compiles to {} instructions (the limit is {MAX_INSNS})",
            prog.len()
        );
    }
    Ok(Compiled { program: prog, log })
}

/// runc's patchbpf stub: ENOSYS for numbers above the profile's largest,
/// per ABI; everything else falls through to the filter after it.
fn enosys_stub(prog: &mut Vec<SockFilter>, last64: Option<u32>, last32: Option<u32>) {
    if last64.is_none() && last32.is_none() {
        return;
    }
    let ret_enosys = stmt(RET_K, SECCOMP_RET_ERRNO | ENOSYS);
    // Body after `ld nr`: jumps to `enosys` (the last instruction) or to
    // `out` (just after it).
    let mut body: Vec<SockFilter> = Vec::new();
    match (last64, last32) {
        (Some(l64), Some(l32)) => {
            // 0: jset bit30 → 2 | 1: jgt l64 → enosys, else out |
            // 2: jgt l32 → enosys, else out.
            body.push(jump(JMP_JSET_K, X32_SYSCALL_BIT, 1, 0));
            body.push(jump(JMP_JGT_K, l64, 1, 2));
            body.push(jump(JMP_JGT_K, l32, 0, 1));
        }
        (Some(l64), None) => {
            // x32 numbers go straight to the filter (its bad-arch action).
            body.push(jump(JMP_JSET_K, X32_SYSCALL_BIT, 2, 0));
            body.push(jump(JMP_JGT_K, l64, 0, 1));
        }
        (None, Some(l32)) => {
            body.push(jump(JMP_JSET_K, X32_SYSCALL_BIT, 0, 2));
            body.push(jump(JMP_JGT_K, l32, 0, 1));
        }
        (None, None) => return,
    }
    prog.push(stmt(LD_W_ABS, OFF_ARCH));
    // Not x86_64: skip the whole stub (ld nr + body + ret).
    prog.push(jump(
        JMP_JEQ_K,
        AUDIT_ARCH_X86_64,
        0,
        (body.len() + 2) as u8,
    ));
    prog.push(stmt(LD_W_ABS, OFF_NR));
    // The body jumps to `ret ENOSYS` (right after it) or past it.
    prog.extend(body);
    prog.push(ret_enosys);
}

/// The rules by syscall number in `numbering`, in profile order within a
/// number; numbers in ascending order.
fn by_number(
    rules: &[(String, Rule)],
    numbering: fn(&str) -> Option<u32>,
) -> Vec<(u32, Vec<Rule>)> {
    let mut out: std::collections::BTreeMap<u32, Vec<Rule>> = Default::default();
    for (name, r) in rules {
        if let Some(nr) = numbering(name) {
            out.entry(nr).or_default().push(r.clone());
        }
    }
    out.into_iter().collect()
}

/// Most syscall numbers a leaf of the search tree compares one by one.
const LEAF: usize = 8;

/// Where a syscall's search ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// `ret` this value (only unconditional rules).
    Ret(u32),
    /// Jump to the conditional block with this index.
    Block(usize),
}

/// Code with jumps to blocks placed after it, to patch.
#[derive(Default)]
struct Code {
    insns: Vec<SockFilter>,
    /// (index of a `ja`, block it jumps to).
    relocs: Vec<(usize, usize)>,
}

impl Code {
    fn append(&mut self, other: Code) {
        let base = self.insns.len();
        self.relocs
            .extend(other.relocs.into_iter().map(|(i, b)| (i + base, b)));
        self.insns.extend(other.insns);
    }
}

/// The rules of one ABI, A holding the syscall number: a binary search
/// over the sorted numbers (like libseccomp's tree for long profiles), so
/// any syscall costs about log2(n) + LEAF comparisons; a miss returns the
/// default action. Conditional rules live in blocks after the tree.
fn rule_section(
    prog: &mut Vec<SockFilter>,
    rules: &[(u32, Vec<Rule>)],
    default: u32,
) -> anyhow::Result<()> {
    let mut entries = Vec::new();
    let mut blocks: Vec<Vec<SockFilter>> = Vec::new();
    for (nr, rs) in rules {
        if rs.iter().all(|r| r.conds.is_empty()) {
            // The first rule decides (a later one could not be reached).
            let action = rs.first().map_or(default, |r| r.action);
            entries.push((*nr, Target::Ret(action)));
            continue;
        }
        let mut block = Vec::new();
        let mut uncond = None;
        for r in rs {
            if r.conds.is_empty() {
                uncond.get_or_insert(r.action);
            } else {
                rule_block(&mut block, r)?;
            }
        }
        block.push(stmt(RET_K, uncond.unwrap_or(default)));
        entries.push((*nr, Target::Block(blocks.len())));
        blocks.push(block);
    }
    if entries.is_empty() {
        prog.push(stmt(RET_K, default));
        return Ok(());
    }
    let tree = search_tree(&entries, default)?;
    let base = prog.len();
    let tree_end = base + tree.insns.len();
    let mut starts = Vec::with_capacity(blocks.len());
    let mut at = tree_end;
    for b in &blocks {
        starts.push(at);
        at += b.len();
    }
    prog.extend(tree.insns);
    for (i, b) in tree.relocs {
        let (pc, start) = (base + i, starts[b]);
        prog[pc].k = (start - pc - 1) as u32;
    }
    for b in blocks {
        prog.extend(b);
    }
    Ok(())
}

/// The search over `entries` (sorted by number); every path ends in a
/// `ret` or a jump to a block.
fn search_tree(entries: &[(u32, Target)], default: u32) -> anyhow::Result<Code> {
    let mut c = Code::default();
    if entries.len() <= LEAF {
        // jeq each number to its target; the targets (deduplicated) after
        // a `ret default` for a miss.
        let mut targets: Vec<Target> = Vec::new();
        for (_, t) in entries {
            if !targets.contains(t) {
                targets.push(*t);
            }
        }
        let k = entries.len();
        for (i, (nr, t)) in entries.iter().enumerate() {
            let idx = targets.iter().position(|x| x == t).unwrap_or(0);
            let jt = u8::try_from(k - i + idx).context("seccomp: leaf too large")?;
            c.insns.push(jump(JMP_JEQ_K, *nr, jt, 0));
        }
        c.insns.push(stmt(RET_K, default));
        for t in targets {
            match t {
                Target::Ret(v) => c.insns.push(stmt(RET_K, v)),
                Target::Block(b) => {
                    c.relocs.push((c.insns.len(), b));
                    c.insns.push(stmt(JMP_JA, 0));
                }
            }
        }
        return Ok(c);
    }
    // Split on a leaf boundary so that leaves are full.
    let leaves = entries.len().div_ceil(LEAF);
    let mid = (leaves / 2) * LEAF;
    let pivot = entries[mid - 1].0;
    let left = search_tree(&entries[..mid], default)?;
    let right = search_tree(&entries[mid..], default)?;
    match u8::try_from(left.insns.len()) {
        // nr > pivot: over the left half, which follows.
        Ok(n) => c.insns.push(jump(JMP_JGT_K, pivot, n, 0)),
        Err(_) => {
            c.insns.push(jump(JMP_JGT_K, pivot, 0, 1));
            c.insns.push(stmt(JMP_JA, left.insns.len() as u32));
        }
    }
    c.append(left);
    c.append(right);
    Ok(c)
}

/// One conditional rule: the conditions in turn (a failed one jumps past
/// the rule's `ret`), then `ret action`. The accumulator holds an argument
/// afterwards; the block ends in a `ret` on every path, so nothing after
/// it relies on A.
fn rule_block(prog: &mut Vec<SockFilter>, r: &Rule) -> anyhow::Result<()> {
    let mut code: Vec<(SockFilter, Option<Fail>)> = Vec::new();
    for c in &r.conds {
        cond_code(&mut code, c);
    }
    let ret_at = code.len();
    let next_rule = ret_at + 1;
    for (pc, (mut insn, fail)) in code.into_iter().enumerate() {
        if let Some(f) = fail {
            let dist = next_rule - pc - 1;
            let d = u8::try_from(dist).context("seccomp: a rule has too many conditions")?;
            match f {
                Fail::OnTrue => insn.jt = d,
                Fail::OnFalse => insn.jf = d,
            }
        }
        prog.push(insn);
    }
    prog.push(stmt(RET_K, r.action));
    Ok(())
}

/// Which branch of a conditional jump leaves the rule.
#[derive(Debug, Clone, Copy)]
enum Fail {
    OnTrue,
    OnFalse,
}

/// A 64-bit comparison of one argument as libseccomp generates it: high
/// halves first. Success falls through to the next condition.
fn cond_code(code: &mut Vec<(SockFilter, Option<Fail>)>, c: &Cond) {
    use LinuxSeccompOperator::*;
    let lo_off = OFF_ARGS + 8 * c.index;
    let hi_off = lo_off + 4;
    let (vh, vl) = ((c.value >> 32) as u32, c.value as u32);
    let ld = |off| (stmt(LD_W_ABS, off), None);
    match c.op {
        ScmpCmpEq => {
            code.push(ld(hi_off));
            code.push((jump(JMP_JEQ_K, vh, 0, 0), Some(Fail::OnFalse)));
            code.push(ld(lo_off));
            code.push((jump(JMP_JEQ_K, vl, 0, 0), Some(Fail::OnFalse)));
        }
        ScmpCmpNe => {
            code.push(ld(hi_off));
            // High halves differ: true; skip to the next condition.
            code.push((jump(JMP_JEQ_K, vh, 0, 2), None));
            code.push(ld(lo_off));
            code.push((jump(JMP_JEQ_K, vl, 0, 0), Some(Fail::OnTrue)));
        }
        ScmpCmpGt | ScmpCmpGe => {
            let last = if c.op == ScmpCmpGt {
                JMP_JGT_K
            } else {
                JMP_JGE_K
            };
            code.push(ld(hi_off));
            code.push((jump(JMP_JGT_K, vh, 3, 0), None));
            code.push((jump(JMP_JEQ_K, vh, 0, 0), Some(Fail::OnFalse)));
            code.push(ld(lo_off));
            code.push((jump(last, vl, 0, 0), Some(Fail::OnFalse)));
        }
        ScmpCmpLt | ScmpCmpLe => {
            // a < v is !(a >= v); a <= v is !(a > v).
            let last = if c.op == ScmpCmpLt {
                JMP_JGE_K
            } else {
                JMP_JGT_K
            };
            code.push(ld(hi_off));
            code.push((jump(JMP_JGT_K, vh, 0, 0), Some(Fail::OnTrue)));
            code.push((jump(JMP_JEQ_K, vh, 0, 2), None));
            code.push(ld(lo_off));
            code.push((jump(last, vl, 0, 0), Some(Fail::OnTrue)));
        }
        ScmpCmpMaskedEq => {
            let (mh, ml) = ((c.value >> 32) as u32, c.value as u32);
            let (dh, dl) = ((c.value_two >> 32) as u32, c.value_two as u32);
            code.push(ld(hi_off));
            code.push((stmt(ALU_AND_K, mh), None));
            code.push((jump(JMP_JEQ_K, dh, 0, 0), Some(Fail::OnFalse)));
            code.push(ld(lo_off));
            code.push((stmt(ALU_AND_K, ml), None));
            code.push((jump(JMP_JEQ_K, dl, 0, 0), Some(Fail::OnFalse)));
        }
    }
}

#[cfg(test)]
mod tests;

//! Seccomp: the classic-BPF programs apps install with seccomp(2) or
//! prctl(PR_SET_SECCOMP), validated as Linux validates them
//! (`bpf_check_classic` followed by `seccomp_check_filter`) and run by the
//! sentry before every syscall, since the app's syscalls never reach the
//! host kernel.
//!
//! The interpreter is a plain loop over decoded instructions: every jump is
//! forward (validated), so a program of n instructions runs at most n steps;
//! every index is still bounds-checked, and nothing here panics on any
//! input.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use syscalls::consts::{
    SECCOMP_MODE_DISABLED, SECCOMP_MODE_FILTER, SECCOMP_MODE_STRICT, SECCOMP_RET_ACTION_FULL,
    SECCOMP_RET_ALLOW,
};

/// BPF_MAXINSNS: the longest program.
pub const MAX_INSNS: usize = 4096;
/// MAX_INSNS_PER_PATH: the limit on the instructions of a task's whole
/// filter chain (each filter costs 4 more).
pub const MAX_INSNS_PER_PATH: usize = (1 << 18) / 8;
/// BPF_MEMWORDS: the scratch memory slots.
const MEMWORDS: u32 = 16;
/// sizeof(struct seccomp_data).
pub const SECCOMP_DATA_SIZE: u32 = 64;

// Classic BPF opcode fields (linux/bpf_common.h).
const BPF_LD: u16 = 0x00;
const BPF_LDX: u16 = 0x01;
const BPF_ST: u16 = 0x02;
const BPF_STX: u16 = 0x03;
const BPF_ALU: u16 = 0x04;
const BPF_JMP: u16 = 0x05;
const BPF_RET: u16 = 0x06;
const BPF_MISC: u16 = 0x07;
const BPF_W: u16 = 0x00;
const BPF_IMM: u16 = 0x00;
const BPF_ABS: u16 = 0x20;
const BPF_MEM: u16 = 0x60;
const BPF_LEN: u16 = 0x80;
const BPF_K: u16 = 0x00;
const BPF_X: u16 = 0x08;
const BPF_A: u16 = 0x10;
const BPF_ADD: u16 = 0x00;
const BPF_SUB: u16 = 0x10;
const BPF_MUL: u16 = 0x20;
const BPF_DIV: u16 = 0x30;
const BPF_OR: u16 = 0x40;
const BPF_AND: u16 = 0x50;
const BPF_LSH: u16 = 0x60;
const BPF_RSH: u16 = 0x70;
const BPF_NEG: u16 = 0x80;
const BPF_XOR: u16 = 0xa0;
const BPF_JA: u16 = 0x00;
const BPF_JEQ: u16 = 0x10;
const BPF_JGT: u16 = 0x20;
const BPF_JGE: u16 = 0x30;
const BPF_JSET: u16 = 0x40;
const BPF_TAX: u16 = 0x00;
const BPF_TXA: u16 = 0x80;

/// `struct sock_filter` as the app wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SockFilter {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

impl SockFilter {
    pub const SIZE: usize = 8;

    /// Decode an array of 8-byte little-endian `sock_filter`s (a trailing
    /// partial instruction is ignored).
    pub fn parse(bytes: &[u8]) -> Vec<SockFilter> {
        bytes
            .chunks_exact(Self::SIZE)
            .map(|c| SockFilter {
                code: u16::from_le_bytes([c[0], c[1]]),
                jt: c[2],
                jf: c[3],
                k: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
            })
            .collect()
    }

    #[cfg(test)]
    pub const fn stmt(code: u16, k: u32) -> SockFilter {
        SockFilter {
            code,
            jt: 0,
            jf: 0,
            k,
        }
    }

    #[cfg(test)]
    pub const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> SockFilter {
        SockFilter { code, jt, jf, k }
    }
}

/// Why a program was refused (all EINVAL to the app, as in Linux).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("program length {0} is not in 1..=4096")]
    Length(usize),
    #[error("instruction {pc}: opcode {code:#x} not allowed")]
    Opcode { pc: usize, code: u16 },
    #[error("instruction {pc}: division by constant zero")]
    DivZero { pc: usize },
    #[error("instruction {pc}: shift by {k} (>= 32)")]
    Shift { pc: usize, k: u32 },
    #[error("instruction {pc}: scratch slot {k} out of range")]
    MemSlot { pc: usize, k: u32 },
    #[error("instruction {pc}: jump out of range")]
    Jump { pc: usize },
    #[error("instruction {pc}: load at offset {k} outside seccomp_data or unaligned")]
    Load { pc: usize, k: u32 },
    #[error("instruction {pc}: scratch slot {k} read before it is written")]
    Uninit { pc: usize, k: u32 },
    #[error("the program does not end with a return")]
    NoReturn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Src {
    K(u32),
    X,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AluOp {
    Add,
    Sub,
    Mul,
    Div,
    Or,
    And,
    Lsh,
    Rsh,
    Xor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JmpOp {
    Eq,
    Gt,
    Ge,
    Set,
}

/// A validated instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Insn {
    /// A = seccomp_data word at offset (aligned, < 64).
    LdAbs(u32),
    LdImm(u32),
    LdxImm(u32),
    LdMem(usize),
    LdxMem(usize),
    St(usize),
    Stx(usize),
    Alu(AluOp, Src),
    Neg,
    Tax,
    Txa,
    Ja(usize),
    Jmp(JmpOp, Src, usize, usize),
    RetK(u32),
    RetA,
}

/// The data a filter sees: `struct seccomp_data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeccompData {
    pub nr: i32,
    pub arch: u32,
    pub instruction_pointer: u64,
    pub args: [u64; 6],
}

impl SeccompData {
    /// The 32-bit word at byte offset `off` (little-endian layout), 0 past
    /// the end (never reached: loads are validated).
    fn word(&self, off: u32) -> u32 {
        let lo_hi = |v: u64, hi: bool| if hi { (v >> 32) as u32 } else { v as u32 };
        match off {
            0 => self.nr as u32,
            4 => self.arch,
            8 | 12 => lo_hi(self.instruction_pointer, off == 12),
            16..=63 => {
                let i = ((off - 16) / 8) as usize;
                let v = self.args.get(i).copied().unwrap_or(0);
                lo_hi(v, (off - 16) % 8 == 4)
            }
            _ => 0,
        }
    }
}

/// A validated seccomp program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    insns: Vec<Insn>,
}

fn jmp_op(code: u16) -> Option<JmpOp> {
    match code & 0xf0 {
        BPF_JEQ => Some(JmpOp::Eq),
        BPF_JGT => Some(JmpOp::Gt),
        BPF_JGE => Some(JmpOp::Ge),
        BPF_JSET => Some(JmpOp::Set),
        _ => None,
    }
}

fn alu_op(code: u16) -> Option<AluOp> {
    match code & 0xf0 {
        BPF_ADD => Some(AluOp::Add),
        BPF_SUB => Some(AluOp::Sub),
        BPF_MUL => Some(AluOp::Mul),
        BPF_DIV => Some(AluOp::Div),
        BPF_OR => Some(AluOp::Or),
        BPF_AND => Some(AluOp::And),
        BPF_LSH => Some(AluOp::Lsh),
        BPF_RSH => Some(AluOp::Rsh),
        BPF_XOR => Some(AluOp::Xor),
        _ => None,
    }
}

/// Decode one instruction as `bpf_check_classic` and `seccomp_check_filter`
/// accept it (the opcodes allowed in seccomp filters only: no packet
/// loads, no MOD, no ancillary data).
fn decode(pc: usize, f: SockFilter, len: usize) -> Result<Insn, FilterError> {
    let bad = FilterError::Opcode { pc, code: f.code };
    let k = f.k;
    let slot = |k: u32| {
        if k < MEMWORDS {
            Ok(k as usize)
        } else {
            Err(FilterError::MemSlot { pc, k })
        }
    };
    // Targets are relative to the next instruction and must stay inside.
    let target = |off: u64| -> Result<usize, FilterError> {
        let t = pc as u64 + 1 + off;
        if t < len as u64 {
            Ok(t as usize)
        } else {
            Err(FilterError::Jump { pc })
        }
    };
    let insn = match f.code {
        c if c == BPF_LD | BPF_W | BPF_ABS => {
            if k >= SECCOMP_DATA_SIZE || k & 3 != 0 {
                return Err(FilterError::Load { pc, k });
            }
            Insn::LdAbs(k)
        }
        c if c == BPF_LD | BPF_W | BPF_LEN => Insn::LdImm(SECCOMP_DATA_SIZE),
        c if c == BPF_LDX | BPF_W | BPF_LEN => Insn::LdxImm(SECCOMP_DATA_SIZE),
        c if c == BPF_LD | BPF_IMM => Insn::LdImm(k),
        c if c == BPF_LDX | BPF_IMM => Insn::LdxImm(k),
        c if c == BPF_LD | BPF_MEM => Insn::LdMem(slot(k)?),
        c if c == BPF_LDX | BPF_MEM => Insn::LdxMem(slot(k)?),
        BPF_ST => Insn::St(slot(k)?),
        BPF_STX => Insn::Stx(slot(k)?),
        c if c == BPF_MISC | BPF_TAX => Insn::Tax,
        c if c == BPF_MISC | BPF_TXA => Insn::Txa,
        c if c == BPF_RET | BPF_K => Insn::RetK(k),
        c if c == BPF_RET | BPF_A => Insn::RetA,
        c if c == BPF_ALU | BPF_NEG => Insn::Neg,
        c if c & 0x07 == BPF_ALU && c & !0xf8 == BPF_ALU => {
            let op = alu_op(c).ok_or(bad)?;
            let src = match c & 0x08 {
                BPF_X => Src::X,
                _ => {
                    match op {
                        AluOp::Div if k == 0 => return Err(FilterError::DivZero { pc }),
                        AluOp::Lsh | AluOp::Rsh if k >= 32 => {
                            return Err(FilterError::Shift { pc, k })
                        }
                        _ => {}
                    }
                    Src::K(k)
                }
            };
            Insn::Alu(op, src)
        }
        c if c == BPF_JMP | BPF_JA => {
            // Linux: k < flen - pc - 1.
            Insn::Ja(target(u64::from(k))?)
        }
        c if c & 0x07 == BPF_JMP && c & !0xf8 == BPF_JMP => {
            let op = jmp_op(c).ok_or(bad)?;
            let src = if c & 0x08 == BPF_X { Src::X } else { Src::K(k) };
            let jt = target(u64::from(f.jt))?;
            let jf = target(u64::from(f.jf))?;
            Insn::Jmp(op, src, jt, jf)
        }
        _ => return Err(bad),
    };
    Ok(insn)
}

impl Program {
    /// Validate a program as Linux does for seccomp (EINVAL on any error).
    pub fn new(raw: &[SockFilter]) -> Result<Program, FilterError> {
        let len = raw.len();
        if len == 0 || len > MAX_INSNS {
            return Err(FilterError::Length(len));
        }
        let insns = raw
            .iter()
            .enumerate()
            .map(|(pc, f)| decode(pc, *f, len))
            .collect::<Result<Vec<_>, _>>()?;
        if !matches!(insns.last(), Some(Insn::RetK(_) | Insn::RetA)) {
            return Err(FilterError::NoReturn);
        }
        check_load_and_stores(&insns)?;
        Ok(Program { insns })
    }

    /// Number of instructions.
    pub fn len(&self) -> usize {
        self.insns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.insns.is_empty()
    }

    /// Run the program; the returned value is the filter's action and data.
    /// A division by zero ends it with 0 (KILL_THREAD), as in Linux.
    pub fn run(&self, data: &SeccompData) -> u32 {
        let (mut a, mut x) = (0u32, 0u32);
        let mut mem = [0u32; MEMWORDS as usize];
        let mut pc = 0usize;
        // Jumps go forward only, so each instruction runs at most once.
        for _ in 0..=self.insns.len() {
            let Some(insn) = self.insns.get(pc) else {
                return 0;
            };
            pc += 1;
            match *insn {
                Insn::LdAbs(off) => a = data.word(off),
                Insn::LdImm(k) => a = k,
                Insn::LdxImm(k) => x = k,
                Insn::LdMem(i) => a = mem.get(i).copied().unwrap_or(0),
                Insn::LdxMem(i) => x = mem.get(i).copied().unwrap_or(0),
                Insn::St(i) => {
                    if let Some(m) = mem.get_mut(i) {
                        *m = a;
                    }
                }
                Insn::Stx(i) => {
                    if let Some(m) = mem.get_mut(i) {
                        *m = x;
                    }
                }
                Insn::Alu(op, src) => {
                    let v = match src {
                        Src::K(k) => k,
                        Src::X => x,
                    };
                    a = match op {
                        AluOp::Add => a.wrapping_add(v),
                        AluOp::Sub => a.wrapping_sub(v),
                        AluOp::Mul => a.wrapping_mul(v),
                        AluOp::Div => match a.checked_div(v) {
                            Some(q) => q,
                            None => return 0,
                        },
                        AluOp::Or => a | v,
                        AluOp::And => a & v,
                        AluOp::Lsh => a.wrapping_shl(v),
                        AluOp::Rsh => a.wrapping_shr(v),
                        AluOp::Xor => a ^ v,
                    };
                }
                Insn::Neg => a = a.wrapping_neg(),
                Insn::Tax => x = a,
                Insn::Txa => a = x,
                Insn::Ja(t) => pc = t,
                Insn::Jmp(op, src, jt, jf) => {
                    let v = match src {
                        Src::K(k) => k,
                        Src::X => x,
                    };
                    let taken = match op {
                        JmpOp::Eq => a == v,
                        JmpOp::Gt => a > v,
                        JmpOp::Ge => a >= v,
                        JmpOp::Set => a & v != 0,
                    };
                    pc = if taken { jt } else { jf };
                }
                Insn::RetK(k) => return k,
                Insn::RetA => return a,
            }
        }
        0
    }
}

/// Linux's check_load_and_stores: a scratch slot must be written on every
/// path before it is read.
fn check_load_and_stores(insns: &[Insn]) -> Result<(), FilterError> {
    let mut masks = vec![u16::MAX; insns.len()];
    let mut valid: u16 = 0;
    fn merge(masks: &mut [u16], t: usize, v: u16) {
        if let Some(m) = masks.get_mut(t) {
            *m &= v;
        }
    }
    for (pc, insn) in insns.iter().enumerate() {
        valid &= masks.get(pc).copied().unwrap_or(u16::MAX);
        match *insn {
            Insn::St(k) | Insn::Stx(k) => valid |= 1 << k,
            Insn::LdMem(k) | Insn::LdxMem(k) if valid & (1 << k) == 0 => {
                return Err(FilterError::Uninit { pc, k: k as u32 });
            }
            Insn::Ja(t) => {
                merge(&mut masks, t, valid);
                valid = u16::MAX;
            }
            Insn::Jmp(_, _, jt, jf) => {
                merge(&mut masks, jt, valid);
                merge(&mut masks, jf, valid);
                valid = u16::MAX;
            }
            _ => {}
        }
    }
    Ok(())
}

/// One installed filter and the ones installed before it.
#[derive(Debug)]
pub struct Filter {
    pub prog: Program,
    /// SECCOMP_FILTER_FLAG_LOG.
    pub log: bool,
    pub prev: Option<Arc<Filter>>,
}

impl Drop for Filter {
    /// Unlink the chain iteratively: a long chain must not recurse.
    fn drop(&mut self) {
        let mut next = self.prev.take();
        while let Some(f) = next {
            next = match Arc::try_unwrap(f) {
                Ok(mut inner) => inner.prev.take(),
                Err(_) => None,
            };
        }
    }
}

impl Filter {
    /// The filters from this one back to the first.
    pub fn chain(self: &Arc<Self>) -> impl Iterator<Item = &Filter> {
        let mut cur: Option<&Filter> = Some(self);
        std::iter::from_fn(move || {
            let f = cur?;
            cur = f.prev.as_deref();
            Some(f)
        })
    }

    /// Total instructions as Linux counts them against MAX_INSNS_PER_PATH.
    pub fn path_len(self: &Arc<Self>) -> usize {
        self.chain().map(|f| f.prog.len() + 4).sum()
    }

    /// Run every filter; the most restrictive action wins, and among equal
    /// actions the most recently installed filter's (Linux's
    /// seccomp_run_filters). Returns the value and whether the deciding
    /// filter asked for logging.
    pub fn evaluate(self: &Arc<Self>, data: &SeccompData) -> (u32, bool) {
        let mut ret = SECCOMP_RET_ALLOW;
        let mut log = false;
        for f in self.chain() {
            let cur = f.prog.run(data);
            if action_rank(cur) < action_rank(ret) {
                ret = cur;
                log = f.log;
            }
        }
        (ret, log)
    }

    /// Whether `ancestor` is this filter or one installed before it.
    pub fn has_ancestor(self: &Arc<Self>, ancestor: &Arc<Filter>) -> bool {
        self.chain().any(|f| std::ptr::eq(f, Arc::as_ptr(ancestor)))
    }
}

/// Linux's ACTION_ONLY: the action as a signed number; lower is more
/// restrictive (KILL_PROCESS is negative).
pub fn action_rank(ret: u32) -> i32 {
    (ret & SECCOMP_RET_ACTION_FULL) as i32
}

/// A task's seccomp mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Disabled,
    Strict,
    Filter,
}

impl Mode {
    /// The number PR_GET_SECCOMP returns.
    pub fn as_u32(self) -> u32 {
        match self {
            Mode::Disabled => SECCOMP_MODE_DISABLED,
            Mode::Strict => SECCOMP_MODE_STRICT,
            Mode::Filter => SECCOMP_MODE_FILTER,
        }
    }
}

/// A task's seccomp state.
#[derive(Debug, Clone, Default)]
pub struct State {
    pub mode: Mode,
    pub filter: Option<Arc<Filter>>,
}

/// A task's seccomp state where other threads of its process reach it
/// (SECCOMP_FILTER_FLAG_TSYNC); the mode is mirrored in an atomic so the
/// per-syscall check of an unfiltered task takes no lock.
#[derive(Debug, Default)]
pub struct SeccompCell {
    mode: AtomicU32,
    state: Mutex<State>,
    /// Set when the task starts exiting (Linux's PF_EXITING): TSYNC skips it.
    exiting: AtomicBool,
    /// no_new_privs given by another thread's TSYNC, for the task to take
    /// into its own state at its next syscall.
    nnp: AtomicBool,
}

impl SeccompCell {
    /// The current mode, without locking.
    pub fn mode(&self) -> Mode {
        match self.mode.load(Ordering::Acquire) {
            SECCOMP_MODE_STRICT => Mode::Strict,
            SECCOMP_MODE_FILTER => Mode::Filter,
            _ => Mode::Disabled,
        }
    }

    pub fn lock(&self) -> SeccompGuard<'_> {
        SeccompGuard {
            cell: self,
            st: self.state.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// A copy of the state (cheap: the filter chain is shared).
    pub fn get(&self) -> State {
        self.lock().st.clone()
    }

    /// The task is exiting: TSYNC no longer considers it.
    pub fn mark_exiting(&self) {
        self.exiting.store(true, Ordering::Release);
    }

    pub fn is_exiting(&self) -> bool {
        self.exiting.load(Ordering::Acquire)
    }

    /// Another thread's TSYNC sets no_new_privs on this task.
    pub fn give_no_new_privs(&self) {
        self.nnp.store(true, Ordering::Release);
    }

    /// Whether no_new_privs was given since the last call.
    pub fn take_no_new_privs(&self) -> bool {
        self.nnp.swap(false, Ordering::AcqRel)
    }

    /// Copy another task's state (fork, clone, exec by a non-leader thread).
    pub fn inherit_from(&self, other: &SeccompCell) {
        let st = other.get();
        self.lock().set(st);
    }
}

/// The locked state; [`SeccompGuard::set`] keeps the mode mirror in step.
pub struct SeccompGuard<'a> {
    cell: &'a SeccompCell,
    st: MutexGuard<'a, State>,
}

impl SeccompGuard<'_> {
    pub fn state(&self) -> &State {
        &self.st
    }

    pub fn set(&mut self, st: State) {
        self.cell.mode.store(st.mode.as_u32(), Ordering::Release);
        *self.st = st;
    }
}

#[cfg(test)]
mod tests;

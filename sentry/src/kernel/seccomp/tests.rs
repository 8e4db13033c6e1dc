//! Validator and interpreter tests.

use super::*;

const LD_W_ABS: u16 = BPF_LD | BPF_W | BPF_ABS;
const JEQ_K: u16 = BPF_JMP | BPF_JEQ | BPF_K;
const RET_K: u16 = BPF_RET | BPF_K;
const ERRNO_EPERM: u32 = 0x0005_0001;

fn s(code: u16, k: u32) -> SockFilter {
    SockFilter::stmt(code, k)
}

fn j(code: u16, k: u32, jt: u8, jf: u8) -> SockFilter {
    SockFilter::jump(code, k, jt, jf)
}

fn data(nr: i32) -> SeccompData {
    SeccompData {
        nr,
        arch: 0xC000_003E,
        instruction_pointer: 0x1122_3344_5566_7788,
        args: [1, 2, 3, 4, 0xAAAA_BBBB_CCCC_DDDD, 6],
    }
}

/// Deny `nr` with EPERM, allow everything else.
fn deny(nr: u32) -> Program {
    Program::new(&[
        s(LD_W_ABS, 0),
        j(JEQ_K, nr, 0, 1),
        s(RET_K, ERRNO_EPERM),
        s(RET_K, SECCOMP_RET_ALLOW),
    ])
    .unwrap()
}

#[test]
fn simple_filter() {
    let p = deny(110);
    assert_eq!(p.run(&data(110)), ERRNO_EPERM);
    assert_eq!(p.run(&data(39)), SECCOMP_RET_ALLOW);
}

#[test]
fn loads_every_field() {
    let d = data(7);
    let word = |k| {
        Program::new(&[s(LD_W_ABS, k), s(BPF_RET | BPF_A, 0)])
            .unwrap()
            .run(&d)
    };
    assert_eq!(word(0), 7);
    assert_eq!(word(4), 0xC000_003E);
    assert_eq!(word(8), 0x5566_7788);
    assert_eq!(word(12), 0x1122_3344);
    assert_eq!(word(16), 1);
    assert_eq!(word(20), 0);
    assert_eq!(word(48), 0xCCCC_DDDD);
    assert_eq!(word(52), 0xAAAA_BBBB);
    assert_eq!(word(56), 6);
    let len = Program::new(&[s(BPF_LD | BPF_W | BPF_LEN, 0), s(BPF_RET | BPF_A, 0)]).unwrap();
    assert_eq!(len.run(&d), 64);
}

#[test]
fn alu_memory_and_jumps() {
    let p = Program::new(&[
        s(BPF_LD | BPF_IMM, 10),
        s(BPF_ALU | BPF_MUL | BPF_K, 3),        // 30
        s(BPF_ST, 2),                           // M[2] = 30
        s(BPF_LDX | BPF_IMM, 4),                // X = 4
        s(BPF_ALU | BPF_SUB | BPF_X, 0),        // 26
        s(BPF_ALU | BPF_LSH | BPF_K, 1),        // 52
        s(BPF_ALU | BPF_DIV | BPF_X, 0),        // 13
        s(BPF_MISC | BPF_TAX, 0),               // X = 13
        s(BPF_LD | BPF_MEM, 2),                 // A = 30
        s(BPF_ALU | BPF_ADD | BPF_X, 0),        // 43
        j(BPF_JMP | BPF_JGT | BPF_K, 42, 1, 0), // taken
        s(RET_K, 0),
        j(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1), // 43 & 1: taken
        s(BPF_RET | BPF_A, 0),
        s(RET_K, 1),
    ])
    .unwrap();
    assert_eq!(p.run(&data(0)), 43);
    let neg = Program::new(&[
        s(BPF_LD | BPF_IMM, 1),
        s(BPF_ALU | BPF_NEG, 0),
        s(BPF_RET | BPF_A, 0),
    ])
    .unwrap();
    assert_eq!(neg.run(&data(0)), u32::MAX);
    // Division by a zero X ends the program with 0.
    let div0 = Program::new(&[s(BPF_ALU | BPF_DIV | BPF_X, 0), s(RET_K, 5)]).unwrap();
    assert_eq!(div0.run(&data(0)), 0);
    let ja = Program::new(&[s(BPF_JMP | BPF_JA, 1), s(RET_K, 1), s(RET_K, 2)]).unwrap();
    assert_eq!(ja.run(&data(0)), 2);
}

#[test]
fn refuses_what_linux_refuses() {
    let ret = s(RET_K, 0);
    let bad = |p: &[SockFilter]| Program::new(p).unwrap_err();
    assert_eq!(bad(&[]), FilterError::Length(0));
    assert_eq!(bad(&vec![ret; 4097]), FilterError::Length(4097));
    assert!(Program::new(&vec![ret; 4096]).is_ok());
    assert!(matches!(
        bad(&[s(LD_W_ABS, 2), ret]),
        FilterError::Load { .. }
    ));
    assert!(matches!(
        bad(&[s(LD_W_ABS, 64), ret]),
        FilterError::Load { .. }
    ));
    assert!(matches!(
        bad(&[s(LD_W_ABS, 0xffff_f000), ret]),
        FilterError::Load { .. }
    ));
    // Packet loads, MOD and unknown codes.
    for code in [
        BPF_LD | 0x08 | BPF_ABS,
        BPF_LD | 0x10 | BPF_ABS,
        BPF_LD | BPF_W | 0x40,
        BPF_LDX | 0x10 | 0xa0,
        BPF_ALU | 0x90 | BPF_K,
        BPF_ALU | 0xb0 | BPF_K,
        BPF_ALU | BPF_NEG | BPF_X,
        BPF_JMP | BPF_JA | BPF_X,
        BPF_JMP | 0x50,
        BPF_RET | 0x18,
        0x107,
        0xffff,
    ] {
        assert!(
            matches!(bad(&[s(code, 1), ret]), FilterError::Opcode { .. }),
            "{code:#x}"
        );
    }
    assert!(matches!(
        bad(&[s(BPF_ALU | BPF_DIV | BPF_K, 0), ret]),
        FilterError::DivZero { .. }
    ));
    assert!(matches!(
        bad(&[s(BPF_ALU | BPF_RSH | BPF_K, 32), ret]),
        FilterError::Shift { .. }
    ));
    assert!(matches!(
        bad(&[s(BPF_ST, 16), ret]),
        FilterError::MemSlot { .. }
    ));
    assert!(matches!(
        bad(&[j(JEQ_K, 0, 1, 0), ret]),
        FilterError::Jump { .. }
    ));
    assert!(matches!(
        bad(&[j(JEQ_K, 0, 0, 1), ret]),
        FilterError::Jump { .. }
    ));
    assert!(matches!(
        bad(&[s(BPF_JMP | BPF_JA, 1), ret]),
        FilterError::Jump { .. }
    ));
    assert!(matches!(
        bad(&[s(BPF_JMP | BPF_JA, u32::MAX), ret]),
        FilterError::Jump { .. }
    ));
    assert_eq!(bad(&[s(BPF_LD | BPF_IMM, 0)]), FilterError::NoReturn);
    assert_eq!(bad(&[ret, s(BPF_LD | BPF_IMM, 0)]), FilterError::NoReturn);
    // Scratch memory read before it is written, on some path.
    assert!(matches!(
        bad(&[s(BPF_LD | BPF_MEM, 0), ret]),
        FilterError::Uninit { .. }
    ));
    assert!(matches!(
        bad(&[
            j(JEQ_K, 0, 1, 0),
            s(BPF_ST, 3),
            s(BPF_LDX | BPF_MEM, 3),
            ret
        ]),
        FilterError::Uninit { .. }
    ));
    assert!(Program::new(&[
        s(BPF_ST, 3),
        j(JEQ_K, 0, 0, 0),
        s(BPF_LDX | BPF_MEM, 3),
        ret
    ])
    .is_ok());
}

#[test]
fn stacking_precedence() {
    let allow = Program::new(&[s(RET_K, SECCOMP_RET_ALLOW)]).unwrap();
    let ret = |v: u32| Program::new(&[s(RET_K, v)]).unwrap();
    let push = |prev: Option<Arc<Filter>>, prog: Program| {
        Arc::new(Filter {
            prog,
            log: false,
            prev,
        })
    };
    let f = push(None, allow);
    let f = push(Some(f), deny(39));
    assert_eq!(f.evaluate(&data(39)).0, ERRNO_EPERM);
    assert_eq!(f.evaluate(&data(40)).0, SECCOMP_RET_ALLOW);
    // Equal actions: the most recent filter's data wins.
    let f = push(Some(f), ret(0x0005_0002));
    assert_eq!(f.evaluate(&data(39)).0, 0x0005_0002);
    // TRAP beats ERRNO, KILL_PROCESS beats everything.
    let f = push(Some(f), ret(0x0003_0007));
    assert_eq!(f.evaluate(&data(1)).0, 0x0003_0007);
    let g = push(Some(f.clone()), ret(0x8000_0000));
    assert_eq!(g.evaluate(&data(1)).0, 0x8000_0000);
    assert!(g.has_ancestor(&f));
    assert!(!f.has_ancestor(&g));
    assert_eq!(f.path_len(), 7 + 4 * 4);
}

#[test]
fn long_chain_drops_without_recursion() {
    let mut f: Option<Arc<Filter>> = None;
    for _ in 0..200_000 {
        f = Some(Arc::new(Filter {
            prog: Program::new(&[s(RET_K, SECCOMP_RET_ALLOW)]).unwrap(),
            log: false,
            prev: f,
        }));
    }
    drop(f);
}

/// A small xorshift generator: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn fuzz_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut accepted = 0;
    for round in 0..20_000 {
        let n = (rng.next() % 24) as usize + if round % 100 == 0 { 4090 } else { 0 };
        let mut bytes = vec![0u8; n * 8 + (rng.next() % 8) as usize];
        for b in bytes.iter_mut() {
            *b = rng.next() as u8;
        }
        let mut insns = SockFilter::parse(&bytes);
        // Bias towards plausible programs: real opcodes, short jumps, a RET.
        if round % 2 == 0 {
            const CODES: [u16; 16] = [
                0x20, 0x00, 0x01, 0x02, 0x03, 0x04, 0x0c, 0x34, 0x3c, 0x84, 0x60, 0x61, 0x05, 0x15,
                0x45, 0x16,
            ];
            for i in insns.iter_mut() {
                i.code = CODES[(rng.next() % 16) as usize];
                i.jt %= 4;
                i.jf %= 4;
                if rng.next().is_multiple_of(2) {
                    i.k %= 64;
                }
            }
            if let Some(l) = insns.last_mut() {
                l.code = RET_K;
            }
        }
        if let Ok(p) = Program::new(&insns) {
            accepted += 1;
            for _ in 0..4 {
                let mut d = data(rng.next() as i32);
                d.args = [rng.next(), rng.next(), 0, 1, u64::MAX, rng.next()];
                let _ = p.run(&d);
            }
        }
    }
    assert!(accepted > 100, "only {accepted} random programs were valid");
}

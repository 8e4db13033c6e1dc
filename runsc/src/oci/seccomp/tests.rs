//! The compiled profiles run in the sentry's own interpreter (which
//! validates them as Linux does) against sample `seccomp_data`.

use super::*;
use sentry::kernel::seccomp::{Program, SeccompData};

fn profile(v: serde_json::Value) -> LinuxSeccomp {
    serde_json::from_value(v).unwrap()
}

fn program(v: serde_json::Value) -> Program {
    let c = compile(&profile(v)).unwrap();
    Program::new(&c.program).unwrap()
}

fn data(nr: u32, args: [u64; 6]) -> SeccompData {
    SeccompData {
        nr: nr as i32,
        arch: AUDIT_ARCH_X86_64,
        instruction_pointer: 0x1000,
        args,
    }
}

fn nr(name: &str) -> u32 {
    syscalls::nr::by_name(name).unwrap() as u32
}

const ALLOW: u32 = SECCOMP_RET_ALLOW;
fn errno(e: u32) -> u32 {
    SECCOMP_RET_ERRNO | e
}

#[test]
fn deny_list_with_default_allow() {
    let p = program(serde_json::json!({
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [
            {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"},
            {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
            {"names": ["chdir"], "action": "SCMP_ACT_KILL"},
            {"names": ["fchdir"], "action": "SCMP_ACT_KILL_PROCESS"},
            {"names": ["uname"], "action": "SCMP_ACT_TRAP"},
            {"names": ["getppid"], "action": "SCMP_ACT_TRACE"},
            {"names": ["getuid"], "action": "SCMP_ACT_LOG"},
            {"names": ["no_such_syscall", "read"], "action": "SCMP_ACT_ALLOW"}
        ]
    }));
    let r = |n: &str| p.run(&data(nr(n), [0; 6]));
    assert_eq!(r("mkdir"), errno(1));
    assert_eq!(r("mkdirat"), errno(1));
    assert_eq!(r("getpid"), errno(13));
    assert_eq!(r("chdir"), SECCOMP_RET_KILL_THREAD);
    assert_eq!(r("fchdir"), SECCOMP_RET_KILL_PROCESS);
    assert_eq!(r("uname"), SECCOMP_RET_TRAP);
    assert_eq!(r("getppid"), SECCOMP_RET_TRACE | 1);
    assert_eq!(r("getuid"), SECCOMP_RET_LOG);
    assert_eq!(r("read"), ALLOW);
    assert_eq!(r("write"), ALLOW);
    // Beyond the largest named syscall: no -ENOSYS stub with ALLOW.
    assert_eq!(p.run(&data(1000, [0; 6])), ALLOW);
    // x32 is not listed: its numbers are a bad arch (KILL_THREAD).
    assert_eq!(
        p.run(&data(X32_SYSCALL_BIT | nr("read"), [0; 6])),
        SECCOMP_RET_KILL_THREAD
    );
    // Another audit arch: KILL_THREAD.
    let mut d = data(nr("read"), [0; 6]);
    d.arch = 0x4000_0003;
    assert_eq!(p.run(&d), SECCOMP_RET_KILL_THREAD);
}

/// Every operator against 64-bit values on both sides of the 32-bit
/// halves, checked against plain u64 arithmetic.
#[test]
fn argument_operators_on_64_bit_values() {
    let values: [u64; 9] = [
        0,
        1,
        0xffff_ffff,
        0x1_0000_0000,
        0x1_0000_0001,
        0x7fff_ffff_ffff_ffff,
        0xffff_ffff_0000_0000,
        0xffff_ffff_ffff_fffe,
        u64::MAX,
    ];
    let ops = [
        ("SCMP_CMP_EQ", (|a, v| a == v) as fn(u64, u64) -> bool),
        ("SCMP_CMP_NE", |a, v| a != v),
        ("SCMP_CMP_LT", |a, v| a < v),
        ("SCMP_CMP_LE", |a, v| a <= v),
        ("SCMP_CMP_GT", |a, v| a > v),
        ("SCMP_CMP_GE", |a, v| a >= v),
    ];
    for (op, f) in ops {
        for v in values {
            let p = program(serde_json::json!({
                "defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
                    "errnoRet": 22, "args": [{"index": 2, "value": v, "op": op}]}]
            }));
            for a in values {
                let got = p.run(&data(nr("personality"), [0, 0, a, 0, 0, 0]));
                let want = if f(a, v) { errno(22) } else { ALLOW };
                assert_eq!(got, want, "{a:#x} {op} {v:#x}");
            }
        }
    }
    // MASKED_EQ: value is the mask, valueTwo the datum.
    let p = program(serde_json::json!({
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["clone"], "action": "SCMP_ACT_ERRNO",
            "args": [{"index": 0, "value": 0x1_7e02_0000u64, "valueTwo": 0x1_0000_0000u64,
                      "op": "SCMP_CMP_MASKED_EQ"}]}]
    }));
    for a in values
        .iter()
        .chain(&[0x1_0000_0011, 0x1_0002_0000, 0x3_0000_0000])
    {
        let want = if a & 0x1_7e02_0000 == 0x1_0000_0000 {
            errno(1)
        } else {
            ALLOW
        };
        assert_eq!(
            p.run(&data(nr("clone"), [*a, 0, 0, 0, 0, 0])),
            want,
            "{a:#x}"
        );
    }
}

#[test]
fn conditions_and_several_rules() {
    let p = program(serde_json::json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 1,
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
        "syscalls": [
            {"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"},
            // Two arguments: ANDed.
            {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                      {"index": 1, "value": 3, "op": "SCMP_CMP_LE"}]},
            {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
             "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
            // One argument twice: each condition is a rule (ORed).
            {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"},
                      {"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
            // Same action as the default: skipped.
            {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}
        ]
    }));
    let sock = |a0, a1| p.run(&data(nr("socket"), [a0, a1, 0, 0, 0, 0]));
    assert_eq!(sock(1, 1), ALLOW);
    assert_eq!(sock(1, 3), ALLOW);
    assert_eq!(sock(1, 4), errno(1));
    assert_eq!(sock(2, 1), errno(13));
    assert_eq!(sock(10, 1), errno(1));
    let pers = |a0| p.run(&data(nr("personality"), [a0, 0, 0, 0, 0, 0]));
    assert_eq!(pers(0), ALLOW);
    assert_eq!(pers(8), ALLOW);
    assert_eq!(pers(9), errno(1));
    assert_eq!(p.run(&data(nr("read"), [0; 6])), ALLOW);
    assert_eq!(p.run(&data(nr("getpid"), [0; 6])), errno(1));
    // runc's stub: above the largest named syscall (socket, 41): ENOSYS.
    assert_eq!(p.run(&data(nr("exit_group"), [0; 6])), ALLOW);
    assert_eq!(p.run(&data(nr("exit_group") + 1, [0; 6])), errno(38));
    assert_eq!(p.run(&data(nr("openat2"), [0; 6])), errno(38));
    assert_eq!(p.run(&data(nr("mmap"), [0; 6])), errno(1));
    // x32 not listed: bad arch.
    assert_eq!(
        p.run(&data(X32_SYSCALL_BIT | nr("read"), [0; 6])),
        SECCOMP_RET_KILL_THREAD
    );
}

#[test]
fn x32_numbering_when_listed() {
    let p = program(serde_json::json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [
            {"names": ["read", "ioctl", "mkdir"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["uname"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_NE"}]}
        ]
    }));
    let x32 = |n: u32| p.run(&data(X32_SYSCALL_BIT | n, [0; 6]));
    assert_eq!(x32(nr("read")), ALLOW);
    assert_eq!(x32(nr("mkdir")), ALLOW);
    // ioctl is 16 on x86_64 but 514 on x32; 16 with bit 30 is not ioctl.
    assert_eq!(x32(514), ALLOW);
    assert_eq!(x32(16), errno(1));
    assert_eq!(x32(nr("uname")), ALLOW);
    assert_eq!(x32(nr("write")), errno(1));
    // The x32 stub: above x32's largest named syscall (ioctl, 514).
    assert_eq!(x32(515), errno(38));
    assert_eq!(p.run(&data(nr("ioctl"), [0; 6])), ALLOW);
    let uname = |a0| p.run(&data(nr("uname"), [a0, 0, 0, 0, 0, 0]));
    assert_eq!(uname(4), ALLOW);
    assert_eq!(uname(5), errno(1));
    // x86_64 stub: above mkdir (83).
    assert_eq!(p.run(&data(83, [0; 6])), ALLOW);
    assert_eq!(p.run(&data(84, [0; 6])), errno(38));
}

#[test]
fn enosys_stub_not_added_when_default_is_enosys_or_permissive() {
    for v in [
        serde_json::json!({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
            "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}),
        serde_json::json!({"defaultAction": "SCMP_ACT_LOG",
            "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO"}]}),
        // No architectures: runc finds no last syscall, no stub.
        serde_json::json!({"defaultAction": "SCMP_ACT_KILL_PROCESS",
            "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}),
    ] {
        let s = profile(v.clone());
        let p = Program::new(&compile(&s).unwrap().program).unwrap();
        let default = action_value(s.default_action(), s.default_errno_ret()).unwrap();
        assert_eq!(p.run(&data(400, [0; 6])), default, "{v}");
    }
}

#[test]
fn refusals() {
    let bad = |v: serde_json::Value| compile(&profile(v)).unwrap_err().to_string();
    assert!(bad(serde_json::json!({"defaultAction": "SCMP_ACT_NOTIFY"})).contains("default"));
    assert!(bad(serde_json::json!({"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOTIFY"}]}))
    .contains("listenerPath"));
    assert!(bad(serde_json::json!({"defaultAction": "SCMP_ACT_ALLOW",
        "listenerPath": "/run/agent.sock",
        "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOTIFY"}]}))
    .contains("not supported"));
    assert!(bad(serde_json::json!({"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO",
            "args": [{"index": 6, "value": 0, "op": "SCMP_CMP_EQ"}]}]}))
    .contains("index"));
    assert!(bad(serde_json::json!({"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": [""], "action": "SCMP_ACT_ERRNO"}]}))
    .contains("empty"));
}

/// Every syscall the table knows allowed, some with conditions (a profile
/// larger than Docker's): compact enough, and valid.
#[test]
fn large_profile_fits() {
    let names: Vec<&str> = syscalls::nr::NAMES.iter().flatten().copied().collect();
    let cond: Vec<serde_json::Value> = names
        .iter()
        .take(40)
        .map(|n| {
            serde_json::json!({"names": [n], "action": "SCMP_ACT_ERRNO",
                "args": [{"index": 1, "value": 7, "op": "SCMP_CMP_GE"}]})
        })
        .collect();
    let mut rules = vec![serde_json::json!({"names": names, "action": "SCMP_ACT_ALLOW"})];
    rules.extend(cond);
    let v = serde_json::json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "flags": ["SECCOMP_FILTER_FLAG_LOG"],
        "syscalls": rules
    });
    let c = compile(&profile(v)).unwrap();
    assert!(c.log);
    assert!(
        c.program.len() < 2 * names.len() + 800,
        "{}",
        c.program.len()
    );
    let p = Program::new(&c.program).unwrap();
    for n in &names[40..] {
        assert_eq!(p.run(&data(nr(n), [0; 6])), ALLOW, "{n}");
    }
    assert_eq!(p.run(&data(nr(names[0]), [0, 7, 0, 0, 0, 0])), ALLOW);
    // The boot spec's encoding round-trips.
    let b = c.for_boot();
    assert_eq!(b.instructions().unwrap(), c.program);
    let too_big = ContainerSeccomp {
        program: "0".into(),
        log: false,
    };
    assert!(too_big.instructions().is_err());
}

/// Docker's default profile, as dockerd 20.10 puts it in config.json
/// (captured from a bundle it handed to its runtime).
#[test]
fn docker_default_profile() {
    let v: serde_json::Value = serde_json::from_str(include_str!("docker-default.json")).unwrap();
    let c = compile(&profile(v.clone())).unwrap();
    assert!(c.program.len() < 1000, "{} instructions", c.program.len());
    let p = Program::new(&c.program).unwrap();
    let r = |n: &str, args: [u64; 6]| p.run(&data(nr(n), args));
    for n in [
        "read",
        "openat",
        "execve",
        "clone",
        "exit_group",
        "futex",
        "ptrace",
    ] {
        let a = if n == "clone" { 0x11 } else { 0 };
        assert_eq!(r(n, [a, 0, 0, 0, 0, 0]), ALLOW, "{n}");
    }
    // Denied (default ERRNO, EPERM).
    for n in ["mount", "unshare", "keyctl", "reboot", "kexec_load"] {
        assert_eq!(r(n, [0; 6]), errno(1), "{n}");
    }
    // clone with namespace flags: denied; personality: only the listed
    // values; clone3: ENOSYS (explicit rule).
    assert_eq!(r("clone", [0x1000_0000 | 0x11, 0, 0, 0, 0, 0]), errno(1));
    assert_eq!(r("personality", [8, 0, 0, 0, 0, 0]), ALLOW);
    assert_eq!(r("personality", [0xffff_ffff, 0, 0, 0, 0, 0]), ALLOW);
    assert_eq!(r("personality", [1, 0, 0, 0, 0, 0]), errno(1));
    assert_eq!(r("clone3", [0; 6]), errno(38));
    // runc's stub: numbers past the profile's largest are ENOSYS.
    let last = v["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["names"].as_array().unwrap())
        .filter_map(|n| syscalls::nr::by_name(n.as_str().unwrap()))
        .max()
        .unwrap() as u32;
    assert_eq!(p.run(&data(last + 1, [0; 6])), errno(38));
    // Every number up to the last, against the profile's lists (this
    // walks every leaf of the search tree).
    let mut allowed = std::collections::HashSet::new();
    for s in v["syscalls"].as_array().unwrap() {
        if s["args"].is_null() && s["action"] == "SCMP_ACT_ALLOW" {
            for n in s["names"].as_array().unwrap() {
                allowed.insert(n.as_str().unwrap().to_string());
            }
        }
    }
    for n in 0..=last {
        let name = syscalls::nr::name(u64::from(n)).unwrap_or("");
        if ["personality", "clone", "clone3"].contains(&name) {
            continue;
        }
        let want = if allowed.contains(name) {
            ALLOW
        } else {
            errno(1)
        };
        assert_eq!(p.run(&data(n, [0; 6])), want, "{n} {name}");
        let x32 = if allowed.contains(name) && nr_x32(name) == Some(X32_SYSCALL_BIT | n) {
            ALLOW
        } else {
            errno(1)
        };
        if n < 512 {
            assert_eq!(
                p.run(&data(X32_SYSCALL_BIT | n, [0; 6])),
                x32,
                "x32 {n} {name}"
            );
        }
    }
    // x32 is listed: x32 read is allowed, x32 mount denied.
    assert_eq!(p.run(&data(X32_SYSCALL_BIT, [0; 6])), ALLOW);
    assert_eq!(
        p.run(&data(X32_SYSCALL_BIT | nr("mount"), [0; 6])),
        errno(1)
    );
}

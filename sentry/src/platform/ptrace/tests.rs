//! Tests of the ptrace platform: the stub code and filter, live stubs
//! (pooled, direct, threads) and the ignored spawn-cost measurement.
//!
//! Contains `unsafe`: the PTRACE_GET_RSEQ_CONFIGURATION request.

use super::factory::POOL_SIZE;
use super::stubcode::{stub_code, stub_filter};
use super::*;
use crate::platform::STUB_SIZE;

#[test]
fn filter_is_well_formed() {
    let f = stub_filter();
    assert!(f.len() < 64);
    // Every jump stays inside the program.
    for (i, ins) in f.iter().enumerate() {
        assert!(i + 1 + (ins.jt as usize) < f.len() + 1);
        assert!(i + 1 + (ins.jf as usize) < f.len() + 1);
    }
}

#[test]
fn stub_code_fits() {
    let (code, off) = stub_code();
    assert!(code.len() <= STUB_SIZE as usize);
    assert_eq!(&code[off as usize..off as usize + 3], &[0x0f, 0x05, 0xcc]);
}

#[cfg(test)]
mod live_tests {
    use super::*;
    use crate::mm::memfile::MemoryFile;
    use crate::platform::Event;
    use nix::unistd::Pid;

    /// Runs a syscall and a fault in `stub` and checks its address space
    /// holds only the stub and the memory file.
    fn round_trip(mf: &std::sync::Arc<MemoryFile>, stub: &mut Stub) {
        let frame = mf.alloc_frames(1).unwrap().remove(0);
        // syscall; mov dword ptr [0x1000], eax
        let code = [0x0f, 0x05, 0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00];
        mf.write(frame.off(), &code);
        stub.map(
            0x400000,
            4096,
            libc::PROT_READ | libc::PROT_EXEC,
            frame.off(),
        )
        .unwrap();
        let mut regs = stub.initial_regs(0x400000, 0);
        regs.rax = 39;
        assert_eq!(stub.switch(&mut regs).unwrap(), Event::Syscall);
        assert_eq!(regs.orig_rax, 39);
        regs.rax = 7;
        match stub.switch(&mut regs).unwrap() {
            Event::Fault { signal, addr, .. } => {
                assert_eq!(signal, libc::SIGSEGV);
                assert_eq!(addr, 0x1000);
            }
            e => panic!("unexpected {e:?}"),
        }
        // The stub's address space holds only the stub and our mapping.
        let maps = std::fs::read_to_string(format!("/proc/{}/maps", stub.pid())).unwrap();
        for line in maps.lines() {
            assert!(
                line.contains("runsc-stub")
                    || line.contains("runsc-memfile")
                    || line.contains("[vsyscall]"),
                "unexpected mapping {line}"
            );
        }
        // Its only fd is the memory file, as fd 0.
        let fds: Vec<_> = std::fs::read_dir(format!("/proc/{}/fd", stub.pid()))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(fds, ["0"]);
        // Sandboxed, traced by us, child of this process.
        let status = std::fs::read_to_string(format!("/proc/{}/status", stub.pid())).unwrap();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_string())
                .unwrap()
        };
        assert_eq!(field("Seccomp:"), "2");
        assert_eq!(field("NoNewPrivs:"), "1");
        assert_eq!(field("PPid:"), std::process::id().to_string());
        assert_eq!(field("SigBlk:"), "0000000000000000");
        // No rseq registration survives into the stub.
        assert_eq!(rseq_area(stub.tid), Some(0));
    }

    /// The rseq area registered by a stopped tracee (0: none), if the host
    /// can tell (PTRACE_GET_RSEQ_CONFIGURATION, Linux >= 5.13).
    fn rseq_area(tid: Pid) -> Option<u64> {
        #[repr(C)]
        #[derive(Default)]
        struct RseqConf {
            rseq_abi_pointer: u64,
            rseq_abi_size: u32,
            signature: u32,
            flags: u32,
            pad: u32,
        }
        const PTRACE_GET_RSEQ_CONFIGURATION: libc::c_uint = 0x420f;
        let mut conf = RseqConf::default();
        // SAFETY: the request writes at most `addr` (the size we pass) bytes
        // of the configuration into `conf`; the tracee is stopped and ours.
        let r = unsafe {
            libc::ptrace(
                PTRACE_GET_RSEQ_CONFIGURATION,
                tid.as_raw(),
                std::mem::size_of::<RseqConf>(),
                &mut conf as *mut RseqConf,
            )
        };
        (r > 0).then_some(conf.rseq_abi_pointer)
    }

    #[test]
    fn syscall_and_fault_round_trip() {
        let mf = MemoryFile::new().unwrap();
        let factory = StubFactory::new().unwrap();
        // From the pool: the first, then more than the pool holds, alive
        // at the same time, each its own process.
        let mut stubs: Vec<Stub> = (0..POOL_SIZE + 2)
            .map(|_| factory.spawn(&mf.fd()).unwrap())
            .collect();
        assert!(factory.pool.get().unwrap().is_some());
        assert!(!factory
            .pool_broken
            .load(std::sync::atomic::Ordering::Relaxed));
        let mut pids: Vec<_> = stubs.iter().map(|s| s.process_pid()).collect();
        pids.dedup();
        assert_eq!(pids.len(), POOL_SIZE + 2);
        for stub in &mut stubs {
            round_trip(&mf, stub);
        }
        let pid = stubs[0].process_pid();
        drop(stubs);
        // Killed and reaped.
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    }

    #[test]
    fn direct_spawn_round_trip() {
        let mf = MemoryFile::new().unwrap();
        let factory = StubFactory::new().unwrap();
        let mut stub = factory.spawn_direct(&mf.fd()).unwrap();
        round_trip(&mf, &mut stub);
    }

    #[test]
    fn pooled_stub_threads() {
        // A stub from the pool clones threads like any other.
        let mf = MemoryFile::new().unwrap();
        let factory = StubFactory::new().unwrap();
        let mut stub = factory.spawn(&mf.fd()).unwrap();
        let new = stub.clone_thread().unwrap();
        let t = std::thread::spawn(move || new.attach().map(|s| s.pid()))
            .join()
            .unwrap()
            .unwrap();
        assert_ne!(t, stub.pid());
        assert_eq!(stub.process_pid(), stub.pid());
        round_trip(&mf, &mut stub);
    }

    /// `cargo test -p sentry --release -- --ignored --nocapture spawn_cost`
    #[test]
    #[ignore = "a measurement that prints the cost of a stub spawn; run by hand"]
    fn spawn_cost() {
        let mf = MemoryFile::new().unwrap();
        let factory = StubFactory::new().unwrap();
        drop(factory.spawn(&mf.fd()).unwrap());
        let n = 200;
        for (name, pooled) in [("direct", false), ("pooled", true)] {
            let mut times = Vec::new();
            for _ in 0..n {
                let t0 = std::time::Instant::now();
                let stub = if pooled {
                    factory.spawn(&mf.fd()).unwrap()
                } else {
                    factory.spawn_direct(&mf.fd()).unwrap()
                };
                times.push(t0.elapsed());
                drop(stub);
            }
            times.sort();
            eprintln!(
                "{name}: median {:?}, p10 {:?}, p90 {:?}",
                times[n / 2],
                times[n / 10],
                times[n * 9 / 10]
            );
        }
    }
}

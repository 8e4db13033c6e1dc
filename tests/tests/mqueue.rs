//! POSIX message queues, sandbox only: `sandbox/mq_sysctl.c` writes the
//! `fs.mqueue` sysctls (natively that would change the host) and checks that new
//! queues follow them; the differential tests are `conformance/mq_*.c`.

use systests::{compile_sandbox_program, runsc_cmd, sandbox_enabled, Link};

#[test]
fn sysctls_govern_new_queues() {
    if !sandbox_enabled("mqueue sysctls") {
        return;
    }
    let bin = compile_sandbox_program("mq_sysctl", Link::Static);
    let out = runsc_cmd([std::ffi::OsStr::new("do"), bin.as_os_str()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status == systests::Status::Exited(0)
            && !stdout.contains("FAIL")
            && stdout.lines().count() >= 15,
        "status {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

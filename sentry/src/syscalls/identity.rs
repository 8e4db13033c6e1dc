//! Syscall handlers: identity family.

use super::Table;

/// Per-task process attributes set through prctl.
#[derive(Clone, Debug)]
pub struct ProcExtras {
    pub pdeathsig: i32,
    pub dumpable: bool,
    pub no_new_privs: bool,
    pub subreaper: bool,
    pub robust_len: u64,
}

impl Default for ProcExtras {
    fn default() -> Self {
        ProcExtras { pdeathsig: 0, dumpable: true, no_new_privs: false, subreaper: false, robust_len: 0 }
    }
}

pub fn register(_t: &mut Table) {}

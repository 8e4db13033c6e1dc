//! System V message queues (added next).

/// `/proc/sysvipc/msg`.
pub fn proc_listing() -> Vec<u8> {
    b"       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n".to_vec()
}

//! System V semaphores (added next).

/// `/proc/sysvipc/sem`.
pub fn proc_listing() -> Vec<u8> {
    b"       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n"
        .to_vec()
}

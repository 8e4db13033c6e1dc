//! System V IPC structures (x86_64, 64-bit `IPC_64` layouts from
//! `<asm-generic/ipcbuf.h>`, `<asm-generic/shmbuf.h>`,
//! `<asm/sembuf.h>` and `<asm-generic/msgbuf.h>`; sizes asserted below and
//! checked with `offsetof` on `struct shmid_ds`, `semid_ds`, `msqid_ds`,
//! `shminfo`, `shm_info`, `seminfo`, `msginfo` and `sembuf` from glibc).

use crate::pod::pod_struct;

pod_struct! {
    #[repr(C)]
    /// `struct ipc64_perm` (48 bytes).
    pub struct IpcPerm {
        pub key: i32,
        pub uid: u32,
        pub gid: u32,
        pub cuid: u32,
        pub cgid: u32,
        pub mode: u32,
        pub seq: u16,
        pub _pad2: u16,
        pub _pad3: u32,
        pub _unused1: u64,
        pub _unused2: u64,
    }

    #[repr(C)]
    /// `struct shmid64_ds` (112 bytes).
    pub struct ShmidDs {
        pub shm_perm: IpcPerm,
        pub shm_segsz: u64,
        pub shm_atime: i64,
        pub shm_dtime: i64,
        pub shm_ctime: i64,
        pub shm_cpid: i32,
        pub shm_lpid: i32,
        pub shm_nattch: u64,
        pub _unused4: u64,
        pub _unused5: u64,
    }

    #[repr(C)]
    /// `struct shminfo64` (IPC_INFO, 72 bytes).
    pub struct ShmInfo64 {
        pub shmmax: u64,
        pub shmmin: u64,
        pub shmmni: u64,
        pub shmseg: u64,
        pub shmall: u64,
        pub _unused: [u64; 4],
    }

    #[repr(C)]
    /// `struct shm_info` (SHM_INFO, 48 bytes).
    pub struct ShmInfo {
        pub used_ids: i32,
        pub _pad: u32,
        pub shm_tot: u64,
        pub shm_rss: u64,
        pub shm_swp: u64,
        pub swap_attempts: u64,
        pub swap_successes: u64,
    }

    #[repr(C)]
    /// `struct semid64_ds` (x86_64, 104 bytes).
    pub struct SemidDs {
        pub sem_perm: IpcPerm,
        pub sem_otime: i64,
        pub _unused1: u64,
        pub sem_ctime: i64,
        pub _unused2: u64,
        pub sem_nsems: u64,
        pub _unused3: u64,
        pub _unused4: u64,
    }

    #[repr(C)]
    /// `struct seminfo` (IPC_INFO/SEM_INFO, 40 bytes).
    pub struct SemInfo {
        pub semmap: i32,
        pub semmni: i32,
        pub semmns: i32,
        pub semmnu: i32,
        pub semmsl: i32,
        pub semopm: i32,
        pub semume: i32,
        pub semusz: i32,
        pub semvmx: i32,
        pub semaem: i32,
    }

    #[repr(C)]
    /// `struct sembuf` (6 bytes).
    pub struct Sembuf {
        pub sem_num: u16,
        pub sem_op: i16,
        pub sem_flg: i16,
    }

    #[repr(C)]
    /// `struct msqid64_ds` (120 bytes).
    pub struct MsqidDs {
        pub msg_perm: IpcPerm,
        pub msg_stime: i64,
        pub msg_rtime: i64,
        pub msg_ctime: i64,
        pub msg_cbytes: u64,
        pub msg_qnum: u64,
        pub msg_qbytes: u64,
        pub msg_lspid: i32,
        pub msg_lrpid: i32,
        pub _unused4: u64,
        pub _unused5: u64,
    }

    #[repr(C)]
    /// `struct msginfo` (IPC_INFO/MSG_INFO, 32 bytes).
    pub struct MsgInfo {
        pub msgpool: i32,
        pub msgmap: i32,
        pub msgmax: i32,
        pub msgmnb: i32,
        pub msgmni: i32,
        pub msgssz: i32,
        pub msgtql: i32,
        pub msgseg: u16,
        pub _pad: u16,
    }
}

const _: () = {
    use std::mem::{offset_of, size_of};
    assert!(size_of::<IpcPerm>() == 48);
    assert!(offset_of!(IpcPerm, seq) == 24);
    assert!(offset_of!(IpcPerm, _unused1) == 32);
    assert!(size_of::<ShmidDs>() == 112);
    assert!(offset_of!(ShmidDs, shm_cpid) == 80);
    assert!(offset_of!(ShmidDs, shm_nattch) == 88);
    assert!(size_of::<ShmInfo64>() == 72);
    assert!(size_of::<ShmInfo>() == 48);
    assert!(size_of::<SemidDs>() == 104);
    assert!(offset_of!(SemidDs, sem_nsems) == 80);
    assert!(size_of::<SemInfo>() == 40);
    assert!(size_of::<Sembuf>() == 6);
    assert!(size_of::<MsqidDs>() == 120);
    assert!(offset_of!(MsqidDs, msg_lspid) == 96);
    assert!(size_of::<MsgInfo>() == 32);
};

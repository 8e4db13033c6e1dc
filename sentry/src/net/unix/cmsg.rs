//! Control messages of sendmsg/recvmsg: SCM_RIGHTS and SCM_CREDENTIALS
//! (Linux's __scm_send, scm_check_creds, put_cmsg, scm_detach_fds).

use super::{Recv, Scm};
use crate::kernel::task::Task;
use crate::syscalls::caps::has_cap;
use syscalls::abi::{Cmsghdr, Ucred};
use syscalls::consts::{SCM_CREDENTIALS, SCM_MAX_FD, SCM_RIGHTS, SOL_SOCKET};
use syscalls::{Errno, Pod};

pub const CMSG_HDR: usize = std::mem::size_of::<Cmsghdr>();
const CAP_SETGID: u32 = 6;
const CAP_SETUID: u32 = 7;
const CAP_SYS_ADMIN: u32 = 21;
/// Credentials of a message that carried none, as a receiver with
/// SO_PASSCRED sees them (no pid, the overflow uid/gid).
pub const NOBODY: Ucred = Ucred {
    pid: 0,
    uid: 65534,
    gid: 65534,
};

fn align(n: usize) -> usize {
    (n + 7) & !7
}

/// Parse the control data of a sendmsg by `t`.
pub fn parse(t: &Task, ctl: &[u8]) -> Result<Scm, Errno> {
    let mut scm = Scm::default();
    let mut off = 0usize;
    while off + CMSG_HDR <= ctl.len() {
        let h = Cmsghdr::from_bytes(&ctl[off..off + CMSG_HDR]).ok_or(Errno::EINVAL)?;
        let len = usize::try_from(h.cmsg_len).map_err(|_| Errno::EINVAL)?;
        if len < CMSG_HDR || len > ctl.len() - off {
            return Err(Errno::EINVAL);
        }
        let data = &ctl[off + CMSG_HDR..off + len];
        if h.cmsg_level == SOL_SOCKET {
            match h.cmsg_type {
                SCM_RIGHTS => {
                    let r = scm.rights.get_or_insert_with(Vec::new);
                    let n = data.len() / 4;
                    if n == 0 || r.len() + n > SCM_MAX_FD {
                        return Err(Errno::EINVAL);
                    }
                    for c in data.chunks_exact(4) {
                        let fd = i32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                        r.push(t.fds.get(fd)?);
                    }
                }
                SCM_CREDENTIALS => {
                    if data.len() != 12 {
                        return Err(Errno::EINVAL);
                    }
                    let c = Ucred::from_bytes(data).ok_or(Errno::EINVAL)?;
                    check_creds(t, &c)?;
                    scm.cred = Some(c);
                }
                _ => return Err(Errno::EINVAL),
            }
        }
        off += align(len);
    }
    Ok(scm)
}

/// Linux's scm_check_creds: a task may only claim its own pid and ids
/// unless it is privileged.
fn check_creds(t: &Task, c: &Ucred) -> Result<(), Errno> {
    let cr = &t.creds;
    let pid_ok = c.pid == t.tgid || has_cap(t, CAP_SYS_ADMIN);
    let uid_ok = [cr.ruid, cr.euid, cr.suid].contains(&c.uid) || has_cap(t, CAP_SETUID);
    let gid_ok = [cr.rgid, cr.egid, cr.sgid].contains(&c.gid) || has_cap(t, CAP_SETGID);
    if pid_ok && uid_ok && gid_ok {
        Ok(())
    } else {
        Err(Errno::EPERM)
    }
}

/// The control data of a receive into `space` bytes: (bytes to copy out,
/// MSG_CTRUNC if something did not fit, fds installed). Files are installed
/// in `t` (close-on-exec with `cloexec`); credentials come first, as in
/// Linux's scm_recv.
pub fn build(
    t: &Task,
    r: &mut Recv,
    passcred: bool,
    space: usize,
    cloexec: bool,
) -> (Vec<u8>, bool, Vec<i32>) {
    let mut out = Vec::new();
    let mut trunc = false;
    let mut left = space;
    if passcred {
        let c = r.cred.unwrap_or(NOBODY);
        if left < CMSG_HDR {
            trunc = true;
        } else {
            let full = CMSG_HDR + 12;
            let cmlen = full.min(left);
            trunc |= cmlen < full;
            let h = Cmsghdr {
                cmsg_len: cmlen as u64,
                cmsg_level: SOL_SOCKET,
                cmsg_type: SCM_CREDENTIALS,
            };
            let mut m = h.as_bytes().to_vec();
            m.extend_from_slice(c.as_bytes());
            m.truncate(cmlen);
            let adv = align(full).min(left);
            m.resize(adv, 0);
            out.extend_from_slice(&m);
            left -= adv;
        }
    }
    let mut fds = Vec::new();
    if let Some(files) = r.rights.take() {
        let fdmax = if left > CMSG_HDR {
            ((left - CMSG_HDR) / 4).min(files.len())
        } else {
            0
        };
        let count = files.len();
        let nofile = crate::syscalls::file::nofile(t);
        for file in files.into_iter().take(fdmax) {
            match t.fds.install(file, cloexec, 0, nofile) {
                Ok(fd) => fds.push(fd),
                Err(_) => break,
            }
        }
        if !fds.is_empty() {
            let len = CMSG_HDR + 4 * fds.len();
            let h = Cmsghdr {
                cmsg_len: len as u64,
                cmsg_level: SOL_SOCKET,
                cmsg_type: SCM_RIGHTS,
            };
            let mut m = h.as_bytes().to_vec();
            for fd in &fds {
                m.extend_from_slice(&fd.to_le_bytes());
            }
            m.resize(align(len).min(left), 0);
            out.extend_from_slice(&m);
        }
        if fds.len() < count {
            trunc = true;
        }
    }
    (out, trunc, fds)
}

//! Naming and connection set-up: bind, listen, connect and accept
//! (Linux's unix_bind, unix_listen, unix_stream_connect, unix_accept).
//! File-system lookups and inode creation are the syscall layer's; these
//! take the registry key of the socket file.

use super::addr::{self, Addr, Key};
use super::stream::Pair;
use super::{wait_err, Conn, Core, Listener, RCV_SHUTDOWN};
use crate::kernel::wait::block_on;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;
use syscalls::abi::Ucred;
use syscalls::consts::SOCK_DGRAM;
use syscalls::Errno;

impl Core {
    /// Whether the socket has a name.
    pub fn bound(&self) -> bool {
        self.lock().addr.is_some()
    }

    /// Name the socket `addr`, registered under `key`: EINVAL if it has a
    /// name already, EADDRINUSE if a live socket has the key.
    pub fn bind(self: &Arc<Core>, key: Key, addr: Addr) -> Result<(), Errno> {
        let mut st = self.lock();
        if st.addr.is_some() || st.released {
            return Err(Errno::EINVAL);
        }
        addr::insert(key.clone(), self)?;
        st.addr = Some(addr);
        st.key = Some(key);
        Ok(())
    }

    /// bind(2) with only the family, and the implicit binds: a free
    /// abstract name (does nothing if the socket has a name).
    pub fn autobind(self: &Arc<Core>) -> Result<(), Errno> {
        let mut st = self.lock();
        if st.addr.is_some() {
            return Ok(());
        }
        let a = addr::autobind(self, self.kind)?;
        st.key = Some(Key::Abstract(a.0.clone(), self.kind));
        st.addr = Some(a);
        Ok(())
    }

    /// listen(2) by a task with credentials `cred`.
    pub fn listen(&self, backlog: i32, cred: Ucred) -> Result<(), Errno> {
        if self.kind == SOCK_DGRAM {
            return Err(Errno::EOPNOTSUPP);
        }
        let somaxconn = super::qlimits().1;
        let backlog = if backlog < 0 || backlog as usize > somaxconn {
            somaxconn
        } else {
            backlog as usize
        };
        let mut st = self.lock();
        if st.addr.is_none() {
            return Err(Errno::EINVAL);
        }
        match &mut st.conn {
            Conn::None => {
                st.conn = Conn::Listening(Listener {
                    backlog,
                    pending: Default::default(),
                });
            }
            Conn::Listening(l) => l.backlog = backlog,
            _ => return Err(Errno::EINVAL),
        }
        st.peer_cred = Some(cred);
        drop(st);
        // A larger backlog may let waiting connects in.
        self.wq.notify_all();
        Ok(())
    }

    /// connect(2) of a stream/seqpacket socket to the socket `other` found
    /// at the address, by a task with credentials `cred`.
    pub fn connect_stream(
        self: &Arc<Core>,
        other: &Arc<Core>,
        cred: Ucred,
        nonblock: bool,
        deadline: Option<Instant>,
    ) -> Result<(), Errno> {
        if self.opts.passcred.load(Ordering::Relaxed) {
            self.autobind()?;
        }
        if Arc::ptr_eq(self, other) {
            return Err(match self.lock().conn {
                Conn::Listening(_) => Errno::EINVAL,
                Conn::Connected(..) => Errno::EISCONN,
                _ => Errno::ECONNREFUSED,
            });
        }
        let r = block_on(&[&other.wq], deadline, || {
            let mut os = other.lock();
            let shut = os.shutdown & RCV_SHUTDOWN != 0;
            let listener_addr = os.addr.clone();
            let listener_cred = os.peer_cred;
            let Conn::Listening(l) = &mut os.conn else {
                return Some(Err(Errno::ECONNREFUSED));
            };
            if shut {
                return Some(Err(Errno::ECONNREFUSED));
            }
            if l.pending.len() > l.backlog {
                return nonblock.then_some(Err(Errno::EAGAIN));
            }
            let mut me = self.lock();
            match me.conn {
                Conn::None => {}
                Conn::Connected(..) => return Some(Err(Errno::EISCONN)),
                _ => return Some(Err(Errno::EINVAL)),
            }
            let embryo = Core::new(self.kind);
            // The accepted socket inherits SO_PASSCRED (unix_sock_inherit_flags).
            let pc = other.opts.passcred.load(Ordering::Relaxed);
            embryo.opts.passcred.store(pc, Ordering::Relaxed);
            let pair = Pair::new(
                self.kind,
                [self.wq.clone(), embryo.wq.clone()],
                [self.opts.clone(), embryo.opts.clone()],
            );
            {
                let mut es = embryo.lock();
                es.conn = Conn::Connected(pair.clone(), 1);
                es.addr = listener_addr.clone();
                es.peer_addr = me.addr.clone();
                es.peer_cred = Some(cred);
            }
            me.conn = Conn::Connected(pair, 0);
            me.peer_addr = listener_addr;
            me.peer_cred = listener_cred;
            l.pending.push_back(embryo);
            Some(Ok(()))
        });
        match r {
            Ok(Ok(())) => {
                other.wq.notify_all();
                self.wq.notify_all();
                Ok(())
            }
            Ok(Err(e)) => Err(e),
            Err(e) => Err(wait_err(e, deadline.is_some())),
        }
    }

    /// accept(2): the next connection.
    pub fn accept(&self, nonblock: bool) -> Result<Arc<Core>, Errno> {
        if self.kind == SOCK_DGRAM {
            return Err(Errno::EOPNOTSUPP);
        }
        let deadline = self.deadline(false);
        let r = block_on(&[&self.wq], deadline, || {
            let mut st = self.lock();
            let Conn::Listening(l) = &mut st.conn else {
                return Some(Err(Errno::EINVAL));
            };
            if let Some(c) = l.pending.pop_front() {
                return Some(Ok(c));
            }
            nonblock.then_some(Err(Errno::EAGAIN))
        });
        match r {
            Ok(Ok(c)) => {
                // Room in the backlog for a waiting connect.
                self.wq.notify_all();
                Ok(c)
            }
            Ok(Err(e)) => Err(e),
            Err(e) => Err(wait_err(e, deadline.is_some())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::unix::stream::SendArgs;
    use crate::net::unix::{Scm, NO_CRED};
    use syscalls::consts::{SOCK_SEQPACKET, SOCK_STREAM};

    fn args() -> SendArgs {
        SendArgs {
            scm: Scm::default(),
            own: NO_CRED,
            flags: 0,
            nonblock: true,
            deadline: None,
        }
    }

    fn named(kind: i32, name: &[u8]) -> Arc<Core> {
        let c = Core::new(kind);
        let mut raw = vec![1u8, 0, 0];
        raw.extend_from_slice(name);
        let a = Addr(raw);
        c.bind(Key::Abstract(a.0.clone(), kind), a)
            .map_err(|e| e as i32)
            .unwrap();
        c
    }

    #[test]
    fn backlog_connect_accept_and_data() {
        let l = named(SOCK_STREAM, b"conn-test-backlog");
        assert_eq!(l.listen(0, NO_CRED), Ok(()));
        let c1 = Core::new(SOCK_STREAM);
        let c2 = Core::new(SOCK_STREAM);
        assert_eq!(c1.connect_stream(&l, NO_CRED, true, None), Ok(()));
        // backlog 0 lets one connection wait.
        assert_eq!(
            c2.connect_stream(&l, NO_CRED, true, None),
            Err(Errno::EAGAIN)
        );
        let s = l.accept(true).map_err(|e| e as i32).unwrap();
        // With room in the backlog, the own state is checked (as Linux).
        assert_eq!(
            c1.connect_stream(&l, NO_CRED, true, None),
            Err(Errno::EISCONN)
        );
        assert_eq!(l.accept(true).err(), Some(Errno::EAGAIN));
        assert_eq!(c1.send(None, b"hello", args()), Ok(5));
        let mut buf = [0u8; 8];
        let r = s.recv(&mut buf, 0, true).map_err(|e| e as i32).unwrap();
        assert_eq!(&buf[..r.n], b"hello");
        assert_eq!(s.name(), l.name());
        // Closing the listener resets a waiting connection.
        assert_eq!(c2.connect_stream(&l, NO_CRED, true, None), Ok(()));
        l.release(false);
        assert_eq!(c2.recv(&mut buf, 0, true).err(), Some(Errno::ECONNRESET));
        let key = Key::Abstract(b"\x01\0\0conn-test-backlog".to_vec(), SOCK_STREAM);
        assert!(addr::find(&key).is_none());
    }

    #[test]
    fn names_are_per_type_and_freed() {
        let a = named(SOCK_SEQPACKET, b"conn-test-names");
        let b = Core::new(SOCK_SEQPACKET);
        let mut raw = vec![1u8, 0, 0];
        raw.extend_from_slice(b"conn-test-names");
        let key = Key::Abstract(raw.clone(), SOCK_SEQPACKET);
        assert_eq!(
            b.bind(key.clone(), Addr(raw.clone())),
            Err(Errno::EADDRINUSE)
        );
        a.release(false);
        assert_eq!(b.bind(key, Addr(raw)), Ok(()));
        assert_eq!(
            b.bind(Key::Inode(1, 2), Addr(vec![1, 0, b'x', 0])),
            Err(Errno::EINVAL)
        );
    }

    #[test]
    fn dgram_refused_after_peer_close_then_not_connected() {
        let r = named(SOCK_DGRAM, b"conn-test-dgram");
        let s = Core::new(SOCK_DGRAM);
        assert_eq!(
            crate::net::unix::dgram::connect(&s, Some(r.clone())),
            Ok(())
        );
        assert_eq!(s.send(None, b"x", args()), Ok(1));
        let mut buf = [0u8; 4];
        let got = r.recv(&mut buf, syscalls::consts::MSG_PEEK, true);
        assert_eq!(got.map(|g| (g.n, g.len)), Ok((1, 1)));
        r.release(false);
        assert_eq!(s.send(None, b"x", args()), Err(Errno::ECONNREFUSED));
        assert_eq!(s.send(None, b"x", args()), Err(Errno::ENOTCONN));
    }
}

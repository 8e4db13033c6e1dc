//! AF_UNIX addresses: parsing `struct sockaddr_un` as Linux's
//! unix_validate_addr/unix_mkname_bsd do, the abstract namespace (one table
//! per sandbox, names freed when their socket closes), the registry of
//! sockets bound to file-system paths (keyed by the socket inode's
//! `(st_dev, st_ino)`, so it works on every file system), and autobind.

use super::Core;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use syscalls::consts::{AF_UNIX, UNIX_PATH_MAX};
use syscalls::Errno;

/// `offsetof(struct sockaddr_un, sun_path)`.
pub const SUN_PATH_OFF: usize = 2;
/// `sizeof(struct sockaddr_un)`.
pub const SOCKADDR_UN: usize = SUN_PATH_OFF + UNIX_PATH_MAX;

/// A socket's name as getsockname(2) returns it: the whole sockaddr
/// (family, then `sun_path` bytes), whose length is the address length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addr(pub Vec<u8>);

impl Addr {
    /// An address made of `sun_path` bytes.
    fn new(path: &[u8]) -> Addr {
        let mut v = (AF_UNIX as u16).to_le_bytes().to_vec();
        v.extend_from_slice(path);
        Addr(v)
    }

    /// The `sun_path` bytes.
    pub fn path(&self) -> &[u8] {
        &self.0[SUN_PATH_OFF.min(self.0.len())..]
    }

    /// How /proc/net/unix shows the name: `@` for the leading NUL of
    /// abstract names, the path without its NUL otherwise.
    pub fn display(&self) -> String {
        let p = self.path();
        match p.first() {
            Some(0) => {
                let mut s = String::from("@");
                s.push_str(&String::from_utf8_lossy(&p[1..]).replace('\0', "@"));
                s
            }
            _ => String::from_utf8_lossy(p.split(|b| *b == 0).next().unwrap_or(&[])).into_owned(),
        }
    }
}

/// What a sockaddr given to bind/connect/sendto names.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// A file-system path (without the terminating NUL) and the address
    /// Linux stores for it (`strlen + 3` bytes).
    Path(Vec<u8>, Addr),
    /// An abstract name (the whole address, leading NUL included).
    Abstract(Addr),
}

/// Linux's unix_validate_addr + unix_mkname_bsd on the `len` bytes the
/// caller copied in (`raw` holds at least `len` bytes).
pub fn parse(raw: &[u8]) -> Result<Target, Errno> {
    let len = raw.len();
    if len <= SUN_PATH_OFF || len > SOCKADDR_UN {
        return Err(Errno::EINVAL);
    }
    if i32::from(u16::from_le_bytes([raw[0], raw[1]])) != AF_UNIX {
        return Err(Errno::EINVAL);
    }
    let path = &raw[SUN_PATH_OFF..];
    if path[0] == 0 {
        return Ok(Target::Abstract(Addr(raw.to_vec())));
    }
    let end = path.iter().position(|b| *b == 0).unwrap_or(path.len());
    let name = path[..end].to_vec();
    let mut stored = name.clone();
    stored.push(0);
    Ok(Target::Path(name, Addr::new(&stored)))
}

/// What the registries point to: a socket that may be the end of a
/// connect or sendto.
type Entry = Weak<Core>;

/// A registry key: `(st_dev, st_ino)` of a socket file, or an abstract
/// name with the socket type (Linux hashes abstract names per type).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Inode(u64, u64),
    Abstract(Vec<u8>, i32),
}

fn table() -> MutexGuard<'static, HashMap<Key, Entry>> {
    static T: OnceLock<Mutex<HashMap<Key, Entry>>> = OnceLock::new();
    T.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// The live socket registered under `key`.
pub fn find(key: &Key) -> Option<Arc<Core>> {
    table().get(key).and_then(Weak::upgrade)
}

/// Register `core` under `key`: EADDRINUSE if a live socket has an
/// abstract name. An inode key was just created by bind's mknod, so a live
/// entry for it is a socket whose file was deleted and whose inode number
/// the file system reused: the new socket replaces it.
pub fn insert(key: Key, core: &Arc<Core>) -> Result<(), Errno> {
    let mut t = table();
    let inode = matches!(key, Key::Inode(..));
    if !inode && t.get(&key).and_then(Weak::upgrade).is_some() {
        return Err(Errno::EADDRINUSE);
    }
    t.insert(key, Arc::downgrade(core));
    Ok(())
}

/// Forget `key` if it still names `core`.
pub fn remove(key: &Key, core: &Core) {
    let mut t = table();
    if t.get(key)
        .is_some_and(|w| std::ptr::eq(w.as_ptr(), core as *const Core) || w.strong_count() == 0)
    {
        t.remove(key);
    }
}

/// Linux's unix_autobind: a free abstract name of five hex digits
/// (`"\0XXXXX"`, address length 8) registered for `core`.
pub fn autobind(core: &Arc<Core>, kind: i32) -> Result<Addr, Errno> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    for _ in 0..0x10_0000 {
        let n = NEXT.fetch_add(1, Ordering::Relaxed) & 0xf_ffff;
        let mut path = vec![0u8];
        path.extend_from_slice(format!("{n:05x}").as_bytes());
        let addr = Addr::new(&path);
        if insert(Key::Abstract(addr.0.clone(), kind), core).is_ok() {
            return Ok(addr);
        }
    }
    Err(Errno::ENOSPC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(path: &[u8]) -> Vec<u8> {
        let mut v = vec![1, 0];
        v.extend_from_slice(path);
        v
    }

    #[test]
    fn path_lengths_follow_strlen() {
        let Ok(Target::Path(p, a)) = parse(&sa(b"/tmp/x\0garbage")) else {
            panic!("not a path");
        };
        assert_eq!(p, b"/tmp/x");
        assert_eq!(a.0.len(), 2 + 6 + 1);
        assert_eq!(a.display(), "/tmp/x");
    }

    #[test]
    fn abstract_keeps_all_bytes() {
        let Ok(Target::Abstract(a)) = parse(&sa(b"\0ab\0c")) else {
            panic!("not abstract");
        };
        assert_eq!(a.0.len(), 7);
        assert_eq!(a.display(), "@ab@c");
    }

    #[test]
    fn bad_lengths_and_family() {
        assert_eq!(parse(&[1, 0]), Err(Errno::EINVAL));
        assert_eq!(parse(&sa(&[b'a'; 109])), Err(Errno::EINVAL));
        assert_eq!(parse(&[2, 0, b'a']), Err(Errno::EINVAL));
    }
}

//! Pipes: a bounded byte buffer in the sentry shared by a read end and a
//! write end. Anonymous pipes come from pipe(2); named FIFOs (fifo(7)) are
//! the same buffer found through the FIFO's inode, so every open of one
//! file system object shares it while any end is open — on any file system,
//! the gofer's too (a FIFO on a volume is a sandbox-internal pipe; the host
//! FIFO is never opened).
//!
//! Blocking reads and writes sleep on the pipe's wait queue through the
//! kernel's wait primitive, so signals interrupt them (ERESTARTSYS: restarted
//! after an SA_RESTART handler, EINTR otherwise). Writing with no reader
//! raises SIGPIPE.

use super::synth::{SynthFs, ST_VALID};
use crate::kernel::task::Task;
use crate::kernel::wait::{block_on, WaitQueue};
use crate::vfs::file::pollev::{POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::vfs::{File, FileOps, Inode};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use syscalls::abi::{Stat, Statfs};
use syscalls::consts::{
    FIONREAD, O_ACCMODE, O_DIRECT, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, S_IFIFO,
};
use syscalls::{Errno, Pod};

pub const PIPEFS_MAGIC: i64 = 0x5049_5045;
/// Default capacity (16 pages, as Linux).
pub const PIPE_SIZE: usize = 16 * 4096;
/// Writes up to this size are atomic.
pub const PIPE_BUF: usize = 4096;

struct State {
    buf: VecDeque<u8>,
    /// The data as written: (length, packet). Packets (writes through an
    /// O_DIRECT write end) are read one per read(2), the excess discarded.
    segs: VecDeque<(usize, bool)>,
    capacity: usize,
    readers: usize,
    writers: usize,
    /// Opens of the read and write side so far (Linux's r_counter and
    /// w_counter): a FIFO opener waits for the other side's count to move.
    read_opens: u64,
    write_opens: u64,
}

impl State {
    fn push(&mut self, data: &[u8], packet: bool) {
        self.buf.extend(data);
        match self.segs.back_mut() {
            Some((l, false)) if !packet => *l += data.len(),
            _ => self.segs.push_back((data.len(), packet)),
        }
    }

    /// Read into `out`: bytes of ordinary writes, up to and including one
    /// packet (whose unread rest is dropped).
    fn pop(&mut self, out: &mut [u8]) -> usize {
        let mut done = 0;
        while done < out.len() {
            let Some((len, packet)) = self.segs.front().copied() else {
                break;
            };
            let n = len.min(out.len() - done);
            for (d, b) in out[done..done + n].iter_mut().zip(self.buf.drain(..n)) {
                *d = b;
            }
            done += n;
            if packet {
                self.buf.drain(..len - n);
                self.segs.pop_front();
                break;
            }
            if n == len {
                self.segs.pop_front();
            } else if let Some(f) = self.segs.front_mut() {
                f.0 -= n;
            }
        }
        done
    }
}

/// Linux's /proc/sys/fs/pipe-max-size default: the most an unprivileged
/// F_SETPIPE_SZ may ask for.
const PIPE_MAX_SIZE: u64 = 1 << 20;

pub struct Pipe {
    state: Mutex<State>,
    /// Readers and writers waiting for a change.
    queue: WaitQueue,
    stat: Stat,
}

/// The pipefs instance all pipes belong to (device number, inode numbers).
fn pipefs() -> &'static Arc<SynthFs> {
    static FS: OnceLock<Arc<SynthFs>> = OnceLock::new();
    FS.get_or_init(|| SynthFs::new(PIPEFS_MAGIC, false))
}

impl Pipe {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One end of a pipe; a FIFO opened O_RDWR is both.
pub struct PipeEnd {
    pipe: Arc<Pipe>,
    read: bool,
    write: bool,
    /// A named FIFO's inode (fstat reports it); None for pipe(2).
    inode: Option<Arc<dyn Inode>>,
    /// The pipe's write_opens when this end was opened: a read end reports
    /// POLLHUP only once a writer has come since (Linux's f_version check,
    /// which keeps a FIFO reader opened with O_NONBLOCK from hanging up
    /// before any writer appeared).
    writes_seen: u64,
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let mut s = self.pipe.lock();
        if self.read {
            s.readers -= 1;
        }
        if self.write {
            s.writers -= 1;
        }
        drop(s);
        self.pipe.queue.notify_all();
    }
}

fn new_state(readers: usize, writers: usize) -> State {
    State {
        buf: VecDeque::new(),
        segs: VecDeque::new(),
        capacity: PIPE_SIZE,
        readers,
        writers,
        read_opens: readers as u64,
        write_opens: writers as u64,
    }
}

/// The pipes of the named FIFOs some end has open, by (st_dev, st_ino).
type FifoMap = HashMap<(u64, u64), Weak<Pipe>>;

fn fifos() -> MutexGuard<'static, FifoMap> {
    static FIFOS: OnceLock<Mutex<FifoMap>> = OnceLock::new();
    FIFOS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// The pipe of the FIFO `stat` describes: the one its open ends share, or a
/// new empty one when none is open (Linux frees a FIFO's buffer, data and
/// all, when its last end closes).
fn fifo_pipe(stat: &Stat) -> Arc<Pipe> {
    let key = (stat.st_dev, stat.st_ino);
    let mut map = fifos();
    if let Some(p) = map.get(&key).and_then(Weak::upgrade) {
        return p;
    }
    let pipe = Arc::new(Pipe {
        state: Mutex::new(new_state(0, 0)),
        queue: WaitQueue::default(),
        stat: *stat,
    });
    if map.len() >= 64 {
        map.retain(|_, w| w.strong_count() > 0);
    }
    map.insert(key, Arc::downgrade(&pipe));
    pipe
}

/// open(2) of a named FIFO (Linux's fifo_open): O_RDONLY waits for a writer
/// unless O_NONBLOCK; O_WRONLY waits for a reader, or fails with ENXIO under
/// O_NONBLOCK when there is none; O_RDWR never waits. A signal interrupts
/// the wait (restarted after an SA_RESTART handler).
pub fn open_fifo(inode: Arc<dyn Inode>, flags: u32) -> Result<Box<dyn FileOps>, Errno> {
    let (read, write) = match flags & O_ACCMODE {
        O_RDONLY => (true, false),
        O_WRONLY => (false, true),
        O_RDWR => (true, true),
        _ => return Err(Errno::EINVAL),
    };
    let nonblock = flags & O_NONBLOCK != 0;
    let pipe = fifo_pipe(&inode.stat()?);
    let mut s = pipe.lock();
    if write && !read && nonblock && s.readers == 0 {
        return Err(Errno::ENXIO);
    }
    // What the opener waits for: the other side's open count to move.
    let wait_for = match (read, write) {
        (true, false) if s.writers == 0 && !nonblock => Some((false, s.write_opens)),
        (false, true) if s.readers == 0 => Some((true, s.read_opens)),
        _ => None,
    };
    if read {
        s.readers += 1;
        s.read_opens += 1;
    }
    if write {
        s.writers += 1;
        s.write_opens += 1;
    }
    let writes_seen = if read && s.writers == 0 {
        s.write_opens
    } else {
        0
    };
    drop(s);
    pipe.queue.notify_all();
    // From here on, dropping the end undoes the open.
    let end = PipeEnd {
        pipe,
        read,
        write,
        inode: Some(inode),
        writes_seen,
    };
    if let Some((readers, seen)) = wait_for {
        block_on(&[&end.pipe.queue], None, || {
            let s = end.pipe.lock();
            let now = if readers { s.read_opens } else { s.write_opens };
            (now != seen).then_some(())
        })
        .map_err(|e| e.restartsys())?;
    }
    Ok(Box::new(end))
}

/// A new pipe: (read end, write end), with O_NONBLOCK from `flags`.
pub fn new_pipe(t: &Task, flags: u32) -> (Arc<File>, Arc<File>) {
    let fs = pipefs();
    let mut stat = fs.stat(fs.ino(), S_IFIFO | 0o600, 1, 0, 0);
    stat.st_uid = t.creds.euid;
    stat.st_gid = t.creds.egid;
    let pipe = Arc::new(Pipe {
        state: Mutex::new(new_state(1, 1)),
        queue: WaitQueue::default(),
        stat,
    });
    let nb = flags & (O_NONBLOCK | O_DIRECT);
    let r = File::new(
        Box::new(PipeEnd {
            pipe: pipe.clone(),
            read: true,
            write: false,
            inode: None,
            writes_seen: 0,
        }),
        O_RDONLY | nb,
        None,
    );
    let w = PipeEnd {
        pipe,
        read: false,
        write: true,
        inode: None,
        writes_seen: 0,
    };
    let w = File::new(Box::new(w), O_WRONLY | nb, None);
    (r, w)
}

/// What splice(2), tee(2) and vmsplice(2) need of a pipe beyond read/write.
impl PipeEnd {
    /// Whether this is the write end.
    pub fn is_write_end(&self) -> bool {
        self.write
    }

    /// Whether both ends belong to the same pipe.
    pub fn same_pipe(&self, other: &PipeEnd) -> bool {
        Arc::ptr_eq(&self.pipe, &other.pipe)
    }

    /// Wait until the pipe holds data (true) or has neither data nor
    /// writers (false).
    pub fn wait_data(&self, nonblock: bool) -> Result<bool, Errno> {
        block_on(&[&self.pipe.queue], None, || {
            let s = self.pipe.lock();
            if !s.buf.is_empty() {
                return Some(Ok(true));
            }
            if s.writers == 0 {
                return Some(Ok(false));
            }
            nonblock.then_some(Err(Errno::EAGAIN))
        })
        .unwrap_or_else(|e| Err(e.restartsys()))
    }

    /// Wait until the pipe has room; returns how much.
    pub fn wait_room(&self, nonblock: bool) -> Result<usize, Errno> {
        let r = block_on(&[&self.pipe.queue], None, || {
            let s = self.pipe.lock();
            if s.readers == 0 {
                return Some(Err(Errno::EPIPE));
            }
            let room = s.capacity.saturating_sub(s.buf.len());
            if room > 0 {
                return Some(Ok(room));
            }
            nonblock.then_some(Err(Errno::EAGAIN))
        })
        .unwrap_or_else(|e| Err(e.restartsys()));
        if r == Err(Errno::EPIPE) {
            sigpipe();
        }
        r
    }

    /// Copy the first bytes of the pipe without consuming them.
    pub fn peek(&self, out: &mut [u8]) -> usize {
        let s = self.pipe.lock();
        let n = out.len().min(s.buf.len());
        for (d, b) in out[..n].iter_mut().zip(s.buf.iter()) {
            *d = *b;
        }
        n
    }

    /// Drop the first `n` bytes (after a [`PipeEnd::peek`]).
    pub fn consume(&self, n: usize) {
        let mut scratch = vec![0u8; n];
        let mut s = self.pipe.lock();
        let mut done = 0;
        while done < n {
            let got = s.pop(&mut scratch[done..]);
            if got == 0 {
                break;
            }
            done += got;
        }
        drop(s);
        self.pipe.queue.notify_all();
    }

    /// Write `buf` into the pipe (the write end's semantics: PIPE_BUF
    /// atomicity, blocking unless `nonblock`, EPIPE and SIGPIPE without
    /// readers).
    pub fn write_data(&self, buf: &[u8], nonblock: bool, packet: bool) -> Result<usize, Errno> {
        let q = &self.pipe.queue;
        let mut done = 0;
        let r = block_on(&[q], None, || {
            let mut s = self.pipe.lock();
            loop {
                if s.readers == 0 {
                    return Some(Err(Errno::EPIPE));
                }
                if done == buf.len() {
                    return Some(Ok(()));
                }
                let room = s.capacity.saturating_sub(s.buf.len());
                let rest = buf.len() - done;
                // Writes of at most PIPE_BUF bytes are never split.
                let fits = if rest <= PIPE_BUF {
                    room >= rest
                } else {
                    room > 0
                };
                if !fits {
                    return nonblock.then_some(Err(Errno::EAGAIN));
                }
                // Packets are at most PIPE_BUF bytes each.
                let n = if packet {
                    rest.min(room).min(PIPE_BUF)
                } else {
                    rest.min(room)
                };
                s.push(&buf[done..done + n], packet);
                done += n;
                q.notify_all();
            }
        });
        match r {
            Ok(Ok(())) => Ok(done),
            Ok(Err(Errno::EPIPE)) => {
                sigpipe();
                if done > 0 {
                    Ok(done)
                } else {
                    Err(Errno::EPIPE)
                }
            }
            Ok(Err(e)) => {
                if done > 0 {
                    Ok(done)
                } else {
                    Err(e)
                }
            }
            Err(e) => {
                if done > 0 {
                    Ok(done)
                } else {
                    Err(e.restartsys())
                }
            }
        }
    }
}

/// Raise SIGPIPE for the current task (a write found no reader).
fn sigpipe() {
    if let Some(me) = crate::kernel::wait::current() {
        let info = syscalls::abi::Siginfo::kill(libc::SIGPIPE, 0, me.tgid, 0);
        me.send(libc::SIGPIPE, info);
    }
}

impl FileOps for PipeEnd {
    fn read(&self, file: &File, buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        self.read_cur(file, buf)
    }
    fn write(&self, file: &File, buf: &[u8], _off: u64) -> Result<usize, Errno> {
        self.write_cur(file, buf)
    }
    fn read_cur(&self, file: &File, buf: &mut [u8]) -> Result<usize, Errno> {
        if !self.read {
            return Err(Errno::EBADF);
        }
        let nonblock = file.flags() & O_NONBLOCK != 0;
        let q = &self.pipe.queue;
        block_on(&[q], None, || {
            let mut s = self.pipe.lock();
            if !s.buf.is_empty() {
                let n = s.pop(buf);
                drop(s);
                q.notify_all();
                return Some(Ok(n));
            }
            if s.writers == 0 {
                return Some(Ok(0));
            }
            if nonblock {
                return Some(Err(Errno::EAGAIN));
            }
            None
        })
        .unwrap_or_else(|e| Err(e.restartsys()))
    }
    fn write_cur(&self, file: &File, buf: &[u8]) -> Result<usize, Errno> {
        if !self.write {
            return Err(Errno::EBADF);
        }
        let nonblock = file.flags() & O_NONBLOCK != 0;
        let packet = file.flags() & O_DIRECT != 0;
        self.write_data(buf, nonblock, packet)
    }
    fn stat(&self) -> Result<Stat, Errno> {
        match &self.inode {
            Some(i) => i.stat(),
            None => Ok(self.pipe.stat),
        }
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn ioctl(&self, _file: &File, t: &mut Task, cmd: u64, arg: u64) -> Result<u64, Errno> {
        if cmd as u32 != FIONREAD {
            return Err(Errno::ENOTTY);
        }
        let n = self.pipe.lock().buf.len() as i32;
        t.mm.write_obj(arg, &n)?;
        Ok(0)
    }
    fn size(&self) -> Result<u64, Errno> {
        Ok(0)
    }
    fn pipe_size(&self) -> Result<usize, Errno> {
        Ok(self.pipe.lock().capacity)
    }
    /// Linux's pipe_set_size: a page at least, a power of two; more than
    /// pipe-max-size needs CAP_SYS_RESOURCE, which the sandbox does not
    /// grant (EPERM, as for root on these hosts); never below the data held
    /// (EBUSY).
    fn set_pipe_size(&self, size: u64, _privileged: bool) -> Result<usize, Errno> {
        if size > 1 << 31 {
            return Err(Errno::EINVAL);
        }
        let want = size.max(4096).next_power_of_two();
        if want > PIPE_MAX_SIZE {
            return Err(Errno::EPERM);
        }
        let mut s = self.pipe.lock();
        if (want as usize) < s.buf.len() {
            return Err(Errno::EBUSY);
        }
        s.capacity = want as usize;
        drop(s);
        self.pipe.queue.notify_all();
        Ok(want as usize)
    }
    /// Linux's pipe_poll: the read end is readable with data and hangs up
    /// without writers; the write end is writable with room for an atomic
    /// write (PIPE_BUF) and in error without readers.
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        let s = self.pipe.lock();
        let mut mask = 0;
        if self.write {
            if s.capacity.saturating_sub(s.buf.len()) >= PIPE_BUF {
                mask |= POLLOUT | POLLWRNORM;
            }
            if s.readers == 0 {
                mask |= POLLERR;
            }
        }
        if self.read {
            if !s.buf.is_empty() {
                mask |= POLLIN | POLLRDNORM;
            }
            if s.writers == 0 && s.write_opens != self.writes_seen {
                mask |= POLLHUP;
            }
        }
        (mask, Some(&self.pipe.queue))
    }
    fn statfs(&self, _file: &File) -> Result<Statfs, Errno> {
        let mut s = Statfs::zeroed();
        s.f_type = PIPEFS_MAGIC;
        s.f_bsize = 4096;
        s.f_namelen = 255;
        s.f_frsize = 4096;
        s.f_flags = ST_VALID;
        Ok(s)
    }
}

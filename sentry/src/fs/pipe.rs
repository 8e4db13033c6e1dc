//! Anonymous pipes: a bounded byte buffer in the sentry shared by a read
//! end and a write end.
//!
//! Blocking reads and writes wait on a condition variable. (When the
//! kernel's interruptible wait primitive exists, these waits move onto it
//! so signals can interrupt them.)

use super::synth::{SynthFs, ST_VALID};
use crate::kernel::task::Task;
use crate::vfs::{File, FileOps};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use syscalls::abi::{Stat, Statfs};
use syscalls::consts::{FIONREAD, O_NONBLOCK, O_RDONLY, O_WRONLY, S_IFIFO};
use syscalls::{Errno, Pod};

pub const PIPEFS_MAGIC: i64 = 0x5049_5045;
/// Default capacity (16 pages, as Linux).
pub const PIPE_SIZE: usize = 16 * 4096;
/// Writes up to this size are atomic.
pub const PIPE_BUF: usize = 4096;

struct State {
    buf: VecDeque<u8>,
    readers: usize,
    writers: usize,
}

pub struct Pipe {
    state: Mutex<State>,
    cond: Condvar,
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

    fn wait<'a>(&self, g: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.cond.wait(g).unwrap_or_else(|p| p.into_inner())
    }
}

/// One end of a pipe.
pub struct PipeEnd {
    pipe: Arc<Pipe>,
    write: bool,
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let mut s = self.pipe.lock();
        if self.write {
            s.writers -= 1;
        } else {
            s.readers -= 1;
        }
        drop(s);
        self.pipe.cond.notify_all();
    }
}

/// A new pipe: (read end, write end), with O_NONBLOCK from `flags`.
pub fn new_pipe(t: &Task, flags: u32) -> (Arc<File>, Arc<File>) {
    let fs = pipefs();
    let mut stat = fs.stat(fs.ino(), S_IFIFO | 0o600, 1, 0, 0);
    stat.st_uid = t.creds.euid;
    stat.st_gid = t.creds.egid;
    let pipe = Arc::new(Pipe {
        state: Mutex::new(State {
            buf: VecDeque::new(),
            readers: 1,
            writers: 1,
        }),
        cond: Condvar::new(),
        stat,
    });
    let nb = flags & O_NONBLOCK;
    let r = File::new(
        Box::new(PipeEnd {
            pipe: pipe.clone(),
            write: false,
        }),
        O_RDONLY | nb,
        None,
    );
    let w = File::new(Box::new(PipeEnd { pipe, write: true }), O_WRONLY | nb, None);
    (r, w)
}

impl FileOps for PipeEnd {
    fn read(&self, file: &File, buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        self.read_cur(file, buf)
    }
    fn write(&self, file: &File, buf: &[u8], _off: u64) -> Result<usize, Errno> {
        self.write_cur(file, buf)
    }
    fn read_cur(&self, file: &File, buf: &mut [u8]) -> Result<usize, Errno> {
        if self.write {
            return Err(Errno::EBADF);
        }
        let mut s = self.pipe.lock();
        loop {
            if !s.buf.is_empty() {
                let n = buf.len().min(s.buf.len());
                for (d, b) in buf.iter_mut().zip(s.buf.drain(..n)) {
                    *d = b;
                }
                drop(s);
                self.pipe.cond.notify_all();
                return Ok(n);
            }
            if s.writers == 0 {
                return Ok(0);
            }
            if file.flags() & O_NONBLOCK != 0 {
                return Err(Errno::EAGAIN);
            }
            s = self.pipe.wait(s);
        }
    }
    fn write_cur(&self, file: &File, buf: &[u8]) -> Result<usize, Errno> {
        if !self.write {
            return Err(Errno::EBADF);
        }
        let nonblock = file.flags() & O_NONBLOCK != 0;
        let mut s = self.pipe.lock();
        let mut done = 0;
        while done < buf.len() {
            if s.readers == 0 {
                // SIGPIPE comes with signal delivery.
                return if done > 0 {
                    Ok(done)
                } else {
                    Err(Errno::EPIPE)
                };
            }
            let room = PIPE_SIZE - s.buf.len();
            let rest = buf.len() - done;
            // Writes of at most PIPE_BUF bytes are never split.
            let fits = if rest <= PIPE_BUF {
                room >= rest
            } else {
                room > 0
            };
            if fits {
                let n = rest.min(room);
                s.buf.extend(&buf[done..done + n]);
                done += n;
                self.pipe.cond.notify_all();
                continue;
            }
            if nonblock {
                return if done > 0 {
                    Ok(done)
                } else {
                    Err(Errno::EAGAIN)
                };
            }
            s = self.pipe.wait(s);
        }
        Ok(done)
    }
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.pipe.stat)
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

//! tmpfs file data: reads, writes, size changes, SEEK_DATA/SEEK_HOLE,
//! fallocate, and the open file operations.

use super::{Meta, TmpInode, TmpfsError, MAX_FILE_SIZE};
use crate::mm::memfile::PAGE;
use crate::mm::object::MemObject;
use crate::vfs::{File, FileOps, Inode, MmapSource, Time};
use std::sync::Arc;
use syscalls::abi::Stat;
use syscalls::consts::{
    F_SEAL_FUTURE_WRITE, F_SEAL_GROW, F_SEAL_SHRINK, F_SEAL_WRITE, O_APPEND, SEEK_DATA, SEEK_HOLE,
};
use syscalls::Errno;

impl TmpInode {
    /// Read file data at `off`.
    pub fn read_at(&self, buf: &mut [u8], off: u64) -> Result<usize, TmpfsError> {
        let obj = self.obj()?;
        let size = self.meta().size;
        if off >= size {
            return Ok(0);
        }
        let n = (buf.len() as u64).min(size - off) as usize;
        let mut done = 0usize;
        while done < n {
            let pos = off + done as u64;
            let (idx, po) = (pos / PAGE, (pos % PAGE) as usize);
            let len = (PAGE as usize - po).min(n - done);
            let dst = &mut buf[done..done + len];
            match obj.get(idx) {
                Some(f) => self.fs.mf.read(f.off() + po as u64, dst),
                None => dst.fill(0),
            }
            done += len;
        }
        Ok(n)
    }

    /// Write file data at `off` (at the end when `append`); returns the
    /// bytes written and the offset they went to.
    pub fn write_at(&self, buf: &[u8], off: u64, append: bool) -> Result<(usize, u64), TmpfsError> {
        let obj = self.obj()?;
        let mut m = self.meta();
        if m.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE) != 0 {
            return Err(TmpfsError::Sealed);
        }
        let off = if append { m.size } else { off };
        if buf.is_empty() {
            return Ok((0, off));
        }
        if off >= MAX_FILE_SIZE {
            return Err(TmpfsError::TooBig);
        }
        let mut n = (buf.len() as u64).min(MAX_FILE_SIZE - off) as usize;
        let end = off + n as u64;
        if end > m.size && m.seals & F_SEAL_GROW != 0 {
            // Linux checks page by page (shmem_write_begin): the page-sized
            // pieces that stay within the size are written.
            let mut ok = 0u64;
            while off + ok < end {
                let piece = (PAGE - (off + ok) % PAGE).min(end - off - ok);
                if off + ok + piece > m.size {
                    break;
                }
                ok += piece;
            }
            if ok == 0 {
                return Err(TmpfsError::Sealed);
            }
            n = ok as usize;
        }
        let mut done = self.write_runs(obj, &buf[..n], off);
        while done < n {
            let pos = off + done as u64;
            let (idx, po) = (pos / PAGE, (pos % PAGE) as usize);
            let len = (PAGE as usize - po).min(n - done);
            let frame = match obj.get(idx) {
                Some(f) => f,
                None => {
                    let r = self
                        .fs
                        .reserve(1)
                        .and_then(|()| obj.page(idx, 1).map_err(|_| TmpfsError::NoMemory));
                    match r {
                        Ok(f) => f,
                        Err(e) if done == 0 => return Err(e),
                        Err(_) => break,
                    }
                }
            };
            self.fs
                .mf
                .write(frame.off() + po as u64, &buf[done..done + len]);
            done += len;
        }
        let now = Time::now();
        m.size = m.size.max(off + done as u64);
        obj.set_eof(m.size);
        m.mtime = now;
        m.ctime = now;
        Ok((done, off))
    }

    /// The fast path of a write of more than a page: when the size limit
    /// allows every missing page, get all frames at once (allocated in
    /// runs) and copy each run of contiguous frames with one host write.
    /// Returns the bytes written (0: take the page-by-page path, which
    /// also handles the limit and ENOMEM with a short write).
    fn write_runs(&self, obj: &MemObject, buf: &[u8], off: u64) -> usize {
        if (buf.len() as u64) < 2 * PAGE {
            return 0;
        }
        let end = off + buf.len() as u64;
        let (first, last) = (off / PAGE, end.div_ceil(PAGE));
        let missing = (first..last).filter(|&i| obj.get(i).is_none()).count() as u64;
        if self.fs.reserve(missing).is_err() {
            return 0;
        }
        let Ok(frames) = obj.frames_for_write(first, last - first) else {
            return 0;
        };
        let mut done = 0usize;
        let mut i = 0;
        while i < frames.len() {
            // A run of frames contiguous in the memory file.
            let mut j = i + 1;
            while j < frames.len() && frames[j].off() == frames[j - 1].off() + PAGE {
                j += 1;
            }
            let pos = off + done as u64;
            let po = pos % PAGE;
            let run_end = ((first + j as u64) * PAGE).min(end);
            let len = (run_end - pos) as usize;
            self.fs
                .mf
                .pwrite(frames[i].off() + po, &buf[done..done + len]);
            done += len;
            i = j;
        }
        done
    }

    /// Change the size (truncate/ftruncate/O_TRUNC).
    pub(super) fn set_size(&self, m: &mut Meta, size: u64) -> Result<(), TmpfsError> {
        let obj = self.obj()?;
        if size > MAX_FILE_SIZE {
            return Err(TmpfsError::TooBig);
        }
        if (size < m.size && m.seals & F_SEAL_SHRINK != 0)
            || (size > m.size && m.seals & F_SEAL_GROW != 0)
        {
            return Err(TmpfsError::Sealed);
        }
        if size < m.size {
            obj.truncate(size.div_ceil(PAGE));
            let tail = size % PAGE;
            if tail != 0 {
                if let Some(f) = obj.get(size / PAGE) {
                    self.fs.mf.zero(f.off() + tail, (PAGE - tail) as usize);
                }
            }
        }
        m.size = size;
        obj.set_eof(size);
        Ok(())
    }

    /// SEEK_DATA/SEEK_HOLE from `off` (page granularity, like tmpfs).
    pub(super) fn seek_data_hole(&self, off: u64, data: bool) -> Result<u64, Errno> {
        let obj = self.obj()?;
        let size = self.meta().size;
        if off >= size {
            return Err(Errno::ENXIO);
        }
        let pages = obj.indices();
        let mut idx = off / PAGE;
        let present = |i: u64| pages.binary_search(&i).is_ok();
        while idx * PAGE < size && present(idx) != data {
            idx += 1;
        }
        let at = (idx * PAGE).max(off);
        if at >= size {
            return if data { Err(Errno::ENXIO) } else { Ok(size) };
        }
        Ok(at)
    }

    /// fallocate(2): allocate pages, or punch a hole.
    pub(super) fn fallocate_range(&self, mode: u32, off: u64, len: u64) -> Result<(), Errno> {
        use syscalls::consts::{FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE};
        let obj = self.obj()?;
        let end = off.checked_add(len).ok_or(Errno::EFBIG)?;
        if end > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let mut m = self.meta();
        let now = Time::now();
        if mode & FALLOC_FL_PUNCH_HOLE != 0 {
            if m.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE) != 0 {
                return Err(Errno::EPERM);
            }
            // Whole pages go; the partial ones at the edges are zeroed.
            obj.remove_range(off.div_ceil(PAGE), end / PAGE);
            for (a, b) in [
                (off, end.min(off.div_ceil(PAGE) * PAGE)),
                ((end / PAGE * PAGE).max(off), end),
            ] {
                if a < b {
                    if let Some(f) = obj.get(a / PAGE) {
                        self.fs.mf.zero(f.off() + a % PAGE, (b - a) as usize);
                    }
                }
            }
            m.mtime = now;
            m.ctime = now;
            return Ok(());
        }
        // Like Linux, even FALLOC_FL_KEEP_SIZE past the end breaks the seal.
        if end > m.size && m.seals & F_SEAL_GROW != 0 {
            return Err(Errno::EPERM);
        }
        let (first, last) = (off / PAGE, end.div_ceil(PAGE));
        let missing = (first..last).filter(|&i| obj.get(i).is_none()).count() as u64;
        self.fs.reserve(missing)?;
        for i in first..last {
            obj.page(i, 1).map_err(|_| Errno::ENOMEM)?;
        }
        if mode & FALLOC_FL_KEEP_SIZE == 0 && end > m.size {
            m.size = end;
            obj.set_eof(end);
        }
        m.ctime = now;
        Ok(())
    }
}

/// An open regular tmpfs file.
pub struct TmpFile {
    inode: Arc<TmpInode>,
}

impl TmpFile {
    /// Open file operations of `inode` (memfd_create).
    pub fn new(inode: Arc<TmpInode>) -> TmpFile {
        TmpFile { inode }
    }
}

impl FileOps for TmpFile {
    fn read(&self, _file: &File, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        Ok(self.inode.read_at(buf, off)?)
    }
    fn write(&self, file: &File, buf: &[u8], off: u64) -> Result<usize, Errno> {
        let append = file.flags() & O_APPEND != 0;
        let (n, _) = self.inode.write_at(buf, off, append)?;
        Ok(n)
    }
    fn seekable(&self) -> bool {
        true
    }
    fn stat(&self) -> Result<Stat, Errno> {
        self.inode.stat()
    }
    fn mmap(&self, file: &File) -> Result<MmapSource, Errno> {
        let obj = self.inode.obj()?.clone();
        let name = file
            .dentry
            .as_ref()
            .map(|d| String::from_utf8_lossy(&d.abs_path()).into_owned())
            .unwrap_or_default();
        // The object knows the file's current size (faults past it get
        // SIGBUS), so the mapping is not limited to the size at mmap time.
        Ok(MmapSource::Object {
            obj,
            size: MAX_FILE_SIZE,
            name,
        })
    }
    fn size(&self) -> Result<u64, Errno> {
        Ok(self.inode.meta().size)
    }
    fn llseek(&self, file: &File, off: i64, whence: u32) -> Result<u64, Errno> {
        if whence == SEEK_DATA || whence == SEEK_HOLE {
            let off = u64::try_from(off).map_err(|_| Errno::ENXIO)?;
            let at = self.inode.seek_data_hole(off, whence == SEEK_DATA)?;
            *file.pos.lock().unwrap_or_else(|p| p.into_inner()) = at;
            return Ok(at);
        }
        crate::vfs::file::generic_llseek(file, off, whence, || self.size())
    }
}

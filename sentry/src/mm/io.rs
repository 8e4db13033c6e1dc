//! Copying between the sentry and app memory, through the sentry's own
//! mapping of the memory file. Permissions are checked against the VMAs like
//! Linux's copy_{from,to}_user; a bad address gives EFAULT.

use super::memfile::PAGE;
use super::{page_down, MemoryManager};
use syscalls::{Errno, Pod};

impl MemoryManager {
    /// Copy app memory at `addr` into `buf`; returns bytes copied before the
    /// first inaccessible page.
    pub fn copy_in_partial(&self, addr: u64, buf: &mut [u8]) -> usize {
        let mut mm = self.lock();
        let mut done = 0usize;
        while done < buf.len() {
            let Some(a) = addr.checked_add(done as u64) else {
                break;
            };
            let page = page_down(a);
            let Ok(off) = mm.translate(self, page, false) else {
                break;
            };
            let in_page = (PAGE - (a - page)) as usize;
            let n = in_page.min(buf.len() - done);
            self.mf.read(off + (a - page), &mut buf[done..done + n]);
            done += n;
        }
        done
    }

    /// Copy `data` to app memory at `addr`; returns bytes copied before the
    /// first inaccessible page.
    pub fn copy_out_partial(&self, addr: u64, data: &[u8]) -> usize {
        let mut mm = self.lock();
        let mut done = 0usize;
        while done < data.len() {
            let Some(a) = addr.checked_add(done as u64) else {
                break;
            };
            let page = page_down(a);
            let Ok(off) = mm.translate(self, page, true) else {
                break;
            };
            let in_page = (PAGE - (a - page)) as usize;
            let n = in_page.min(data.len() - done);
            self.mf.write(off + (a - page), &data[done..done + n]);
            done += n;
        }
        done
    }

    /// Run `f` on the app's 32-bit word at `addr` as an atomic, with the
    /// address space locked (the page cannot go away meanwhile). `write`
    /// asks for write access (copy-on-write is broken first). EFAULT for a
    /// bad address, EINVAL when unaligned (as futex(2) reports it).
    pub fn with_atomic_u32<R>(
        &self,
        addr: u64,
        write: bool,
        f: impl FnOnce(&std::sync::atomic::AtomicU32) -> R,
    ) -> Result<R, Errno> {
        if !addr.is_multiple_of(4) {
            return Err(Errno::EINVAL);
        }
        let mut mm = self.lock();
        let page = page_down(addr);
        let off = mm.translate(self, page, write).map_err(|_| Errno::EFAULT)?;
        let word = self
            .mf
            .atomic_u32(off + (addr - page))
            .ok_or(Errno::EFAULT)?;
        Ok(f(word))
    }

    /// The identity of a shared futex word: the memory object and offset
    /// behind `addr` if it lies in a MAP_SHARED mapping; None for private
    /// memory (keyed by address space and address). EFAULT if unmapped.
    pub fn shared_key(&self, addr: u64) -> Result<Option<(usize, u64)>, Errno> {
        let mm = self.lock();
        let v = mm
            .vmas
            .range(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| addr < v.end)
            .ok_or(Errno::EFAULT)?;
        Ok(match (&v.backing, v.shared) {
            (super::Backing::Object { obj, off }, true) => {
                Some((std::sync::Arc::as_ptr(obj) as usize, off + (addr - v.start)))
            }
            _ => None,
        })
    }

    /// Copy all of `buf` from the app or fail with EFAULT.
    pub fn copy_in(&self, addr: u64, buf: &mut [u8]) -> Result<(), Errno> {
        if self.copy_in_partial(addr, buf) == buf.len() {
            Ok(())
        } else {
            Err(Errno::EFAULT)
        }
    }

    /// Copy all of `data` to the app or fail with EFAULT.
    pub fn copy_out(&self, addr: u64, data: &[u8]) -> Result<(), Errno> {
        if self.copy_out_partial(addr, data) == data.len() {
            Ok(())
        } else {
            Err(Errno::EFAULT)
        }
    }

    /// Read `len` bytes from the app.
    pub fn read_bytes(&self, addr: u64, len: usize) -> Result<Vec<u8>, Errno> {
        let mut v = vec![0u8; len];
        self.copy_in(addr, &mut v)?;
        Ok(v)
    }

    /// Read a plain-data value from the app.
    pub fn read_obj<T: Pod>(&self, addr: u64) -> Result<T, Errno> {
        let mut v = T::zeroed();
        self.copy_in(addr, v.as_bytes_mut())?;
        Ok(v)
    }

    /// Write a plain-data value to the app.
    pub fn write_obj<T: Pod>(&self, addr: u64, v: &T) -> Result<(), Errno> {
        self.copy_out(addr, v.as_bytes())
    }

    /// Read a NUL-terminated string of at most `max` bytes (without the NUL).
    /// ENAMETOOLONG if no NUL within `max`, EFAULT on a bad address.
    pub fn read_cstr(&self, addr: u64, max: usize) -> Result<Vec<u8>, Errno> {
        let mut out = Vec::new();
        let mut a = addr;
        while out.len() < max {
            let page_left = (PAGE - (a % PAGE)) as usize;
            let n = page_left.min(max - out.len());
            let mut chunk = vec![0u8; n];
            let got = self.copy_in_partial(a, &mut chunk);
            if let Some(z) = chunk[..got].iter().position(|b| *b == 0) {
                out.extend_from_slice(&chunk[..z]);
                return Ok(out);
            }
            if got < n {
                return Err(Errno::EFAULT);
            }
            out.extend_from_slice(&chunk);
            a = a.checked_add(n as u64).ok_or(Errno::EFAULT)?;
        }
        Err(Errno::ENAMETOOLONG)
    }

    /// Zero `len` bytes of app memory at `addr`.
    pub fn zero_out(&self, addr: u64, len: usize) -> Result<(), Errno> {
        let zeros = vec![0u8; len.min(1 << 20)];
        let mut done = 0;
        while done < len {
            let n = zeros.len().min(len - done);
            self.copy_out(addr + done as u64, &zeros[..n])?;
            done += n;
        }
        Ok(())
    }
}

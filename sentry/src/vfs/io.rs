//! Data transfer between files and app memory for the read/write family:
//! iovec import with Linux's checks, and reads/writes that fault exactly
//! like Linux (a transfer that hits a bad page returns what was done before
//! it, or EFAULT if nothing was).

use super::File;
use crate::kernel::task::Task;
use crate::mm::PROT_WRITE;
use syscalls::abi::Iovec;
use syscalls::consts::{IOV_MAX, MAX_RW_COUNT, O_APPEND};
use syscalls::{Errno, Pod};

/// The highest user address + 1 (`TASK_SIZE_MAX`).
pub const TASK_SIZE: u64 = (1 << 47) - 4096;
/// Bytes moved per file call.
const CHUNK: usize = 1 << 20;
const PAGE: usize = 4096;

/// `access_ok`: the range lies in the user address space.
pub fn access_ok(addr: u64, len: u64) -> bool {
    len <= TASK_SIZE && addr <= TASK_SIZE - len
}

/// User memory segments of one transfer: (address, length).
pub type Segs = Vec<(u64, u64)>;

/// The segment of a plain read/write: EFAULT outside the user range, the
/// length clamped to MAX_RW_COUNT.
pub fn single_seg(addr: u64, len: u64) -> Result<Segs, Errno> {
    if !access_ok(addr, len) {
        return Err(Errno::EFAULT);
    }
    Ok(vec![(addr, len.min(MAX_RW_COUNT as u64))])
}

/// `import_iovec`: copy `cnt` iovecs from `addr`. EINVAL for more than
/// IOV_MAX or a negative length, EFAULT for an unreadable array or a
/// segment outside the user range; the total is clamped to MAX_RW_COUNT.
pub fn import_iovecs(t: &Task, addr: u64, cnt: u64) -> Result<Segs, Errno> {
    if cnt > IOV_MAX as u64 {
        return Err(Errno::EINVAL);
    }
    if cnt == 0 {
        return Ok(Vec::new());
    }
    let mut raw = vec![0u8; cnt as usize * std::mem::size_of::<Iovec>()];
    t.mm.copy_in(addr, &mut raw)?;
    let iovs: Vec<Iovec> = raw
        .chunks_exact(std::mem::size_of::<Iovec>())
        .filter_map(Iovec::from_bytes)
        .collect();
    if iovs.iter().any(|v| (v.iov_len as i64) < 0) {
        return Err(Errno::EINVAL);
    }
    let mut total = 0u64;
    let mut segs = Vec::with_capacity(iovs.len());
    for v in iovs {
        if !access_ok(v.iov_base, v.iov_len) {
            return Err(Errno::EFAULT);
        }
        let len = v.iov_len.min(MAX_RW_COUNT as u64 - total);
        total += len;
        segs.push((v.iov_base, len));
    }
    Ok(segs)
}

pub fn total(segs: &[(u64, u64)]) -> u64 {
    segs.iter().map(|s| s.1).sum()
}

/// The pieces of `segs` covering bytes `skip..skip+len` of the transfer.
fn pieces(segs: &[(u64, u64)], skip: u64, len: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let (mut skip, mut len) = (skip, len);
    for &(a, l) in segs {
        if len == 0 {
            break;
        }
        if skip >= l {
            skip -= l;
            continue;
        }
        let n = (l - skip).min(len);
        out.push((a + skip, n));
        skip = 0;
        len -= n;
    }
    out
}

/// Copy `data` to the transfer's bytes from `skip`; returns bytes copied
/// before the first fault.
pub fn scatter(t: &Task, segs: &[(u64, u64)], skip: u64, data: &[u8]) -> usize {
    let mut done = 0usize;
    for (a, n) in pieces(segs, skip, data.len() as u64) {
        let n = n as usize;
        let c = t.mm.copy_out_partial(a, &data[done..done + n]);
        done += c;
        if c < n {
            break;
        }
    }
    done
}

/// Copy up to `max` bytes of the transfer from `skip`; returns the data and
/// whether a fault stopped the copy early.
pub fn gather(t: &Task, segs: &[(u64, u64)], skip: u64, max: usize) -> (Vec<u8>, bool) {
    let mut buf = vec![0u8; max];
    let mut done = 0usize;
    for (a, n) in pieces(segs, skip, max as u64) {
        let n = n as usize;
        let c = t.mm.copy_in_partial(a, &mut buf[done..done + n]);
        done += c;
        if c < n {
            buf.truncate(done);
            return (buf, true);
        }
    }
    buf.truncate(done);
    (buf, false)
}

/// How many bytes of the transfer are in writable mappings (from the VMAs),
/// so a stream read never consumes data it cannot deliver.
pub fn writable_prefix(t: &Task, segs: &[(u64, u64)], max: u64) -> u64 {
    let mm = t.mm.lock();
    let mut done = 0u64;
    for &(a, l) in segs {
        let mut at = a;
        let end = a + l;
        while at < end {
            match mm.find(at) {
                Some(v) if v.prot & PROT_WRITE != 0 => at = v.end.min(end),
                _ => return done + (at - a),
            }
            if done + (at - a) >= max {
                return max;
            }
        }
        done += l;
        if done >= max {
            return max;
        }
    }
    done.min(max)
}

/// Where a transfer happens in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pos {
    /// read(2)/write(2): the file's position (or the host's, for streams).
    Current,
    /// pread/pwrite at an offset; the position is not used or moved.
    At(u64),
}

/// Read from `file` into `segs`. The caller checked the fd's access mode.
pub fn read(t: &Task, file: &File, segs: &[(u64, u64)], pos: Pos) -> Result<u64, Errno> {
    let r = read_inner(t, file, segs, pos);
    if matches!(r, Ok(n) if n > 0) {
        crate::fs::inotify::on_file(file, syscalls::consts::IN_ACCESS);
    }
    r
}

fn read_inner(t: &Task, file: &File, segs: &[(u64, u64)], pos: Pos) -> Result<u64, Errno> {
    let want = total(segs);
    if want == 0 {
        return Ok(0);
    }
    let ops = &*file.ops;
    if let (Pos::Current, false, false) = (pos, ops.seekable(), ops.seek_ok()) {
        // A stream: one call, no more than fits in writable memory.
        let n = writable_prefix(t, segs, want.min(CHUNK as u64)) as usize;
        if n == 0 {
            return Err(Errno::EFAULT);
        }
        let mut buf = vec![0u8; n];
        let got = ops.read_cur(file, &mut buf)?;
        let c = scatter(t, segs, 0, &buf[..got]);
        return if c == 0 && got > 0 {
            Err(Errno::EFAULT)
        } else {
            Ok(c as u64)
        };
    }
    let mut fpos = if pos == Pos::Current && ops.seekable() {
        Some(file.pos.lock().unwrap_or_else(|p| p.into_inner()))
    } else {
        None
    };
    let mut done = 0u64;
    let mut buf = vec![0u8; (want as usize).min(CHUNK)];
    while done < want {
        let chunk = ((want - done) as usize).min(CHUNK);
        let res = match (pos, fpos.as_deref()) {
            (Pos::At(off), _) => off
                .checked_add(done)
                .ok_or(Errno::EINVAL)
                .and_then(|o| ops.read(file, &mut buf[..chunk], o)),
            (Pos::Current, Some(p)) => ops.read(file, &mut buf[..chunk], *p),
            (Pos::Current, None) => ops.read_cur(file, &mut buf[..chunk]),
        };
        let n = match res {
            Ok(n) => n.min(chunk),
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        let c = scatter(t, segs, done, &buf[..n]);
        done += c as u64;
        if let Some(p) = fpos.as_deref_mut() {
            *p += c as u64;
        }
        if c < n {
            if done == 0 {
                return Err(Errno::EFAULT);
            }
            break;
        }
        if n < chunk {
            break;
        }
    }
    Ok(done)
}

/// Write `segs` to `file`. The caller checked the fd's access mode.
pub fn write(t: &Task, file: &File, segs: &[(u64, u64)], pos: Pos) -> Result<u64, Errno> {
    let r = write_inner(t, file, segs, pos);
    if matches!(r, Ok(n) if n > 0) {
        crate::fs::inotify::on_file(file, syscalls::consts::IN_MODIFY);
    }
    r
}

fn write_inner(t: &Task, file: &File, segs: &[(u64, u64)], pos: Pos) -> Result<u64, Errno> {
    let want = total(segs);
    if want == 0 {
        return Ok(0);
    }
    let ops = &*file.ops;
    if ops.write_ignores_data() {
        return Ok(want);
    }
    let stream = !ops.seek_ok();
    let mut fpos = if pos == Pos::Current && ops.seekable() {
        let mut p = file.pos.lock().unwrap_or_else(|p| p.into_inner());
        if file.flags() & O_APPEND != 0 {
            *p = ops.size()?;
        }
        Some(p)
    } else {
        None
    };
    let mut done = 0u64;
    while done < want {
        let chunk = ((want - done) as usize).min(CHUNK);
        let (mut data, fault) = gather(t, segs, done, chunk);
        if fault && stream {
            // Pipes and ttys copy whole pages before writing any of them.
            let keep = data.len() / PAGE * PAGE;
            data.truncate(keep);
        }
        if data.is_empty() {
            return if done == 0 {
                Err(Errno::EFAULT)
            } else {
                Ok(done)
            };
        }
        let res = match (pos, fpos.as_deref()) {
            (Pos::At(off), _) => off
                .checked_add(done)
                .ok_or(Errno::EINVAL)
                .and_then(|o| ops.write(file, &data, o)),
            (Pos::Current, Some(p)) => ops.write(file, &data, *p),
            (Pos::Current, None) => ops.write_cur(file, &data),
        };
        let n = match res {
            Ok(n) => n.min(data.len()),
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        done += n as u64;
        if let Some(p) = fpos.as_deref_mut() {
            *p += n as u64;
        }
        if n < data.len() || fault {
            break;
        }
    }
    Ok(done)
}

/// Copy a plain-data value to the app (EFAULT on failure).
pub fn put<T: Pod>(t: &Task, addr: u64, v: &T) -> Result<(), Errno> {
    t.mm.write_obj(addr, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_the_requested_bytes() {
        let segs = [(0x1000, 4), (0x2000, 0), (0x3000, 6)];
        assert_eq!(pieces(&segs, 0, 10), [(0x1000, 4), (0x3000, 6)]);
        assert_eq!(pieces(&segs, 2, 3), [(0x1002, 2), (0x3000, 1)]);
        assert_eq!(pieces(&segs, 4, 100), [(0x3000, 6)]);
        assert!(pieces(&segs, 10, 5).is_empty());
        assert_eq!(total(&segs), 10);
    }

    #[test]
    fn access_ok_and_clamping() {
        assert!(access_ok(1, 10));
        assert!(access_ok(0, TASK_SIZE));
        assert!(!access_ok(1, TASK_SIZE));
        assert!(!access_ok(TASK_SIZE, 1));
        assert!(!access_ok(u64::MAX, 2));
        assert_eq!(
            single_seg(0x1000, 1 << 40).unwrap(),
            [(0x1000, MAX_RW_COUNT as u64)]
        );
        assert_eq!(single_seg(0x1000, u64::MAX).unwrap_err(), Errno::EFAULT);
    }
}

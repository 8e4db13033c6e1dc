//! Syscall handlers: data movement between fds (sendfile, splice, tee,
//! vmsplice, copy_file_range) and readahead. The mechanics are in
//! [`crate::vfs::splice`].

use super::file::{fd_arg, get_io};
use super::{Support, SysResult, Table};
use crate::fs::inotify;
use crate::kernel::task::Task;
use crate::vfs::io;
use crate::vfs::splice::{self, pipe_of, At};
use crate::vfs::File;
use syscalls::consts::*;
use syscalls::nr;
use syscalls::Errno;

/// IN_ACCESS on the source and IN_MODIFY on the destination of a transfer
/// that moved data.
fn notify(n: usize, input: &File, out: &File) {
    if n > 0 {
        inotify::on_file(input, IN_ACCESS);
        inotify::on_file(out, IN_MODIFY);
    }
}

const SPLICE_F_ALL: u32 = SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT;

pub fn register(t: &mut Table) {
    let copied = "copies through a sentry buffer (no page moving)";
    t.set(nr::SENDFILE, sys_sendfile, Support::Partial(copied));
    t.set(nr::SPLICE, sys_splice, Support::Partial(copied));
    t.set(nr::TEE, sys_tee, Support::Full);
    t.set(nr::VMSPLICE, sys_vmsplice, Support::Partial(copied));
    t.set(
        nr::COPY_FILE_RANGE,
        sys_copy_file_range,
        Support::Partial("regular files; copies through a sentry buffer"),
    );
    t.set(
        nr::READAHEAD,
        sys_readahead,
        Support::Partial("validated; nothing is read ahead"),
    );
}

fn readable(f: &File) -> Result<(), Errno> {
    if f.readable() {
        Ok(())
    } else {
        Err(Errno::EBADF)
    }
}

fn writable(f: &File) -> Result<(), Errno> {
    if f.writable() {
        Ok(())
    } else {
        Err(Errno::EBADF)
    }
}

/// sendfile(2): Linux's do_sendfile.
fn sys_sendfile(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (out_fd, in_fd, off_addr) = (fd_arg(a[0]), fd_arg(a[1]), a[2]);
    let count = (a[3] as usize).min(MAX_RW_COUNT);
    let input = get_io(t, in_fd)?;
    readable(&input)?;
    let mut off = None;
    if off_addr != 0 {
        let o: i64 = t.mm.read_obj(off_addr)?;
        if !input.ops.pread_ok() {
            return Err(Errno::ESPIPE);
        }
        if o < 0 {
            return Err(Errno::EINVAL);
        }
        off = Some(o as u64);
    }
    let out = get_io(t, out_fd)?;
    writable(&out)?;
    if pipe_of(&input).is_some() {
        return Err(Errno::EINVAL);
    }
    let mut pos = off.unwrap_or(0);
    let mut in_at = match off {
        Some(_) => At::Offset(&mut pos),
        None => At::Current,
    };
    let res = if let Some(p) = pipe_of(&out) {
        if count == 0 {
            Ok(0)
        } else {
            let nonblock = out.flags() & O_NONBLOCK != 0 || input.flags() & O_NONBLOCK != 0;
            splice::file_to_pipe(&input, &mut in_at, p, count, nonblock)
        }
    } else {
        // Linux's do_splice_direct: positional input (not sockets), no
        // O_APPEND output.
        if out.flags() & O_APPEND != 0 || !input.ops.pread_ok() {
            return Err(Errno::EINVAL);
        }
        splice::copy(&input, &mut in_at, &out, &mut At::Current, count)
    };
    let n = res?;
    notify(n, &input, &out);
    if off.is_some() {
        t.mm.write_obj(off_addr, &(pos as i64))?;
    }
    Ok(n as u64)
}

/// splice(2): Linux's __do_splice and do_splice.
fn sys_splice(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (in_fd, off_in, out_fd, off_out) = (fd_arg(a[0]), a[1], fd_arg(a[2]), a[3]);
    let len = (a[4] as usize).min(MAX_RW_COUNT);
    let flags = a[5] as u32;
    if flags & !SPLICE_F_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let input = get_io(t, in_fd)?;
    let out = get_io(t, out_fd)?;
    let (ipipe, opipe) = (pipe_of(&input), pipe_of(&out));
    if (ipipe.is_some() && off_in != 0) || (opipe.is_some() && off_out != 0) {
        return Err(Errno::ESPIPE);
    }
    let mut nonblock = flags & SPLICE_F_NONBLOCK != 0;
    let mut off = if off_in != 0 {
        Some(t.mm.read_obj::<i64>(off_in)?)
    } else if off_out != 0 {
        Some(t.mm.read_obj::<i64>(off_out)?)
    } else {
        None
    };
    readable(&input)?;
    writable(&out)?;
    match (ipipe, opipe) {
        (Some(i), Some(o)) => {
            if i.same_pipe(o) {
                return Err(Errno::EINVAL);
            }
            nonblock |= (input.flags() | out.flags()) & O_NONBLOCK != 0;
            Ok(splice::pipe_to_pipe(i, o, len, nonblock, true)? as u64)
        }
        (Some(i), None) => {
            if off.is_some() && !out.ops.pread_ok() {
                return Err(Errno::EINVAL);
            }
            if out.flags() & O_APPEND != 0 {
                return Err(Errno::EINVAL);
            }
            nonblock |= input.flags() & O_NONBLOCK != 0;
            let r = with_offset(t, &mut off, off_out, |at| {
                splice::pipe_to_file(i, nonblock, &out, at, len)
            });
            r.map(|n| {
                notify(n, &input, &out);
                n as u64
            })
        }
        (None, Some(o)) => {
            if off.is_some() && !input.ops.pread_ok() {
                return Err(Errno::EINVAL);
            }
            nonblock |= out.flags() & O_NONBLOCK != 0;
            let r = with_offset(t, &mut off, off_in, |at| {
                splice::file_to_pipe(&input, at, o, len, nonblock)
            });
            r.map(|n| {
                notify(n, &input, &out);
                n as u64
            })
        }
        (None, None) => Err(Errno::EINVAL),
    }
}

/// Run `f` at the user's offset (written back to `addr` after) or at the
/// file position.
fn with_offset(
    t: &Task,
    off: &mut Option<i64>,
    addr: u64,
    f: impl FnOnce(&mut At) -> Result<usize, Errno>,
) -> Result<usize, Errno> {
    match off {
        Some(o) if *o < 0 => Err(Errno::EINVAL),
        Some(o) => {
            let mut pos = *o as u64;
            let n = f(&mut At::Offset(&mut pos))?;
            t.mm.write_obj(addr, &(pos as i64))?;
            Ok(n)
        }
        None => f(&mut At::Current),
    }
}

/// tee(2): copy pipe data to another pipe without consuming it.
fn sys_tee(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (in_fd, out_fd) = (fd_arg(a[0]), fd_arg(a[1]));
    let len = (a[2] as usize).min(MAX_RW_COUNT);
    let flags = a[3] as u32;
    if flags & !SPLICE_F_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let input = get_io(t, in_fd)?;
    readable(&input)?;
    let out = get_io(t, out_fd)?;
    writable(&out)?;
    let (Some(i), Some(o)) = (pipe_of(&input), pipe_of(&out)) else {
        return Err(Errno::EINVAL);
    };
    if i.same_pipe(o) {
        return Err(Errno::EINVAL);
    }
    let nonblock =
        flags & SPLICE_F_NONBLOCK != 0 || (input.flags() | out.flags()) & O_NONBLOCK != 0;
    Ok(splice::pipe_to_pipe(i, o, len, nonblock, false)? as u64)
}

/// vmsplice(2): user memory into a pipe (write end) or pipe data into user
/// memory (read end).
fn sys_vmsplice(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (fd, iov, cnt, flags) = (fd_arg(a[0]), a[1], a[2], a[3] as u32);
    if flags & !SPLICE_F_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    let f = get_io(t, fd)?;
    let to_pipe = if f.writable() {
        true
    } else if f.readable() {
        false
    } else {
        return Err(Errno::EBADF);
    };
    let segs = io::import_iovecs(t, iov, cnt)?;
    let want = io::total(&segs);
    if want == 0 {
        return Ok(0);
    }
    let p = pipe_of(&f).ok_or(Errno::EBADF)?;
    let nonblock = flags & SPLICE_F_NONBLOCK != 0;
    if to_pipe {
        let mut done = 0u64;
        while done < want {
            let room = match p.wait_room(nonblock || done > 0) {
                Ok(r) => r,
                Err(e) if done == 0 => return Err(e),
                Err(_) => break,
            };
            let (data, fault) = io::gather(t, &segs, done, room.min((want - done) as usize));
            if data.is_empty() {
                return if done == 0 {
                    Err(Errno::EFAULT)
                } else {
                    Ok(done)
                };
            }
            let n = match p.write_data(&data, true, false) {
                Ok(n) => n,
                Err(e) if done == 0 => return Err(e),
                Err(_) => break,
            };
            done += n as u64;
            if fault {
                break;
            }
        }
        Ok(done)
    } else {
        if !p.wait_data(nonblock)? {
            return Ok(0);
        }
        let mut buf = vec![0u8; (want as usize).min(1 << 20)];
        let n = p.peek(&mut buf);
        let c = io::scatter(t, &segs, 0, &buf[..n]);
        p.consume(c);
        if c == 0 {
            return Err(Errno::EFAULT);
        }
        Ok(c as u64)
    }
}

fn is_same_file(a: &File, b: &File) -> Result<bool, Errno> {
    let (sa, sb) = (a.stat()?, b.stat()?);
    Ok(sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
}

/// copy_file_range(2): Linux's vfs_copy_file_range with the generic copy.
fn sys_copy_file_range(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (in_fd, off_in, out_fd, off_out) = (fd_arg(a[0]), a[1], fd_arg(a[2]), a[3]);
    let len = a[4] as usize;
    let flags = a[5] as u32;
    let input = get_io(t, in_fd)?;
    let out = get_io(t, out_fd)?;
    // Without an offset, a file whose position the host keeps (stdio
    // redirected to a host file) is read or written at the host position,
    // which advances (never at the sentry's unused one).
    let host_in = off_in == 0 && !input.ops.seekable();
    let host_out = off_out == 0 && !out.ops.seekable();
    let mut pos_in = if off_in != 0 {
        t.mm.read_obj::<i64>(off_in)?
    } else {
        *input.pos.lock().unwrap_or_else(|p| p.into_inner()) as i64
    };
    let mut pos_out = if off_out != 0 {
        t.mm.read_obj::<i64>(off_out)?
    } else {
        *out.pos.lock().unwrap_or_else(|p| p.into_inner()) as i64
    };
    if flags != 0 {
        return Err(Errno::EINVAL);
    }
    let (sin, sout) = (input.stat()?, out.stat()?);
    if sin.st_mode & S_IFMT == S_IFDIR || sout.st_mode & S_IFMT == S_IFDIR {
        return Err(Errno::EISDIR);
    }
    if sin.st_mode & S_IFMT != S_IFREG || sout.st_mode & S_IFMT != S_IFREG {
        return Err(Errno::EINVAL);
    }
    if !input.readable() || !out.writable() || out.flags() & O_APPEND != 0 {
        return Err(Errno::EBADF);
    }
    if host_in {
        pos_in = input.ops.llseek(&input, 0, SEEK_CUR)? as i64;
    }
    if host_out {
        pos_out = out.ops.llseek(&out, 0, SEEK_CUR)? as i64;
    }
    // Linux checks for wrap-around as unsigned sums, then (in
    // rw_verify_area) for negative positions.
    let len = len.min(MAX_RW_COUNT);
    if (pos_in as u64).checked_add(len as u64).is_none()
        || (pos_out as u64).checked_add(len as u64).is_none()
    {
        return Err(Errno::EOVERFLOW);
    }
    if pos_in < 0 || pos_out < 0 {
        return Err(Errno::EINVAL);
    }
    // Shorten to the input's size, then refuse overlapping copies within
    // one file.
    let size_in = input.ops.size()?;
    let count = if pos_in as u64 >= size_in {
        0
    } else {
        (len as u64).min(size_in - pos_in as u64)
    };
    if is_same_file(&input, &out)?
        && pos_out as u64 + count > pos_in as u64
        && (pos_out as u64) < pos_in as u64 + count
    {
        return Err(Errno::EINVAL);
    }
    if sin.st_dev != sout.st_dev {
        // Linux >= 5.19: only file systems with their own method copy
        // across super blocks.
        return Err(Errno::EXDEV);
    }
    if count == 0 {
        return Ok(0);
    }
    let (mut pin, mut pout) = (pos_in as u64, pos_out as u64);
    let mut in_at = if host_in {
        At::Current
    } else {
        At::Offset(&mut pin)
    };
    let mut out_at = if host_out {
        At::Current
    } else {
        At::Offset(&mut pout)
    };
    let n = splice::copy(&input, &mut in_at, &out, &mut out_at, count as usize)?;
    notify(n, &input, &out);
    if off_in != 0 {
        t.mm.write_obj(off_in, &(pin as i64))?;
    } else if !host_in {
        *input.pos.lock().unwrap_or_else(|p| p.into_inner()) = pin;
    }
    if off_out != 0 {
        t.mm.write_obj(off_out, &(pout as i64))?;
    } else if !host_out {
        *out.pos.lock().unwrap_or_else(|p| p.into_inner()) = pout;
    }
    Ok(n as u64)
}

/// readahead(2): checks only (regular files, readable).
fn sys_readahead(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let f = get_io(t, fd_arg(a[0]))?;
    readable(&f)?;
    let mode = f.stat()?.st_mode & S_IFMT;
    if mode != S_IFREG && mode != S_IFBLK {
        return Err(Errno::EINVAL);
    }
    if (a[1] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

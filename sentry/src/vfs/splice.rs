//! Moving data between files inside the sentry: sendfile(2), splice(2),
//! tee(2), vmsplice(2) and copy_file_range(2). Everything goes through the
//! files' own operations with a bounded buffer (no host passthrough, no
//! page stealing); pipes are reached through [`PipeEnd`]'s peek/consume so
//! data that could not be written stays in the pipe.

use super::File;
use crate::fs::pipe::PipeEnd;
use syscalls::Errno;

/// Bytes moved per step.
pub const CHUNK: usize = 64 * 1024;

/// The pipe end behind `f`, if it is one.
pub fn pipe_of(f: &File) -> Option<&PipeEnd> {
    f.ops.as_any()?.downcast_ref::<PipeEnd>()
}

/// Where a transfer reads or writes a file: at an explicit offset (moved
/// along, the file position untouched) or at the file's position.
pub enum At<'a> {
    Offset(&'a mut u64),
    Current,
}

/// Read from `f` into `buf` at `at`, advancing it.
pub fn read_at(f: &File, buf: &mut [u8], at: &mut At) -> Result<usize, Errno> {
    match at {
        At::Offset(off) => {
            let n = f.ops.read(f, buf, **off)?;
            **off += n as u64;
            Ok(n)
        }
        At::Current if f.ops.seekable() => {
            let mut pos = f.pos.lock().unwrap_or_else(|p| p.into_inner());
            let n = f.ops.read(f, buf, *pos)?;
            *pos += n as u64;
            Ok(n)
        }
        At::Current => f.ops.read_cur(f, buf),
    }
}

/// Write all of `buf` to `f` at `at` (short only when the file takes no
/// more); returns the bytes written, an error only if none were.
pub fn write_at(f: &File, buf: &[u8], at: &mut At) -> Result<usize, Errno> {
    let mut done = 0;
    while done < buf.len() {
        let r = match at {
            At::Offset(off) => f
                .ops
                .write(f, &buf[done..], **off)
                .inspect(|&n| **off += n as u64),
            At::Current if f.ops.seekable() => {
                let mut pos = f.pos.lock().unwrap_or_else(|p| p.into_inner());
                f.ops
                    .write(f, &buf[done..], *pos)
                    .inspect(|&n| *pos += n as u64)
            }
            At::Current => f.ops.write_cur(f, &buf[done..]),
        };
        match r {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        }
    }
    Ok(done)
}

/// File (not a pipe) to pipe: wait for room, then read at most that much.
pub fn file_to_pipe(
    f: &File,
    at: &mut At,
    out: &PipeEnd,
    len: usize,
    nonblock: bool,
) -> Result<usize, Errno> {
    let room = out.wait_room(nonblock)?;
    let mut buf = vec![0u8; len.min(room).min(CHUNK)];
    let n = read_at(f, &mut buf, at)?;
    if n == 0 {
        return Ok(0);
    }
    out.write_data(&buf[..n], false, false)
}

/// Pipe to file (not a pipe): wait for data (0 at end of data), write what
/// the file takes, consume exactly that.
pub fn pipe_to_file(
    p: &PipeEnd,
    nonblock: bool,
    f: &File,
    at: &mut At,
    len: usize,
) -> Result<usize, Errno> {
    let mut done = 0;
    while done < len {
        // Only the first step may block (or fail).
        match p.wait_data(nonblock || done > 0) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        }
        let mut buf = vec![0u8; (len - done).min(CHUNK)];
        let n = p.peek(&mut buf);
        let w = match write_at(f, &buf[..n], at) {
            Ok(w) => w,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        p.consume(w);
        done += w;
        if w < n {
            break;
        }
    }
    Ok(done)
}

/// Pipe to pipe: data of `input` into `out`, consumed (splice) or not
/// (tee, which copies what is there once).
pub fn pipe_to_pipe(
    input: &PipeEnd,
    out: &PipeEnd,
    len: usize,
    nonblock: bool,
    consume: bool,
) -> Result<usize, Errno> {
    if !input.wait_data(nonblock)? {
        return Ok(0);
    }
    let room = out.wait_room(nonblock)?;
    let mut buf = vec![0u8; len.min(room).min(CHUNK)];
    let n = input.peek(&mut buf);
    let w = out.write_data(&buf[..n], true, false)?;
    if consume {
        input.consume(w);
    }
    Ok(w)
}

/// sendfile's copy to a file that is not a pipe: read and write in chunks
/// until `len` bytes, the end of the input, or a short write. The input
/// position only moves by what was written.
pub fn copy(
    input: &File,
    in_at: &mut At,
    out: &File,
    out_at: &mut At,
    len: usize,
) -> Result<usize, Errno> {
    let mut done = 0;
    let mut buf = vec![0u8; len.min(CHUNK)];
    while done < len {
        let want = (len - done).min(CHUNK);
        // Read at a private offset first, so a short write can put the
        // input position where the data stopped.
        let start = match in_at {
            At::Offset(o) => **o,
            At::Current if input.ops.seekable() => {
                *input.pos.lock().unwrap_or_else(|p| p.into_inner())
            }
            At::Current => u64::MAX,
        };
        let n = if start == u64::MAX {
            read_at(input, &mut buf[..want], in_at)
        } else {
            input.ops.read(input, &mut buf[..want], start)
        };
        let n = match n {
            Ok(n) => n,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        if n == 0 {
            break;
        }
        let w = match write_at(out, &buf[..n], out_at) {
            Ok(w) => w,
            Err(e) if done == 0 => return Err(e),
            Err(_) => 0,
        };
        if start != u64::MAX {
            match in_at {
                At::Offset(o) => **o = start + w as u64,
                At::Current => {
                    *input.pos.lock().unwrap_or_else(|p| p.into_inner()) = start + w as u64
                }
            }
        }
        done += w;
        if w < n || n < want {
            break;
        }
    }
    Ok(done)
}

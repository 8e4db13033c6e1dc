//! The ELF loader (DESIGN §6): static, static-PIE, PIE and dynamically
//! linked executables, `#!` scripts, and the initial stack with the auxiliary
//! vector as Linux builds it.

mod elf;
mod stack;
pub mod vdso;

use crate::kernel::task::Task;
use crate::mm::MemoryManager;
use crate::vfs::File;
use std::sync::Arc;
use syscalls::Errno;

pub use elf::ElfInfo;

/// Linux's BINPRM_BUF_SIZE: bytes of the file examined for `#!` and ELF headers.
const BINPRM_BUF: usize = 256;
/// Linux allows 4 interpreter rewrites (`#!` chains) before ELOOP.
const MAX_REWRITES: usize = 4;
/// Linux's MAX_ARG_STRLEN (32 pages).
pub const MAX_ARG_STRLEN: usize = 32 * 4096;

/// What an exec produced: where to start and what the stack holds.
pub struct Image {
    pub entry: u64,
    pub sp: u64,
    /// The name for comm (basename of the final file name).
    pub comm: Vec<u8>,
}

/// Everything an exec needs from the caller.
pub struct ExecArgs {
    /// The file name as given (argv rewriting and AT_EXECFN use it).
    pub filename: Vec<u8>,
    pub argv: Vec<Vec<u8>>,
    pub envp: Vec<Vec<u8>>,
}

/// Load `file` (already opened with exec checks) into the empty `mm`.
/// Errors leave the caller's own image untouched (the new mm is discarded).
pub fn load(
    t: &Task,
    mut file: Arc<File>,
    mut args: ExecArgs,
    mm: &Arc<MemoryManager>,
) -> Result<Image, Errno> {
    let execfn = args.filename.clone();
    let mut rewrites = 0;
    loop {
        let mut head = [0u8; BINPRM_BUF];
        let n = read_full(&file, &mut head, 0)?;
        let head = &head[..n];
        if head.starts_with(b"#!") {
            rewrites += 1;
            if rewrites > MAX_REWRITES {
                return Err(Errno::ELOOP);
            }
            let (interp, arg) = parse_shebang(head)?;
            let mut argv = vec![interp.clone()];
            if let Some(a) = arg {
                argv.push(a);
            }
            argv.push(args.filename.clone());
            argv.extend(args.argv.into_iter().skip(1));
            args.argv = argv;
            args.filename = interp.clone();
            let (f, _) = crate::vfs::open_exec(t, libc::AT_FDCWD, &interp, 0)?;
            file = f;
            continue;
        }
        if head.len() >= 4 && &head[..4] == b"\x7fELF" {
            let exe = elf::ElfInfo::parse(&file)?;
            let loaded = elf::map_elf(&file, &exe, mm, true)?;
            let interp = match &exe.interp {
                Some(path) => {
                    let (ifile, _) =
                        crate::vfs::open_exec(t, libc::AT_FDCWD, path, 0).map_err(|e| {
                            if e == Errno::EACCES || e == Errno::ENOENT {
                                e
                            } else {
                                Errno::ELIBBAD
                            }
                        })?;
                    let info = elf::ElfInfo::parse(&ifile).map_err(|_| Errno::ELIBBAD)?;
                    if info.interp.is_some() {
                        return Err(Errno::ELIBBAD);
                    }
                    Some(elf::map_elf(&ifile, &info, mm, false)?)
                }
                None => None,
            };
            mm.set_brk_start(loaded.brk);
            let entry = interp.as_ref().map(|i| i.entry).unwrap_or(loaded.entry);
            let sp = stack::build(t, mm, &args, &execfn, &loaded, interp.as_ref())?;
            let comm = args
                .filename
                .rsplit(|b| *b == b'/')
                .next()
                .unwrap_or(&[])
                .iter()
                .take(15)
                .copied()
                .collect();
            return Ok(Image { entry, sp, comm });
        }
        return Err(Errno::ENOEXEC);
    }
}

fn read_full(file: &File, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
    let mut done = 0;
    while done < buf.len() {
        let n = file.read_at(&mut buf[done..], off + done as u64)?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

/// Split a `#!` line into interpreter and optional single argument, as Linux does.
fn parse_shebang(head: &[u8]) -> Result<(Vec<u8>, Option<Vec<u8>>), Errno> {
    let is_ws = |b: &u8| *b == b' ' || *b == b'\t';
    let line: &[u8] = match head.iter().position(|b| *b == b'\n') {
        Some(i) => &head[2..i],
        None => {
            // No newline in the buffer: Linux only accepts it if the
            // interpreter name visibly ends (space, tab or NUL) before the
            // buffer's last byte; otherwise the name may be truncated.
            let body = &head[2..head.len().clamp(2, BINPRM_BUF - 1)];
            let Some(start) = body.iter().position(|b| !is_ws(b)) else {
                return Err(Errno::ENOEXEC);
            };
            if !body[start..].iter().any(|b| is_ws(b) || *b == 0) {
                return Err(Errno::ENOEXEC);
            }
            body
        }
    };
    // A NUL ends the line as far as the interpreter and argument go.
    let line = &line[..line.iter().position(|b| *b == 0).unwrap_or(line.len())];
    let line: &[u8] = {
        let s = line.iter().position(|b| !is_ws(b)).unwrap_or(line.len());
        let e = line
            .iter()
            .rposition(|b| !is_ws(b))
            .map(|i| i + 1)
            .unwrap_or(s);
        &line[s..e.max(s)]
    };
    if line.is_empty() {
        return Err(Errno::ENOEXEC);
    }
    let split = line.iter().position(is_ws);
    let interp = line[..split.unwrap_or(line.len())].to_vec();
    let arg = split.and_then(|i| {
        let rest = &line[i..];
        let s = rest.iter().position(|b| !is_ws(b))?;
        Some(rest[s..].to_vec())
    });
    Ok((interp, arg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_parsing() {
        assert_eq!(
            parse_shebang(b"#!/bin/sh\n").unwrap(),
            (b"/bin/sh".to_vec(), None)
        );
        assert_eq!(
            parse_shebang(b"#! /usr/bin/env  python3 -u \nx").unwrap(),
            (b"/usr/bin/env".to_vec(), Some(b"python3 -u".to_vec()))
        );
        assert_eq!(parse_shebang(b"#!   \n"), Err(Errno::ENOEXEC));
    }
}

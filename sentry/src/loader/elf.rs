//! ELF parsing (through checked byte views) and segment mapping.

use super::read_full;
use crate::mm::memfile::PAGE;
use crate::mm::{
    page_down, page_up, Backing, MapRequest, MemoryManager, PROT_EXEC, PROT_READ, PROT_WRITE,
};
use crate::vfs::{File, MmapSource};
use std::sync::Arc;
use syscalls::abi::{Elf64Ehdr, Elf64Phdr};
use syscalls::{Errno, Pod};

const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const EM_X86_64: u16 = 62;
const PT_LOAD: u32 = 1;
const PT_INTERP: u32 = 3;
const PT_PHDR: u32 = 6;
/// Linux's ELF_ET_DYN_BASE on x86_64 without randomisation.
const ET_DYN_BASE: u64 = 0x5555_5555_4000;

pub struct ElfInfo {
    pub ehdr: Elf64Ehdr,
    pub phdrs: Vec<Elf64Phdr>,
    pub interp: Option<Vec<u8>>,
}

/// Where an ELF object ended up.
pub struct Loaded {
    pub bias: u64,
    pub entry: u64,
    pub phdr: u64,
    pub phnum: u64,
    pub brk: u64,
}

impl ElfInfo {
    pub fn parse(file: &File) -> Result<ElfInfo, Errno> {
        let mut hb = [0u8; 64];
        if read_full(file, &mut hb, 0)? < 64 {
            return Err(Errno::ENOEXEC);
        }
        let ehdr = Elf64Ehdr::from_bytes(&hb).ok_or(Errno::ENOEXEC)?;
        let id = ehdr.e_ident;
        if &id[..4] != b"\x7fELF" || id[4] != 2 || id[5] != 1 || id[6] != 1 {
            return Err(Errno::ENOEXEC);
        }
        if (ehdr.e_type != ET_EXEC && ehdr.e_type != ET_DYN) || ehdr.e_machine != EM_X86_64 {
            return Err(Errno::ENOEXEC);
        }
        if ehdr.e_phentsize as usize != std::mem::size_of::<Elf64Phdr>() {
            return Err(Errno::ENOEXEC);
        }
        let n = ehdr.e_phnum as usize;
        if n == 0 || n * 56 > 65536 {
            return Err(Errno::ENOEXEC);
        }
        let mut pb = vec![0u8; n * 56];
        if read_full(file, &mut pb, ehdr.e_phoff)? < pb.len() {
            return Err(Errno::ENOEXEC);
        }
        let phdrs: Vec<Elf64Phdr> = pb
            .chunks_exact(56)
            .filter_map(Elf64Phdr::from_bytes)
            .collect();
        let mut interp = None;
        for p in &phdrs {
            if p.p_type == PT_INTERP {
                if p.p_filesz < 2 || p.p_filesz > libc::PATH_MAX as u64 || interp.is_some() {
                    return Err(Errno::ENOEXEC);
                }
                let mut b = vec![0u8; p.p_filesz as usize];
                if read_full(file, &mut b, p.p_offset)? < b.len() || b.last() != Some(&0) {
                    return Err(Errno::ENOEXEC);
                }
                b.pop();
                interp = Some(b);
            }
        }
        if !phdrs.iter().any(|p| p.p_type == PT_LOAD) {
            return Err(Errno::ENOEXEC);
        }
        Ok(ElfInfo {
            ehdr,
            phdrs,
            interp,
        })
    }
}

fn prot_of(flags: u32) -> i32 {
    let mut p = 0;
    if flags & 4 != 0 {
        p |= PROT_READ;
    }
    if flags & 2 != 0 {
        p |= PROT_WRITE;
    }
    if flags & 1 != 0 {
        p |= PROT_EXEC;
    }
    p
}

/// Map the PT_LOAD segments of `info` into `mm`. `main` selects the main
/// executable's placement (ET_DYN_BASE for PIE) over the interpreter's.
pub fn map_elf(
    file: &File,
    info: &ElfInfo,
    mm: &Arc<MemoryManager>,
    main: bool,
) -> Result<Loaded, Errno> {
    let (obj, size, name) = match file.mmap()? {
        MmapSource::Object { obj, size, name } => (obj, size, name),
        MmapSource::Zero => return Err(Errno::ENOEXEC),
    };
    let file_id = file.stat().ok().map(|st| (st.st_dev, st.st_ino));
    let loads: Vec<&Elf64Phdr> = info.phdrs.iter().filter(|p| p.p_type == PT_LOAD).collect();
    let mut lo = u64::MAX;
    let mut hi = 0u64;
    for p in &loads {
        if p.p_filesz > p.p_memsz || p.p_offset % PAGE != p.p_vaddr % PAGE {
            return Err(Errno::EINVAL);
        }
        let end = p.p_vaddr.checked_add(p.p_memsz).ok_or(Errno::EINVAL)?;
        lo = lo.min(page_down(p.p_vaddr));
        hi = hi.max(page_up(end).ok_or(Errno::EINVAL)?);
    }
    let span = hi - lo;
    let bias = if info.ehdr.e_type == ET_EXEC {
        0
    } else {
        // Reserve the whole span so segments land at fixed distances.
        let want = if main && info.interp.is_some() {
            ET_DYN_BASE
        } else {
            0
        };
        let mut req = MapRequest::anon(want, span, 0);
        req.fixed = want != 0;
        let base = mm.map(req)?;
        base.wrapping_sub(lo)
    };
    let mut brk = 0;
    for p in &loads {
        let prot = prot_of(p.p_flags);
        let start = page_down(bias.wrapping_add(p.p_vaddr));
        let file_end = bias.wrapping_add(p.p_vaddr).wrapping_add(p.p_filesz);
        let mem_end = bias.wrapping_add(p.p_vaddr).wrapping_add(p.p_memsz);
        let file_map_end = page_up(file_end).ok_or(Errno::EINVAL)?;
        let off = page_down(p.p_offset);
        if p.p_filesz > 0 {
            let mut req = MapRequest::anon(start, file_map_end - start, prot);
            req.fixed = true;
            req.backing = Backing::Object {
                obj: obj.clone(),
                off,
            };
            req.name = Some(name.clone());
            req.file_id = file_id;
            req.obj_pages = size.saturating_sub(off).div_ceil(PAGE);
            mm.map(req)?;
            // Zero the tail of the last file page that belongs to .bss.
            if mem_end > file_end && file_map_end > file_end && prot & PROT_WRITE != 0 {
                mm.zero_out(
                    file_end,
                    (file_map_end.min(page_up(mem_end).unwrap_or(file_map_end)) - file_end)
                        as usize,
                )?;
            }
        }
        let anon_start = if p.p_filesz > 0 { file_map_end } else { start };
        let anon_end = page_up(mem_end).ok_or(Errno::EINVAL)?;
        if anon_end > anon_start {
            let mut req = MapRequest::anon(anon_start, anon_end - anon_start, prot);
            req.fixed = true;
            mm.map(req)?;
        }
        brk = brk.max(mem_end);
    }
    // AT_PHDR: PT_PHDR if present, else the headers inside the first segment.
    let phdr = match info.phdrs.iter().find(|p| p.p_type == PT_PHDR) {
        Some(p) => bias.wrapping_add(p.p_vaddr),
        None => loads
            .iter()
            .find(|p| {
                p.p_offset <= info.ehdr.e_phoff && info.ehdr.e_phoff < p.p_offset + p.p_filesz
            })
            .map(|p| {
                bias.wrapping_add(p.p_vaddr)
                    .wrapping_add(info.ehdr.e_phoff - p.p_offset)
            })
            .unwrap_or(0),
    };
    Ok(Loaded {
        bias,
        entry: bias.wrapping_add(info.ehdr.e_entry),
        phdr,
        phnum: info.ehdr.e_phnum as u64,
        brk: page_up(brk).ok_or(Errno::EINVAL)?,
    })
}

//! The sentry's vDSO: a minimal, valid ELF shared object that exports no
//! functions. glibc finds it through AT_SYSINFO_EHDR, looks up
//! `__vdso_clock_gettime` & co., finds nothing and falls back to real
//! syscalls, which the sentry serves. (A vDSO reading a sentry-updated time
//! page comes later; DESIGN §6.)

use crate::mm::memfile::{MemoryFile, PAGE};
use crate::mm::object::{MemObject, Source};
use crate::mm::{Backing, MapRequest, MemoryManager, PROT_EXEC, PROT_READ};
use std::sync::Arc;
use syscalls::Errno;

const DYN_OFF: usize = 0x100;
const HASH_OFF: usize = 0x200;
const STR_OFF: usize = 0x240;
const SYM_OFF: usize = 0x260;

fn put(b: &mut [u8], off: usize, v: &[u8]) {
    b[off..off + v.len()].copy_from_slice(v);
}

/// The vDSO image (one page).
pub fn image() -> Vec<u8> {
    let mut b = vec![0u8; PAGE as usize];
    // ELF header.
    put(&mut b, 0, b"\x7fELF\x02\x01\x01");
    put(&mut b, 16, &3u16.to_le_bytes()); // ET_DYN
    put(&mut b, 18, &62u16.to_le_bytes()); // EM_X86_64
    put(&mut b, 20, &1u32.to_le_bytes()); // EV_CURRENT
    put(&mut b, 32, &64u64.to_le_bytes()); // e_phoff
    put(&mut b, 52, &64u16.to_le_bytes()); // e_ehsize
    put(&mut b, 54, &56u16.to_le_bytes()); // e_phentsize
    put(&mut b, 56, &2u16.to_le_bytes()); // e_phnum
    put(&mut b, 58, &64u16.to_le_bytes()); // e_shentsize
                                           // PT_LOAD covering the page, R+X.
    let ph = |b: &mut [u8], at: usize, ty: u32, flags: u32, off: u64, size: u64, align: u64| {
        put(b, at, &ty.to_le_bytes());
        put(b, at + 4, &flags.to_le_bytes());
        put(b, at + 8, &off.to_le_bytes());
        put(b, at + 16, &off.to_le_bytes());
        put(b, at + 24, &off.to_le_bytes());
        put(b, at + 32, &size.to_le_bytes());
        put(b, at + 40, &size.to_le_bytes());
        put(b, at + 48, &align.to_le_bytes());
    };
    ph(&mut b, 64, 1, 5, 0, PAGE, PAGE);
    ph(&mut b, 120, 2, 4, DYN_OFF as u64, 6 * 16, 8); // PT_DYNAMIC
                                                      // Dynamic section: DT_HASH, DT_STRTAB, DT_SYMTAB, DT_STRSZ, DT_SYMENT, DT_NULL.
    let dyns: [(u64, u64); 6] = [
        (4, HASH_OFF as u64),
        (5, STR_OFF as u64),
        (6, SYM_OFF as u64),
        (10, 1),
        (11, 24),
        (0, 0),
    ];
    for (i, (tag, val)) in dyns.iter().enumerate() {
        put(&mut b, DYN_OFF + i * 16, &tag.to_le_bytes());
        put(&mut b, DYN_OFF + i * 16 + 8, &val.to_le_bytes());
    }
    // SysV hash: one empty bucket, one chain entry (the null symbol).
    put(&mut b, HASH_OFF, &1u32.to_le_bytes());
    put(&mut b, HASH_OFF + 4, &1u32.to_le_bytes());
    // Empty string table and the null symbol are already zero.
    b
}

/// Build the shared vDSO object once per sandbox.
pub fn object(mf: &Arc<MemoryFile>) -> Result<Arc<MemObject>, Errno> {
    let obj = MemObject::new(mf.clone(), Source::Zero);
    let frame = obj.page(0, 1)?;
    mf.write(frame.off(), &image());
    Ok(obj)
}

/// Map the vDSO into `mm` at `addr`.
pub fn map(mm: &MemoryManager, obj: &Arc<MemObject>, addr: u64) -> Result<u64, Errno> {
    let mut req = MapRequest::anon(addr, PAGE, PROT_READ | PROT_EXEC);
    req.fixed = true;
    req.shared = true;
    req.max_prot = PROT_READ | PROT_EXEC;
    req.backing = Backing::Object {
        obj: obj.clone(),
        off: 0,
    };
    req.name = Some("[vdso]".into());
    req.obj_pages = 1;
    mm.map(req)
}

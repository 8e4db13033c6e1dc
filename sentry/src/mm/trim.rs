//! Trimming the sentry's and the gofer's resident set once the sandbox is
//! up: the code that built it (argument parsing, the ELF loader, the
//! confinement) stays mapped but is rarely run again, and the kernel maps
//! code in 64 KiB fault-around windows, so an idle sandbox would keep most
//! of the `runsc` binary and libc resident. [`release_clean_code`] drops the
//! page-table entries of every loaded object's read-only segments; the
//! pages stay in the page cache (shared with every other sandbox) and come
//! back on the next touch with a minor fault. Writable segments (data,
//! RELRO after relocation) are never touched: dropping their entries
//! would lose what was written.
//!
//! This module holds the unsafe calls (dl_iterate_phdr, madvise).

const PAGE: usize = 4096;

/// Read-only (no PF_W) PT_LOAD ranges of every loaded object except the
/// vDSO, shrunk to whole pages.
fn clean_ranges() -> Vec<(usize, usize)> {
    unsafe extern "C" fn visit(
        info: *mut libc::dl_phdr_info,
        _size: libc::size_t,
        data: *mut libc::c_void,
    ) -> libc::c_int {
        // SAFETY: dl_iterate_phdr passes a valid info for the duration of
        // the call and `data` is the Vec handed in by `clean_ranges`.
        let (info, out) = unsafe { (&*info, &mut *(data as *mut Vec<(usize, usize)>)) };
        if !info.dlpi_name.is_null() {
            // SAFETY: a NUL-terminated name owned by the dynamic linker.
            let name = unsafe { std::ffi::CStr::from_ptr(info.dlpi_name) };
            if name.to_bytes().starts_with(b"linux-vdso") {
                return 0;
            }
        }
        if info.dlpi_phdr.is_null() {
            return 0;
        }
        // SAFETY: dlpi_phdr points at dlpi_phnum program headers.
        let phdrs = unsafe { std::slice::from_raw_parts(info.dlpi_phdr, info.dlpi_phnum as usize) };
        for ph in phdrs {
            if ph.p_type != libc::PT_LOAD || ph.p_flags & libc::PF_W != 0 {
                continue;
            }
            let start = (info.dlpi_addr as usize).wrapping_add(ph.p_vaddr as usize);
            let end = start.wrapping_add(ph.p_memsz as usize);
            // Inward to whole pages: a page shared with a neighbouring
            // writable segment is left alone.
            let (s, e) = (start.div_ceil(PAGE) * PAGE, end / PAGE * PAGE);
            if s < e {
                out.push((s, e - s));
            }
        }
        0
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    // SAFETY: the callback only reads the headers it is given and pushes to
    // the Vec passed as `data`, which outlives the call.
    unsafe {
        libc::dl_iterate_phdr(
            Some(visit),
            &mut out as *mut Vec<(usize, usize)> as *mut libc::c_void,
        );
    }
    out
}

/// Drop the page-table entries of every read-only segment of the loaded
/// objects (see the module comment); returns the bytes advised.
pub fn release_clean_code() -> usize {
    let mut total = 0;
    for (addr, len) in clean_ranges() {
        // SAFETY: the range is a read-only private file mapping of a loaded
        // object (no PF_W, so never written: no private copy to lose); after
        // MADV_DONTNEED its pages fault back in from the file unchanged.
        let r = unsafe { libc::madvise(addr as *mut libc::c_void, len, libc::MADV_DONTNEED) };
        if r == 0 {
            total += len;
        }
    }
    total
}

/// [`release_clean_code`] (then `also`) once the process has settled:
/// after `delay`, on a short-lived thread of its own, so the pages the
/// start-up touched right after the call (the app's first faults, the
/// gofer's first requests) go too. Nothing happens if no thread can be
/// made.
pub fn release_after(delay: std::time::Duration, also: impl FnOnce() + Send + 'static) {
    let _ = std::thread::Builder::new()
        .name("trim".into())
        .stack_size(64 << 10)
        .spawn(move || {
            std::thread::sleep(delay);
            let code = release_clean_code();
            also();
            tracing::debug!("trimmed: {code} bytes of code unmapped");
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_this_binary_and_keeps_running_after_the_trim() {
        let ranges = clean_ranges();
        let here = finds_this_binary_and_keeps_running_after_the_trim as fn() as usize;
        assert!(
            ranges.iter().any(|&(s, l)| (s..s + l).contains(&here)),
            "the text of the test binary is a clean range"
        );
        assert!(release_clean_code() > 0);
        // Code and constants still work after their entries were dropped.
        let v: Vec<String> = (0..100).map(|i| format!("{i:04}")).collect();
        assert_eq!(v[42], "0042");
    }
}

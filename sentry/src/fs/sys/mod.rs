//! sysfs: the read-only `/sys` with the few files programs read to size
//! themselves (CPU lists and topology, transparent huge pages), and empty
//! directories where container tooling looks (`/sys/fs/cgroup`,
//! `/sys/class/net`). The CPUs are the sandbox's (the sched_getaffinity
//! count that `/proc/cpuinfo` also shows): one package, one thread per core.

use crate::fs::proc::text;
use crate::fs::synth::{SynthDir, SynthFs, SYSFS_MAGIC};
use crate::vfs::Inode;
use std::sync::Arc;

/// Linux's `CONFIG_NR_CPUS - 1` on x86_64 distribution kernels.
const KERNEL_MAX: &str = "8191";

/// `0-3`, or `0` for one CPU (Linux's cpulist format).
fn cpu_list(n: usize) -> String {
    if n <= 1 {
        "0".to_string()
    } else {
        format!("0-{}", n - 1)
    }
}

/// A CPU bit mask in sysfs's hex format (comma-separated 32-bit words).
fn cpu_mask(cpus: impl Iterator<Item = usize>) -> String {
    let mut words: Vec<u32> = Vec::new();
    for c in cpus {
        let w = c / 32;
        if words.len() <= w {
            words.resize(w + 1, 0);
        }
        words[w] |= 1 << (c % 32);
    }
    if words.is_empty() {
        words.push(0);
    }
    let mut parts: Vec<String> = words.iter().rev().map(|w| format!("{w:08x}")).collect();
    // The first word without leading zeros, as the kernel's bitmap printer
    // does for masks shorter than 32 bits.
    if let Some(first) = parts.first_mut() {
        let trimmed = first.trim_start_matches('0');
        *first = if trimmed.is_empty() {
            "0".to_string()
        } else {
            trimmed.to_string()
        };
    }
    parts.join(",")
}

fn file(fs: &Arc<SynthFs>, s: String) -> Arc<dyn Inode> {
    let body = format!("{s}\n").into_bytes();
    text(fs, move || body.clone())
}

fn dir(fs: &Arc<SynthFs>) -> Arc<SynthDir> {
    SynthDir::new(fs.clone(), 0o755)
}

/// `/sys/devices/system/cpu`.
fn cpu_dir(fs: &Arc<SynthFs>, n: usize) -> Arc<SynthDir> {
    let cpu = dir(fs);
    for name in ["online", "possible", "present"] {
        cpu.add(name.as_bytes(), file(fs, cpu_list(n)));
    }
    cpu.add(b"offline", file(fs, String::new()));
    cpu.add(b"kernel_max", file(fs, KERNEL_MAX.to_string()));
    for i in 0..n {
        let topo = dir(fs);
        let all = cpu_mask(0..n);
        let me = cpu_mask(std::iter::once(i));
        for (name, v) in [
            ("core_id", i.to_string()),
            ("physical_package_id", "0".to_string()),
            ("die_id", "0".to_string()),
            ("core_cpus", me.clone()),
            ("core_cpus_list", i.to_string()),
            ("thread_siblings", me),
            ("thread_siblings_list", i.to_string()),
            ("core_siblings", all.clone()),
            ("core_siblings_list", cpu_list(n)),
            ("package_cpus", all),
            ("package_cpus_list", cpu_list(n)),
        ] {
            topo.add(name.as_bytes(), file(fs, v));
        }
        let c = dir(fs);
        c.add(b"topology", topo);
        cpu.add(format!("cpu{i}").as_bytes(), c);
    }
    cpu
}

/// A new sysfs instance (its root directory).
pub fn new_sysfs() -> Arc<dyn Inode> {
    let fs = SynthFs::new(SYSFS_MAGIC, true);
    let n = crate::fs::proc::global::cpu_count();
    let root = SynthDir::new(fs.clone(), 0o555);

    let system = dir(&fs);
    system.add(b"cpu", cpu_dir(&fs, n));
    let devices = dir(&fs);
    devices.add(b"system", system);
    root.add(b"devices", devices);

    let thp = dir(&fs);
    thp.add(b"enabled", file(&fs, "always [madvise] never".into()));
    thp.add(
        b"defrag",
        file(&fs, "always defer defer+madvise [madvise] never".into()),
    );
    thp.add(b"hpage_pmd_size", file(&fs, "2097152".into()));
    let mm = dir(&fs);
    mm.add(b"transparent_hugepage", thp);
    let kernel = dir(&fs);
    kernel.add(b"mm", mm);
    root.add(b"kernel", kernel);

    // Filled by the OCI cgroup support.
    let fsdir = dir(&fs);
    fsdir.add(b"cgroup", dir(&fs));
    root.add(b"fs", fsdir);

    let class = dir(&fs);
    class.add(b"net", dir(&fs));
    root.add(b"class", class);
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_masks() {
        assert_eq!(cpu_list(1), "0");
        assert_eq!(cpu_list(4), "0-3");
        assert_eq!(cpu_mask(0..2), "3");
        assert_eq!(cpu_mask(std::iter::once(1)), "2");
        assert_eq!(cpu_mask(0..40), "ff,ffffffff");
    }

    #[test]
    fn tree() {
        let root = new_sysfs();
        let cpu = root
            .lookup(b"devices")
            .and_then(|d| d.lookup(b"system"))
            .and_then(|d| d.lookup(b"cpu"))
            .unwrap();
        assert!(cpu.lookup(b"online").is_ok());
        assert!(cpu.lookup(b"cpu0").unwrap().lookup(b"topology").is_ok());
        assert!(root.readonly());
    }
}

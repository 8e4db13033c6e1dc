//! Files and processes on the host: the fixture tree, scratch directories,
//! mount clean-up, process listings.

use super::*;

/// Bumped whenever the fixture tree changes, so stale trees are not reused.
const FIXTURE_VERSION: u32 = 1;

/// The byte at offset `i` of `file.txt` and `big.bin`.
pub fn pattern_byte(i: usize) -> u8 {
    b'a' + ((i * 7 + i / 251) % 26) as u8
}

/// A directory tree of known content on the host, shared by all tests (created once):
///
/// ```text
/// file.txt        10000 bytes of pattern_byte(), mode 0644
/// big.bin         3*4096+100 bytes of pattern_byte(), 0644
/// small.txt       "hello, world\n", 0644
/// empty           0 bytes, 0644
/// mode0000        "secret\n", mode 0000
/// exec_text       "just some text\n", 0755 (not ELF, no #!)
/// exec_empty      empty, 0755
/// noexec.sh       "#!/bin/sh\necho hi\n", 0644 (no x bit)
/// script.sh       "#!/bin/sh -e\necho script-ran \"$0\" \"$@\"\n", 0755
/// script_badinterp "#!/nonexistent/interpreter\n", 0755
/// dir/            a b c (files: "A\n" "B\n" "C\n"), sub/ (dir), link -> a
/// link_rel -> file.txt, link_abs -> <abs>/file.txt, link_dir -> dir,
/// link_dangling -> nonexistent, loop1 -> loop2, loop2 -> loop1
/// ```
pub fn fixtures() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = bin_dir().join(format!("fixtures-v{FIXTURE_VERSION}"));
        if dir.join(".complete").exists() {
            return dir;
        }
        let tmp = bin_dir().join(format!(".{}", unique_name("fixtures")));
        build_fixtures(&tmp, &dir);
        fs::write(tmp.join(".complete"), "").unwrap();
        if fs::rename(&tmp, &dir).is_err() {
            // Another process won the race (or a partial old tree is in the way).
            if !dir.join(".complete").exists() {
                let _ = fs::remove_dir_all(&dir);
                fs::rename(&tmp, &dir).expect("install fixtures");
            } else {
                let _ = fs::remove_dir_all(&tmp);
            }
        }
        dir
    })
    .clone()
}

fn write_mode(path: &Path, content: &[u8], mode: u32) {
    fs::write(path, content).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn build_fixtures(tmp: &Path, final_dir: &Path) {
    fs::create_dir_all(tmp.join("dir/sub")).unwrap();
    let pat = |n: usize| (0..n).map(pattern_byte).collect::<Vec<u8>>();
    write_mode(&tmp.join("file.txt"), &pat(10000), 0o644);
    write_mode(&tmp.join("big.bin"), &pat(3 * 4096 + 100), 0o644);
    write_mode(&tmp.join("small.txt"), b"hello, world\n", 0o644);
    write_mode(&tmp.join("empty"), b"", 0o644);
    write_mode(&tmp.join("mode0000"), b"secret\n", 0o000);
    write_mode(&tmp.join("exec_text"), b"just some text\n", 0o755);
    write_mode(&tmp.join("exec_empty"), b"", 0o755);
    write_mode(&tmp.join("noexec.sh"), b"#!/bin/sh\necho hi\n", 0o644);
    write_mode(
        &tmp.join("script.sh"),
        b"#!/bin/sh -e\necho script-ran \"$0\" \"$@\"\n",
        0o755,
    );
    write_mode(
        &tmp.join("script_badinterp"),
        b"#!/nonexistent/interpreter\n",
        0o755,
    );
    for (n, c) in [("a", "A\n"), ("b", "B\n"), ("c", "C\n")] {
        write_mode(&tmp.join("dir").join(n), c.as_bytes(), 0o644);
    }
    fs::set_permissions(tmp.join("dir"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(tmp.join("dir/sub"), fs::Permissions::from_mode(0o755)).unwrap();
    symlink("a", tmp.join("dir/link")).unwrap();
    symlink("file.txt", tmp.join("link_rel")).unwrap();
    symlink(final_dir.join("file.txt"), tmp.join("link_abs")).unwrap();
    symlink("dir", tmp.join("link_dir")).unwrap();
    symlink("nonexistent", tmp.join("link_dangling")).unwrap();
    symlink("loop2", tmp.join("loop1")).unwrap();
    symlink("loop1", tmp.join("loop2")).unwrap();
    fs::set_permissions(tmp, fs::Permissions::from_mode(0o755)).unwrap();
}

/// Detach every mount whose mount point is below one of `prefixes`
/// (deepest first): what container engines' shims leave behind.
pub fn unmount_below(prefixes: &[&Path]) {
    let info = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let prefixes: Vec<String> = prefixes
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let mut points: Vec<String> = info
        .lines()
        .filter_map(|l| l.split(' ').nth(4).map(str::to_string))
        .filter(|p| prefixes.iter().any(|x| p.starts_with(x.as_str())))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in points {
        let Ok(c) = std::ffi::CString::new(p) else {
            continue;
        };
        // SAFETY: a valid NUL-terminated path; umount2 touches no memory of ours.
        unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) };
    }
}

/// A fresh, empty scratch directory under the bin dir (not removed automatically).
pub fn scratch_dir(tag: &str) -> PathBuf {
    let d = bin_dir().join("scratch").join(unique_name(tag));
    fs::create_dir_all(&d).unwrap();
    d
}

// ---------------------------------------------------------------------------------------
// Host process inspection (isolation tests)
// ---------------------------------------------------------------------------------------

/// `(pid, ppid, comm)` of every process on the host.
pub fn host_processes() -> Vec<(i32, i32, String)> {
    let mut v = Vec::new();
    let Ok(rd) = fs::read_dir("/proc") else {
        return v;
    };
    for e in rd.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...; comm may contain spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_string();
        let rest: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let Some(ppid) = rest.get(1).and_then(|s| s.parse().ok()) else {
            continue;
        };
        v.push((pid, ppid, comm));
    }
    v
}

/// All descendants of `root` (not including it) as `(pid, comm)`.
pub fn descendants(root: i32) -> Vec<(i32, String)> {
    let procs = host_processes();
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for (pid, ppid, comm) in &procs {
            if *ppid == p && !out.iter().any(|(q, _)| q == pid) {
                out.push((*pid, comm.clone()));
                frontier.push(*pid);
            }
        }
    }
    out
}

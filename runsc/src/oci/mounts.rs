//! OCI mount options: the strings of a config.json mount's `options` split
//! into mount(2) flags and the file system's data string, as runc does
//! (`parseMountOptions`): flag words set or clear `MS_*` bits, propagation
//! and bind words are recorded, anything else is file-system data
//! (`size=64m`, `mode=755`, `newinstance`...).

/// Options mapped for mount(2).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MountOptions {
    /// `MS_*` flags.
    pub flags: u64,
    /// Comma-joined file-system options.
    pub data: String,
    /// `bind` or `rbind` was given.
    pub bind: bool,
}

/// Words that set (true) or clear (false) a flag.
const FLAGS: &[(&str, bool, u64)] = &[
    ("ro", true, libc::MS_RDONLY),
    ("rw", false, libc::MS_RDONLY),
    ("nosuid", true, libc::MS_NOSUID),
    ("suid", false, libc::MS_NOSUID),
    ("nodev", true, libc::MS_NODEV),
    ("dev", false, libc::MS_NODEV),
    ("noexec", true, libc::MS_NOEXEC),
    ("exec", false, libc::MS_NOEXEC),
    ("sync", true, libc::MS_SYNCHRONOUS),
    ("async", false, libc::MS_SYNCHRONOUS),
    ("dirsync", true, libc::MS_DIRSYNC),
    ("mand", true, libc::MS_MANDLOCK),
    ("nomand", false, libc::MS_MANDLOCK),
    ("noatime", true, libc::MS_NOATIME),
    ("atime", false, libc::MS_NOATIME),
    ("nodiratime", true, libc::MS_NODIRATIME),
    ("diratime", false, libc::MS_NODIRATIME),
    ("relatime", true, libc::MS_RELATIME),
    ("norelatime", false, libc::MS_RELATIME),
    ("strictatime", true, libc::MS_STRICTATIME),
    ("nostrictatime", false, libc::MS_STRICTATIME),
    ("remount", true, libc::MS_REMOUNT),
    ("silent", true, libc::MS_SILENT),
    ("loud", false, libc::MS_SILENT),
];

/// Words runc consumes without passing them to the file system: mount
/// propagation (the sandbox has one mount namespace of its own, so it is
/// recorded nowhere), recursive flag variants and runc extensions.
const IGNORED: &[&str] = &[
    "private",
    "rprivate",
    "shared",
    "rshared",
    "slave",
    "rslave",
    "unbindable",
    "runbindable",
    "tmpcopyup",
    "rro",
    "rrw",
    "rnosuid",
    "rsuid",
    "rnodev",
    "rdev",
    "rnoexec",
    "rexec",
    "rnoatime",
    "ratime",
    "rrelatime",
    "rstrictatime",
    "idmap",
    "ridmap",
    "nosymfollow",
    "rnosymfollow",
];

/// Every option word understood (flags, bind words, the words consumed
/// without effect), sorted: `runsc features`' `mountOptions`. File-system
/// data (`size=`, `mode=`) is not listed, as in runc's output.
pub fn known_options() -> Vec<&'static str> {
    let mut v: Vec<&str> = FLAGS
        .iter()
        .map(|(name, ..)| *name)
        .chain(IGNORED.iter().copied())
        .chain(["bind", "rbind", "defaults"])
        .collect();
    v.sort_unstable();
    v
}

/// Split `options` as runc does.
pub fn parse(options: &[String]) -> MountOptions {
    let mut o = MountOptions::default();
    let mut data = Vec::new();
    for word in options {
        let w = word.as_str();
        if let Some((_, set, bit)) = FLAGS.iter().find(|(name, ..)| *name == w) {
            if *set {
                o.flags |= bit;
            } else {
                o.flags &= !bit;
            }
        } else if w == "bind" || w == "rbind" {
            o.bind = true;
        } else if w == "defaults" {
            // mount(8)'s word for rw,suid,dev,exec,async: nothing to set.
        } else if !IGNORED.contains(&w) && !w.is_empty() {
            data.push(w);
        }
    }
    o.data = data.join(",");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn docker_dev_shm() {
        let o = parse(&words(&[
            "noexec",
            "nosuid",
            "nodev",
            "mode=1777",
            "size=67108864",
        ]));
        assert_eq!(o.flags, libc::MS_NOEXEC | libc::MS_NOSUID | libc::MS_NODEV);
        assert_eq!(o.data, "mode=1777,size=67108864");
        assert!(!o.bind);
    }

    #[test]
    fn later_words_win_and_propagation_is_not_data() {
        let o = parse(&words(&[
            "ro",
            "rw",
            "rbind",
            "rprivate",
            "newinstance",
            "gid=5",
        ]));
        assert_eq!(o.flags, 0);
        assert!(o.bind);
        assert_eq!(o.data, "newinstance,gid=5");
    }
}

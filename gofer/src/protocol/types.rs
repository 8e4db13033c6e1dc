//! Fixed-layout value types carried in messages.

use super::{DecodeError, Decoder, Encoder};

/// A point in time as `stat` reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Timestamp {
    pub sec: i64,
    /// Always below 1_000_000_000.
    pub nsec: u32,
}

impl Timestamp {
    pub(super) fn encode(&self, e: &mut Encoder) {
        e.i64(self.sec).u32(self.nsec);
    }
    pub(super) fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let sec = d.i64()?;
        let nsec = d.u32()?;
        if nsec >= 1_000_000_000 {
            return Err(DecodeError::Invalid("nanoseconds"));
        }
        Ok(Timestamp { sec, nsec })
    }
}

/// File attributes (the host's `statx`, unchanged).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Attr {
    pub dev: u64,
    pub ino: u64,
    /// File type and permission bits (`S_IFMT | 07777`).
    pub mode: u32,
    pub nlink: u64,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u64,
    pub size: u64,
    pub blksize: u32,
    /// In 512-byte units.
    pub blocks: u64,
    pub atime: Timestamp,
    pub mtime: Timestamp,
    pub ctime: Timestamp,
    /// Birth time, when the host filesystem records it.
    pub btime: Option<Timestamp>,
}

impl Attr {
    /// The `S_IFMT` bits of `mode`.
    pub fn file_type(&self) -> u32 {
        self.mode & libc::S_IFMT
    }
    pub fn is_dir(&self) -> bool {
        self.file_type() == libc::S_IFDIR
    }
    pub fn is_symlink(&self) -> bool {
        self.file_type() == libc::S_IFLNK
    }
    pub fn is_file(&self) -> bool {
        self.file_type() == libc::S_IFREG
    }

    pub fn encode(&self, e: &mut Encoder) {
        e.u64(self.dev).u64(self.ino).u32(self.mode).u64(self.nlink);
        e.u32(self.uid).u32(self.gid).u64(self.rdev).u64(self.size);
        e.u32(self.blksize).u64(self.blocks);
        self.atime.encode(e);
        self.mtime.encode(e);
        self.ctime.encode(e);
        e.bool(self.btime.is_some());
        self.btime.unwrap_or_default().encode(e);
    }

    pub fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let mut a = Attr {
            dev: d.u64()?,
            ino: d.u64()?,
            mode: d.u32()?,
            nlink: d.u64()?,
            uid: d.u32()?,
            gid: d.u32()?,
            rdev: d.u64()?,
            size: d.u64()?,
            blksize: d.u32()?,
            blocks: d.u64()?,
            atime: Timestamp::decode(d)?,
            mtime: Timestamp::decode(d)?,
            ctime: Timestamp::decode(d)?,
            btime: None,
        };
        let has_btime = d.bool()?;
        let btime = Timestamp::decode(d)?;
        if has_btime {
            a.btime = Some(btime);
        }
        Ok(a)
    }
}

/// One directory entry. `.` and `..` are never sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dirent {
    pub ino: u64,
    /// Cookie that resumes the listing after this entry.
    pub next: u64,
    /// `DT_*` type.
    pub d_type: u8,
    pub name: Vec<u8>,
}

pub(super) const DIRENT_MIN_LEN: usize = 8 + 8 + 1 + 4;

impl Dirent {
    /// Encoded size of this entry.
    pub fn wire_len(&self) -> usize {
        DIRENT_MIN_LEN + self.name.len()
    }
}

/// Filesystem statistics (the host's `statfs` and `statvfs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Statfs {
    /// Filesystem magic (`f_type`).
    pub fs_type: u64,
    pub bsize: u64,
    pub blocks: u64,
    pub bfree: u64,
    pub bavail: u64,
    pub files: u64,
    pub ffree: u64,
    pub fsid: u64,
    pub namelen: u64,
    pub frsize: u64,
    /// `ST_*` mount flags.
    pub flags: u64,
}

impl Statfs {
    pub(super) fn encode(&self, e: &mut Encoder) {
        for v in [
            self.fs_type,
            self.bsize,
            self.blocks,
            self.bfree,
            self.bavail,
            self.files,
            self.ffree,
            self.fsid,
            self.namelen,
            self.frsize,
            self.flags,
        ] {
            e.u64(v);
        }
    }
    pub(super) fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        Ok(Statfs {
            fs_type: d.u64()?,
            bsize: d.u64()?,
            blocks: d.u64()?,
            bfree: d.u64()?,
            bavail: d.u64()?,
            files: d.u64()?,
            ffree: d.u64()?,
            fsid: d.u64()?,
            namelen: d.u64()?,
            frsize: d.u64()?,
            flags: d.u64()?,
        })
    }
}

/// How `SetAttr` changes a timestamp (`UTIME_OMIT`, `UTIME_NOW`, or a value).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeSet {
    #[default]
    Omit,
    Now,
    At(Timestamp),
}

/// Changes requested by `SetAttr`; `None` / [`TimeSet::Omit`] leave a field alone. Ownership is
/// changed first, then mode, size and times (so a chown's clearing of set-id bits does not undo
/// a requested mode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetAttr {
    /// Permission bits (`07777`); the file type cannot change.
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub size: Option<u64>,
    pub atime: TimeSet,
    pub mtime: TimeSet,
}

/// Mask bits of the `SetAttr` wire format.
pub mod setattr_mask {
    pub const MODE: u32 = 1 << 0;
    pub const UID: u32 = 1 << 1;
    pub const GID: u32 = 1 << 2;
    pub const SIZE: u32 = 1 << 3;
    pub const ATIME: u32 = 1 << 4;
    pub const ATIME_NOW: u32 = 1 << 5;
    pub const MTIME: u32 = 1 << 6;
    pub const MTIME_NOW: u32 = 1 << 7;
    pub const ALL: u32 = (1 << 8) - 1;
}

impl SetAttr {
    pub(super) fn encode(&self, e: &mut Encoder) {
        use setattr_mask::*;
        let mut mask = 0;
        let mut bit = |cond: bool, b: u32| {
            if cond {
                mask |= b
            }
        };
        bit(self.mode.is_some(), MODE);
        bit(self.uid.is_some(), UID);
        bit(self.gid.is_some(), GID);
        bit(self.size.is_some(), SIZE);
        bit(matches!(self.atime, TimeSet::At(_)), ATIME);
        bit(self.atime == TimeSet::Now, ATIME_NOW);
        bit(matches!(self.mtime, TimeSet::At(_)), MTIME);
        bit(self.mtime == TimeSet::Now, MTIME_NOW);
        e.u32(mask);
        e.u32(self.mode.unwrap_or(0));
        e.u32(self.uid.unwrap_or(0));
        e.u32(self.gid.unwrap_or(0));
        e.u64(self.size.unwrap_or(0));
        for t in [self.atime, self.mtime] {
            match t {
                TimeSet::At(ts) => ts.encode(e),
                _ => Timestamp::default().encode(e),
            }
        }
    }

    pub(super) fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        use setattr_mask::*;
        let mask = d.u32()?;
        if mask & !ALL != 0
            || (mask & ATIME != 0 && mask & ATIME_NOW != 0)
            || (mask & MTIME != 0 && mask & MTIME_NOW != 0)
        {
            return Err(DecodeError::Invalid("setattr mask"));
        }
        let mode = d.u32()?;
        if mode & !0o7777 != 0 {
            return Err(DecodeError::Invalid("setattr mode"));
        }
        let uid = d.u32()?;
        let gid = d.u32()?;
        let size = d.u64()?;
        let atime = Timestamp::decode(d)?;
        let mtime = Timestamp::decode(d)?;
        let time = |set: u32, now: u32, ts: Timestamp| {
            if mask & set != 0 {
                TimeSet::At(ts)
            } else if mask & now != 0 {
                TimeSet::Now
            } else {
                TimeSet::Omit
            }
        };
        Ok(SetAttr {
            mode: (mask & MODE != 0).then_some(mode),
            uid: (mask & UID != 0).then_some(uid),
            gid: (mask & GID != 0).then_some(gid),
            size: (mask & SIZE != 0).then_some(size),
            atime: time(ATIME, ATIME_NOW, atime),
            mtime: time(MTIME, MTIME_NOW, mtime),
        })
    }
}

//! Wire format of the gofer protocol.
//!
//! Every message is a header followed by a payload, all little-endian:
//!
//! ```text
//! offset 0  u16  op       operation (see [`Op`]); a response echoes its request's op
//! offset 2  u16  flags    requests: 0; responses: [`FLAG_ERROR`] when the payload is an errno
//! offset 4  u32  len      payload length in bytes (must equal what follows the header)
//! offset 8  ...  payload
//! ```
//!
//! Payload fields are fixed-width integers; byte strings are a `u32` length followed by the bytes;
//! lists are a `u32` count followed by the elements. An error response's payload is the errno as a
//! `u32`. Parsing goes through [`Decoder`], which checks every length against what is left of the
//! message and fails on truncation, trailing bytes or out-of-range values; nothing is ever cast
//! from bytes to a struct. Requests and responses are built with [`Encoder`].
//!
//! A message never exceeds [`MAX_MESSAGE`] bytes. File descriptors travel beside the bytes as
//! `SCM_RIGHTS`: exactly one with successful `Open` and `Create` responses, none otherwise.
//!
//! Payloads (`h` = handle `u64`, `name`/`bytes` = length-prefixed, `attr` = [`Attr`] in
//! [`ATTR_LEN`] bytes, `node` = `h attr`):
//!
//! ```text
//! op  name      request                                        reply
//!  1  Attach    -                                              node
//!  2  Walk      h, u32 n, name*n                               u32 n, node*n
//!  3  Stat      h                                              attr
//!  4  Open      h, i32 flags                                   - (+1 fd)
//!  5  Readlink  h                                              bytes
//!  6  Getdents  h, u64 cookie, u32 max                         u32 n, (u64 ino, u64 next, u8 type, name)*n
//!  7  Statfs    h                                              11 x u64 (see Statfs)
//!  8  Release   u32 n, h*n                                     -
//!  9  Create    h, name, i32 flags, u32 mode, u32 uid, u32 gid node (+1 fd)
//! 10  Mkdir     h, name, u32 mode, u32 uid, u32 gid            node
//! 11  Symlink   h, name, bytes target, u32 uid, u32 gid        node
//! 12  Link      h dir, name, h target                          node
//! 13  Mknod     h, name, u32 mode, u32 uid, u32 gid            node
//! 14  Unlink    h, name, i32 flags                             -
//! 15  Rename    h, name, h, name, u32 flags                    -
//! 16  SetAttr   h, u32 mask, u32 mode, u32 uid, u32 gid,       attr
//!               u64 size, (i64, u32) atime, (i64, u32) mtime
//! 17  Fsync     h                                              -
//! ```

mod message;
#[cfg(test)]
mod tests;
mod types;

pub use message::{decode_response, encode_error, encode_response, Reply, Request};
pub use types::{setattr_mask, Attr, Dirent, SetAttr, Statfs, TimeSet, Timestamp};

/// Size of the message header.
pub const HEADER_LEN: usize = 8;
/// Largest message (header included) either side sends or accepts.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// Longest file name component (Linux `NAME_MAX`).
pub const MAX_NAME_LEN: usize = 255;
/// Longest symlink target (Linux `PATH_MAX` minus the NUL).
pub const MAX_SYMLINK_LEN: usize = 4095;
/// Longest extended attribute name (Linux `XATTR_NAME_MAX`).
pub const MAX_XATTR_NAME: usize = 255;
/// Largest extended attribute value (Linux allows 64 KiB; one message must hold it).
pub const MAX_XATTR_VALUE: usize = 60 * 1024;
/// Most components one `Walk` request may carry (the client splits longer walks).
pub const MAX_WALK_NAMES: usize = 256;
/// Most handles one `Release` request may carry (the client splits longer lists).
pub const MAX_RELEASE_HANDLES: usize = 4096;
/// Response flag: the payload is an errno (`u32`) instead of the op's reply.
pub const FLAG_ERROR: u16 = 1;
/// Encoded size of an [`Attr`].
pub const ATTR_LEN: usize = 8 + 8 + 4 + 8 + 4 + 4 + 8 + 8 + 4 + 8 + 3 * 12 + 1 + 12;

/// Checks that `name` is a single path component the server accepts: not empty, `.` or `..`,
/// without `/` or NUL (`EINVAL`), at most [`MAX_NAME_LEN`] bytes (`ENAMETOOLONG`).
pub fn check_name(name: &[u8]) -> Result<(), syscalls::Errno> {
    use syscalls::Errno;
    if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') || name.contains(&0)
    {
        return Err(Errno::EINVAL);
    }
    if name.len() > MAX_NAME_LEN {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok(())
}

/// A server-side id for a walked node. Never a path: the server keeps an fd per handle, so a
/// handle keeps naming the same file however the tree around it changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Handle(pub u64);

/// Operations. The numbers are part of the wire format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Op {
    Attach = 1,
    Walk = 2,
    Stat = 3,
    Open = 4,
    Readlink = 5,
    Getdents = 6,
    Statfs = 7,
    Release = 8,
    Create = 9,
    Mkdir = 10,
    Symlink = 11,
    Link = 12,
    Mknod = 13,
    Unlink = 14,
    Rename = 15,
    SetAttr = 16,
    Fsync = 17,
    GetXattr = 18,
    SetXattr = 19,
    ListXattr = 20,
    RemoveXattr = 21,
}

impl Op {
    const ALL: [Op; 21] = [
        Op::Attach,
        Op::Walk,
        Op::Stat,
        Op::Open,
        Op::Readlink,
        Op::Getdents,
        Op::Statfs,
        Op::Release,
        Op::Create,
        Op::Mkdir,
        Op::Symlink,
        Op::Link,
        Op::Mknod,
        Op::Unlink,
        Op::Rename,
        Op::SetAttr,
        Op::Fsync,
        Op::GetXattr,
        Op::SetXattr,
        Op::ListXattr,
        Op::RemoveXattr,
    ];

    /// The op numbered `v`, if any.
    pub fn from_u16(v: u16) -> Option<Op> {
        Op::ALL.iter().copied().find(|op| *op as u16 == v)
    }

    /// How many fds accompany a successful response to this op.
    pub fn reply_fds(self) -> usize {
        match self {
            Op::Open | Op::Create => 1,
            _ => 0,
        }
    }
}

/// Why a message could not be decoded or encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("message truncated")]
    Truncated,
    #[error("trailing bytes after the payload")]
    TrailingBytes,
    #[error("unknown operation {0}")]
    UnknownOp(u16),
    #[error("invalid {0}")]
    Invalid(&'static str),
    #[error("message larger than MAX_MESSAGE")]
    TooLarge,
    #[error("response to another operation")]
    WrongOp,
}

/// Checked reader over a byte slice. Every read fails with [`DecodeError::Truncated`] instead of
/// reading past the end.
#[derive(Debug)]
pub struct Decoder<'a> {
    buf: &'a [u8],
}

impl<'a> Decoder<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Decoder { buf }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.buf.len() {
            return Err(DecodeError::Truncated);
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }
    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    pub fn i32(&mut self) -> Result<i32, DecodeError> {
        Ok(i32::from_le_bytes(self.array()?))
    }
    pub fn i64(&mut self) -> Result<i64, DecodeError> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    pub fn bool(&mut self) -> Result<bool, DecodeError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError::Invalid("boolean")),
        }
    }
    pub fn handle(&mut self) -> Result<Handle, DecodeError> {
        Ok(Handle(self.u64()?))
    }

    /// A length-prefixed byte string.
    pub fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.u32()? as usize;
        self.take(len)
    }

    /// A list count, checked against the bytes left (each element takes at least `min_size`
    /// bytes) and against `max`, so a bogus count never drives a large allocation.
    pub fn count(&mut self, max: usize, min_size: usize) -> Result<usize, DecodeError> {
        let n = self.u32()? as usize;
        if n > max {
            return Err(DecodeError::Invalid("list length"));
        }
        if n.saturating_mul(min_size.max(1)) > self.buf.len() {
            return Err(DecodeError::Truncated);
        }
        Ok(n)
    }

    /// Fails unless everything was consumed.
    pub fn finish(self) -> Result<(), DecodeError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }
}

/// Builds one message: header first, payload appended by the typed writers, length fixed by
/// [`Encoder::finish`].
#[derive(Debug)]
pub struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    /// Starts a message with the given header fields.
    pub fn new(op: u16, flags: u16) -> Self {
        let mut buf = Vec::with_capacity(128);
        buf.extend_from_slice(&op.to_le_bytes());
        buf.extend_from_slice(&flags.to_le_bytes());
        buf.extend_from_slice(&0u32.to_le_bytes());
        Encoder { buf }
    }

    /// Bytes written so far, header included.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True if nothing but the header was written.
    pub fn is_empty(&self) -> bool {
        self.buf.len() == HEADER_LEN
    }

    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.u8(v as u8)
    }
    pub fn handle(&mut self, h: Handle) -> &mut Self {
        self.u64(h.0)
    }

    /// A length-prefixed byte string. Lengths beyond `u32` make [`Encoder::finish`] fail.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u32(u32::try_from(b.len()).unwrap_or(u32::MAX));
        self.buf.extend_from_slice(b);
        self
    }

    /// Writes the payload length into the header; fails if the message exceeds [`MAX_MESSAGE`].
    pub fn finish(mut self) -> Result<Vec<u8>, DecodeError> {
        if self.buf.len() > MAX_MESSAGE {
            return Err(DecodeError::TooLarge);
        }
        let len = (self.buf.len() - HEADER_LEN) as u32;
        self.buf[4..8].copy_from_slice(&len.to_le_bytes());
        Ok(self.buf)
    }
}

/// A parsed message header with its payload.
#[derive(Debug)]
pub struct Frame<'a> {
    pub op: u16,
    pub flags: u16,
    pub payload: &'a [u8],
}

/// Splits a received message into header and payload; the length field must match exactly.
pub fn parse_frame(msg: &[u8]) -> Result<Frame<'_>, DecodeError> {
    if msg.len() > MAX_MESSAGE {
        return Err(DecodeError::TooLarge);
    }
    let mut d = Decoder::new(msg);
    let op = d.u16()?;
    let flags = d.u16()?;
    let len = d.u32()? as usize;
    let payload = d.take(len)?;
    d.finish()?;
    Ok(Frame { op, flags, payload })
}

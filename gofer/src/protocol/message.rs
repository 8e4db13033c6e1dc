//! Requests and responses.

use syscalls::Errno;

use super::types::DIRENT_MIN_LEN;
use super::*;

/// A request. Byte strings borrow from the message (decoding) or from the caller (encoding).
///
/// `uid`/`gid` of created files: `u32::MAX` keeps the server's own id (as with `chown`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request<'a> {
    Attach,
    Walk {
        dir: Handle,
        names: Vec<&'a [u8]>,
    },
    Stat {
        handle: Handle,
    },
    Open {
        handle: Handle,
        flags: i32,
    },
    Readlink {
        handle: Handle,
    },
    Getdents {
        dir: Handle,
        cookie: u64,
        max: u32,
    },
    Statfs {
        handle: Handle,
    },
    Release {
        handles: Vec<Handle>,
    },
    Create {
        dir: Handle,
        name: &'a [u8],
        flags: i32,
        mode: u32,
        uid: u32,
        gid: u32,
    },
    Mkdir {
        dir: Handle,
        name: &'a [u8],
        mode: u32,
        uid: u32,
        gid: u32,
    },
    Symlink {
        dir: Handle,
        name: &'a [u8],
        target: &'a [u8],
        uid: u32,
        gid: u32,
    },
    Link {
        dir: Handle,
        name: &'a [u8],
        target: Handle,
    },
    Mknod {
        dir: Handle,
        name: &'a [u8],
        mode: u32,
        uid: u32,
        gid: u32,
    },
    Unlink {
        dir: Handle,
        name: &'a [u8],
        flags: i32,
    },
    Rename {
        old_dir: Handle,
        old_name: &'a [u8],
        new_dir: Handle,
        new_name: &'a [u8],
        flags: u32,
    },
    SetAttr {
        handle: Handle,
        attr: SetAttr,
    },
    Fsync {
        handle: Handle,
    },
    /// The value of extended attribute `name`.
    GetXattr {
        handle: Handle,
        name: &'a [u8],
    },
    /// Set `name` to `value`; `flags` is 0, `XATTR_CREATE` or `XATTR_REPLACE`.
    SetXattr {
        handle: Handle,
        name: &'a [u8],
        value: &'a [u8],
        flags: i32,
    },
    /// The names of the extended attributes, each NUL-terminated.
    ListXattr {
        handle: Handle,
    },
    RemoveXattr {
        handle: Handle,
        name: &'a [u8],
    },
}

impl<'a> Request<'a> {
    pub fn op(&self) -> Op {
        match self {
            Request::Attach => Op::Attach,
            Request::Walk { .. } => Op::Walk,
            Request::Stat { .. } => Op::Stat,
            Request::Open { .. } => Op::Open,
            Request::Readlink { .. } => Op::Readlink,
            Request::Getdents { .. } => Op::Getdents,
            Request::Statfs { .. } => Op::Statfs,
            Request::Release { .. } => Op::Release,
            Request::Create { .. } => Op::Create,
            Request::Mkdir { .. } => Op::Mkdir,
            Request::Symlink { .. } => Op::Symlink,
            Request::Link { .. } => Op::Link,
            Request::Mknod { .. } => Op::Mknod,
            Request::Unlink { .. } => Op::Unlink,
            Request::Rename { .. } => Op::Rename,
            Request::SetAttr { .. } => Op::SetAttr,
            Request::Fsync { .. } => Op::Fsync,
            Request::GetXattr { .. } => Op::GetXattr,
            Request::SetXattr { .. } => Op::SetXattr,
            Request::ListXattr { .. } => Op::ListXattr,
            Request::RemoveXattr { .. } => Op::RemoveXattr,
        }
    }

    /// Encodes the whole message.
    pub fn encode(&self) -> Result<Vec<u8>, DecodeError> {
        let mut e = Encoder::new(self.op() as u16, 0);
        match self {
            Request::Attach => {}
            Request::Walk { dir, names } => {
                e.handle(*dir).u32(names.len() as u32);
                for n in names {
                    e.bytes(n);
                }
            }
            Request::Stat { handle }
            | Request::Readlink { handle }
            | Request::Statfs { handle }
            | Request::Fsync { handle }
            | Request::ListXattr { handle } => {
                e.handle(*handle);
            }
            Request::GetXattr { handle, name } | Request::RemoveXattr { handle, name } => {
                e.handle(*handle).bytes(name);
            }
            Request::SetXattr {
                handle,
                name,
                value,
                flags,
            } => {
                e.handle(*handle).bytes(name).bytes(value).i32(*flags);
            }
            Request::Open { handle, flags } => {
                e.handle(*handle).i32(*flags);
            }
            Request::Getdents { dir, cookie, max } => {
                e.handle(*dir).u64(*cookie).u32(*max);
            }
            Request::Release { handles } => {
                e.u32(handles.len() as u32);
                for h in handles {
                    e.handle(*h);
                }
            }
            Request::Create {
                dir,
                name,
                flags,
                mode,
                uid,
                gid,
            } => {
                e.handle(*dir)
                    .bytes(name)
                    .i32(*flags)
                    .u32(*mode)
                    .u32(*uid)
                    .u32(*gid);
            }
            Request::Mkdir {
                dir,
                name,
                mode,
                uid,
                gid,
            }
            | Request::Mknod {
                dir,
                name,
                mode,
                uid,
                gid,
            } => {
                e.handle(*dir).bytes(name).u32(*mode).u32(*uid).u32(*gid);
            }
            Request::Symlink {
                dir,
                name,
                target,
                uid,
                gid,
            } => {
                e.handle(*dir).bytes(name).bytes(target).u32(*uid).u32(*gid);
            }
            Request::Link { dir, name, target } => {
                e.handle(*dir).bytes(name).handle(*target);
            }
            Request::Unlink { dir, name, flags } => {
                e.handle(*dir).bytes(name).i32(*flags);
            }
            Request::Rename {
                old_dir,
                old_name,
                new_dir,
                new_name,
                flags,
            } => {
                e.handle(*old_dir)
                    .bytes(old_name)
                    .handle(*new_dir)
                    .bytes(new_name)
                    .u32(*flags);
            }
            Request::SetAttr { handle, attr } => {
                e.handle(*handle);
                attr.encode(&mut e);
            }
        }
        e.finish()
    }

    /// Decodes a whole message (header included).
    pub fn decode(msg: &'a [u8]) -> Result<Request<'a>, DecodeError> {
        let frame = parse_frame(msg)?;
        if frame.flags != 0 {
            return Err(DecodeError::Invalid("request flags"));
        }
        let op = Op::from_u16(frame.op).ok_or(DecodeError::UnknownOp(frame.op))?;
        let mut d = Decoder::new(frame.payload);
        let d = &mut d;
        let req = match op {
            Op::Attach => Request::Attach,
            Op::Walk => {
                let dir = d.handle()?;
                let n = d.count(MAX_WALK_NAMES, 4)?;
                let mut names = Vec::with_capacity(n);
                for _ in 0..n {
                    names.push(d.bytes()?);
                }
                Request::Walk { dir, names }
            }
            Op::Stat => Request::Stat {
                handle: d.handle()?,
            },
            Op::Open => Request::Open {
                handle: d.handle()?,
                flags: d.i32()?,
            },
            Op::Readlink => Request::Readlink {
                handle: d.handle()?,
            },
            Op::Getdents => Request::Getdents {
                dir: d.handle()?,
                cookie: d.u64()?,
                max: d.u32()?,
            },
            Op::Statfs => Request::Statfs {
                handle: d.handle()?,
            },
            Op::Release => {
                let n = d.count(MAX_RELEASE_HANDLES, 8)?;
                let mut handles = Vec::with_capacity(n);
                for _ in 0..n {
                    handles.push(d.handle()?);
                }
                Request::Release { handles }
            }
            Op::Create => Request::Create {
                dir: d.handle()?,
                name: d.bytes()?,
                flags: d.i32()?,
                mode: d.u32()?,
                uid: d.u32()?,
                gid: d.u32()?,
            },
            Op::Mkdir => Request::Mkdir {
                dir: d.handle()?,
                name: d.bytes()?,
                mode: d.u32()?,
                uid: d.u32()?,
                gid: d.u32()?,
            },
            Op::Symlink => Request::Symlink {
                dir: d.handle()?,
                name: d.bytes()?,
                target: d.bytes()?,
                uid: d.u32()?,
                gid: d.u32()?,
            },
            Op::Link => Request::Link {
                dir: d.handle()?,
                name: d.bytes()?,
                target: d.handle()?,
            },
            Op::Mknod => Request::Mknod {
                dir: d.handle()?,
                name: d.bytes()?,
                mode: d.u32()?,
                uid: d.u32()?,
                gid: d.u32()?,
            },
            Op::Unlink => Request::Unlink {
                dir: d.handle()?,
                name: d.bytes()?,
                flags: d.i32()?,
            },
            Op::Rename => Request::Rename {
                old_dir: d.handle()?,
                old_name: d.bytes()?,
                new_dir: d.handle()?,
                new_name: d.bytes()?,
                flags: d.u32()?,
            },
            Op::SetAttr => Request::SetAttr {
                handle: d.handle()?,
                attr: SetAttr::decode(d)?,
            },
            Op::Fsync => Request::Fsync {
                handle: d.handle()?,
            },
            Op::GetXattr => Request::GetXattr {
                handle: d.handle()?,
                name: d.bytes()?,
            },
            Op::SetXattr => Request::SetXattr {
                handle: d.handle()?,
                name: d.bytes()?,
                value: d.bytes()?,
                flags: d.i32()?,
            },
            Op::ListXattr => Request::ListXattr {
                handle: d.handle()?,
            },
            Op::RemoveXattr => Request::RemoveXattr {
                handle: d.handle()?,
                name: d.bytes()?,
            },
        };
        if d.remaining() != 0 {
            return Err(DecodeError::TrailingBytes);
        }
        Ok(req)
    }
}

/// The payload of a successful response. Each op has exactly one variant (listed below); see
/// [`Reply::fits`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// `Open`, `Release`, `Unlink`, `Rename`, `Fsync`, `SetXattr`, `RemoveXattr`.
    Empty,
    /// `Attach`, `Create`, `Mkdir`, `Symlink`, `Link`, `Mknod`.
    Node(Handle, Attr),
    /// `Walk`.
    Nodes(Vec<(Handle, Attr)>),
    /// `Stat`, `SetAttr` (the attributes after the change).
    Attr(Attr),
    /// `Readlink`, `GetXattr`, `ListXattr`.
    Bytes(Vec<u8>),
    /// `Getdents`.
    Dirents(Vec<Dirent>),
    /// `Statfs`.
    Statfs(Statfs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Empty,
    Node,
    Nodes,
    Attr,
    Bytes,
    Dirents,
    Statfs,
}

impl Reply {
    fn shape(&self) -> Shape {
        match self {
            Reply::Empty => Shape::Empty,
            Reply::Node(..) => Shape::Node,
            Reply::Nodes(_) => Shape::Nodes,
            Reply::Attr(_) => Shape::Attr,
            Reply::Bytes(_) => Shape::Bytes,
            Reply::Dirents(_) => Shape::Dirents,
            Reply::Statfs(_) => Shape::Statfs,
        }
    }

    fn shape_of(op: Op) -> Shape {
        match op {
            Op::Open
            | Op::Release
            | Op::Unlink
            | Op::Rename
            | Op::Fsync
            | Op::SetXattr
            | Op::RemoveXattr => Shape::Empty,
            Op::Attach | Op::Create | Op::Mkdir | Op::Symlink | Op::Link | Op::Mknod => Shape::Node,
            Op::Walk => Shape::Nodes,
            Op::Stat | Op::SetAttr => Shape::Attr,
            Op::Readlink | Op::GetXattr | Op::ListXattr => Shape::Bytes,
            Op::Getdents => Shape::Dirents,
            Op::Statfs => Shape::Statfs,
        }
    }

    /// True if this reply has the shape `op` expects.
    pub fn fits(&self, op: Op) -> bool {
        self.shape() == Reply::shape_of(op)
    }

    fn encode(&self, e: &mut Encoder) {
        match self {
            Reply::Empty => {}
            Reply::Node(h, a) => {
                e.handle(*h);
                a.encode(e);
            }
            Reply::Nodes(v) => {
                e.u32(v.len() as u32);
                for (h, a) in v {
                    e.handle(*h);
                    a.encode(e);
                }
            }
            Reply::Attr(a) => a.encode(e),
            Reply::Bytes(b) => {
                e.bytes(b);
            }
            Reply::Dirents(v) => {
                e.u32(v.len() as u32);
                for de in v {
                    e.u64(de.ino).u64(de.next).u8(de.d_type).bytes(&de.name);
                }
            }
            Reply::Statfs(s) => s.encode(e),
        }
    }

    fn decode(op: Op, d: &mut Decoder<'_>) -> Result<Reply, DecodeError> {
        Ok(match Reply::shape_of(op) {
            Shape::Empty => Reply::Empty,
            Shape::Node => Reply::Node(d.handle()?, Attr::decode(d)?),
            Shape::Nodes => {
                let n = d.count(MAX_WALK_NAMES, 8 + ATTR_LEN)?;
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push((d.handle()?, Attr::decode(d)?));
                }
                Reply::Nodes(v)
            }
            Shape::Attr => Reply::Attr(Attr::decode(d)?),
            Shape::Bytes => Reply::Bytes(d.bytes()?.to_vec()),
            Shape::Dirents => {
                let n = d.count(MAX_MESSAGE, DIRENT_MIN_LEN)?;
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push(Dirent {
                        ino: d.u64()?,
                        next: d.u64()?,
                        d_type: d.u8()?,
                        name: d.bytes()?.to_vec(),
                    });
                }
                Reply::Dirents(v)
            }
            Shape::Statfs => Reply::Statfs(Statfs::decode(d)?),
        })
    }
}

/// Encodes a response to `op`. A reply of the wrong shape for `op`, or one too large for a
/// message, is turned into an `EIO` error response.
pub fn encode_response(op: Op, res: &Result<Reply, Errno>) -> Vec<u8> {
    let error = |errno| encode_error(op as u16, errno);
    match res {
        Err(errno) => error(*errno),
        Ok(reply) if !reply.fits(op) => error(Errno::EIO),
        Ok(reply) => {
            let mut e = Encoder::new(op as u16, 0);
            reply.encode(&mut e);
            e.finish().unwrap_or_else(|_| error(Errno::EIO))
        }
    }
}

/// Encodes an error response; `op` is echoed as received (it may be unknown).
pub fn encode_error(op: u16, errno: Errno) -> Vec<u8> {
    let mut e = Encoder::new(op, FLAG_ERROR);
    e.u32(errno as u32);
    // A header and a u32 always fit.
    e.finish().unwrap_or_default()
}

/// Decodes a response to a request of `op`: the outer error is a malformed message (wrong op,
/// bad flags, truncation, unknown errno...), the inner one the server's errno.
pub fn decode_response(op: Op, msg: &[u8]) -> Result<Result<Reply, Errno>, DecodeError> {
    let frame = parse_frame(msg)?;
    if frame.op != op as u16 {
        return Err(DecodeError::WrongOp);
    }
    let mut d = Decoder::new(frame.payload);
    let res = match frame.flags {
        0 => Ok(Reply::decode(op, &mut d)?),
        FLAG_ERROR => {
            let n = d.u32()?;
            let errno = i32::try_from(n)
                .ok()
                .and_then(Errno::from_i32)
                .ok_or(DecodeError::Invalid("errno"))?;
            Err(errno)
        }
        _ => return Err(DecodeError::Invalid("response flags")),
    };
    d.finish()?;
    Ok(res)
}

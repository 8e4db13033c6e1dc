//! The CLI side of the control socket: one request per connection.

use anyhow::Context;
use nix::sys::socket::{
    bind, connect, listen, socket, AddressFamily, Backlog, SockFlag, SockType, UnixAddr,
};
use sentry::kernel::control::{recv_msg, send_msg, Request, Response};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::Path;

/// A unix address for `path`; long paths (sun_path holds 107 bytes) go
/// through an O_PATH fd of the directory (`/proc/self/fd/N/name`).
fn with_addr<T>(path: &Path, f: impl FnOnce(&UnixAddr) -> nix::Result<T>) -> anyhow::Result<T> {
    let s = path.as_os_str().len();
    if s < 100 {
        let a = UnixAddr::new(path)?;
        return f(&a).with_context(|| format!("socket {}", path.display()));
    }
    let dir = path.parent().context("socket path")?;
    let name = path.file_name().context("socket path")?;
    let d = nix::fcntl::open(
        dir,
        nix::fcntl::OFlag::O_PATH | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )
    .with_context(|| format!("open {}", dir.display()))?;
    let short = format!("/proc/self/fd/{d}/{}", name.to_string_lossy());
    let a = UnixAddr::new(short.as_str())?;
    let r = f(&a).with_context(|| format!("socket {}", path.display()));
    let _ = nix::unistd::close(d);
    r
}

fn new_socket() -> anyhow::Result<OwnedFd> {
    socket(
        AddressFamily::Unix,
        SockType::SeqPacket,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .context("control socket")
}

/// The listening control socket (created by `create`, served by the sentry).
pub fn listen_at(path: &Path) -> anyhow::Result<OwnedFd> {
    let s = new_socket()?;
    with_addr(path, |a| bind(s.as_raw_fd(), a))?;
    listen(&s, Backlog::new(64)?).context("listen on the control socket")?;
    Ok(s)
}

/// Connect to the sandbox's control socket.
pub fn connect_to(path: &Path) -> anyhow::Result<OwnedFd> {
    let s = new_socket()?;
    with_addr(path, |a| connect(s.as_raw_fd(), a)).context("the sandbox is not reachable")?;
    Ok(s)
}

/// Send `req` (with `fds`) on a connection.
pub fn send(conn: &OwnedFd, req: &Request, fds: &[RawFd]) -> anyhow::Result<()> {
    let data = serde_json::to_vec(req)?;
    send_msg(conn.as_raw_fd(), &data, fds).context("send to the sandbox")
}

/// Read one response; an error when the sandbox hung up.
pub fn recv(conn: &OwnedFd) -> anyhow::Result<Response> {
    let (data, _) = recv_msg(conn.as_raw_fd()).context("receive from the sandbox")?;
    if data.is_empty() {
        anyhow::bail!("the sandbox closed the control connection");
    }
    serde_json::from_slice(&data).context("bad response from the sandbox")
}

/// One request, one response; the response's error becomes an Err.
pub fn call(sock: &Path, req: &Request) -> anyhow::Result<Response> {
    let c = connect_to(sock)?;
    send(&c, req, &[])?;
    let r = recv(&c)?;
    if !r.error.is_empty() {
        anyhow::bail!("{}", r.error);
    }
    Ok(r)
}

//! The control server (DESIGN §2): how `runsc` verbs talk to a running
//! sandbox. The CLI creates a listening `SOCK_SEQPACKET` unix socket in the
//! container's state directory and hands it to the sentry; a `control`
//! thread accepts connections and serves one JSON [`Request`] per message
//! (fds ride along with `SCM_RIGHTS`), answering with one [`Response`].
//!
//! Requests: `start` (open the gate the init task waits at before its
//! exec), `kill` (a signal to init, a process or every process, sent as
//! from an ancestor pid namespace: init only gets what it handles, plus
//! SIGKILL and SIGSTOP), `ps`, `pause`
//! and `resume` (the [`Freezer`]), and `exec` (a new process with the three
//! stdio fds passed along; a second response on the same connection carries
//! its exit status).

use super::boot::{apply_user, new_process_task, resolve_program, UserSpec, DEFAULT_PATH};
use super::wait::WaitQueue;
use super::{ExitStatus, Kernel};
use nix::sys::socket::{recvmsg, sendmsg, ControlMessage, ControlMessageOwned, MsgFlags};
use serde::{Deserialize, Serialize};
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// Largest control message (JSON) accepted.
pub const MAX_MSG: usize = 256 * 1024;

#[derive(Serialize, Deserialize, Debug, Clone)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    Start,
    /// To init (`pid` 0), to process `pid`, or to every process (`all`).
    Kill {
        signal: i32,
        all: bool,
        #[serde(default)]
        pid: i32,
    },
    Ps,
    Pause,
    Resume,
    /// Stdin, stdout and stderr are attached (SCM_RIGHTS).
    Exec(ExecSpec),
    /// A signal the host's line discipline sent for the terminal of
    /// process `pid`'s session (received by the host process that holds it
    /// as controlling terminal, the relay of `exec --tty`): to that
    /// terminal's foreground group, or a hangup of the session.
    TtySignal {
        signal: i32,
        pid: i32,
    },
}

/// A process to start in the running sandbox.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct ExecSpec {
    pub argv: Vec<String>,
    pub env: Vec<String>,
    pub cwd: String,
    pub user: UserSpec,
    /// Its stdio is a terminal (`--tty`): it becomes the controlling
    /// terminal of the process's session.
    #[serde(default)]
    pub terminal: bool,
}

/// One process of the sandbox, for `runsc ps`.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct ProcInfo {
    /// Pid inside the sandbox.
    pub pid: i32,
    pub ppid: i32,
    /// Host pid of the stub process running its code (0 if not running yet).
    pub host_pid: i32,
    pub comm: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Response {
    /// Empty on success.
    #[serde(default)]
    pub error: String,
    /// The new process (exec).
    #[serde(default)]
    pub pid: i32,
    #[serde(default)]
    pub procs: Vec<ProcInfo>,
    /// The exec'd process ended: its wait(2) status word.
    #[serde(default)]
    pub wait_status: Option<i32>,
}

impl Response {
    fn err(e: impl std::fmt::Display) -> Response {
        Response {
            error: e.to_string(),
            ..Default::default()
        }
    }
}

/// Send one message with optional fds.
pub fn send_msg(sock: RawFd, data: &[u8], fds: &[RawFd]) -> nix::Result<()> {
    let iov = [IoSlice::new(data)];
    let cmsg = [ControlMessage::ScmRights(fds)];
    let cmsgs: &[ControlMessage] = if fds.is_empty() { &[] } else { &cmsg };
    loop {
        match sendmsg::<()>(sock, &iov, cmsgs, MsgFlags::MSG_NOSIGNAL, None) {
            Err(nix::errno::Errno::EINTR) => continue,
            r => return r.map(|_| ()),
        }
    }
}

/// Receive one message and the fds it carries. An empty message means the
/// peer closed the connection.
pub fn recv_msg(sock: RawFd) -> nix::Result<(Vec<u8>, Vec<OwnedFd>)> {
    let mut buf = vec![0u8; MAX_MSG];
    let mut space = nix::cmsg_space!([RawFd; 8]);
    loop {
        let mut iov = [IoSliceMut::new(&mut buf)];
        let r = recvmsg::<()>(sock, &mut iov, Some(&mut space), MsgFlags::MSG_CMSG_CLOEXEC);
        let msg = match r {
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e),
            Ok(m) => m,
        };
        let mut fds = Vec::new();
        for c in msg.cmsgs()? {
            if let ControlMessageOwned::ScmRights(v) = c {
                for fd in v {
                    // SAFETY: SCM_RIGHTS just installed this fd in our table;
                    // nothing else owns it.
                    fds.push(unsafe { OwnedFd::from_raw_fd(fd) });
                }
            }
        }
        let n = msg.bytes;
        buf.truncate(n);
        return Ok((buf, fds));
    }
}

/// Where the init task waits for `start` (create mode).
#[derive(Default)]
pub struct StartGate {
    open: Mutex<bool>,
    cv: Condvar,
}

impl StartGate {
    pub fn open(&self) {
        *self.open.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.cv.notify_all();
    }

    pub fn wait(&self) {
        let mut g = self.open.lock().unwrap_or_else(|p| p.into_inner());
        while !*g {
            g = self.cv.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn is_open(&self) -> bool {
        *self.open.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Freezes every task of the sandbox (`runsc pause`): each task parks at its
/// next pass through the sentry (running stubs are kicked back into it);
/// tasks blocked in a syscall park when the syscall ends.
#[derive(Default)]
pub struct Freezer {
    frozen: AtomicBool,
    thawed: WaitQueue,
}

impl Freezer {
    pub fn frozen(&self) -> bool {
        self.frozen.load(Ordering::SeqCst)
    }

    /// Called by a task's run loop: park while frozen (a kill still gets
    /// through). Returns true if the task parked.
    pub fn park(&self) -> bool {
        if !self.frozen() {
            return false;
        }
        let _ = super::wait::block_on_killable(&[&self.thawed], None, || {
            (!self.frozen()).then_some(())
        });
        true
    }

    fn freeze(&self, k: &Kernel) {
        self.frozen.store(true, Ordering::SeqCst);
        for g in k.tasks.all_groups() {
            for m in g.members().iter() {
                m.wake();
            }
        }
    }

    fn thaw(&self) {
        self.frozen.store(false, Ordering::SeqCst);
        self.thawed.notify_all();
    }
}

/// Start the control thread serving `listener` (a listening socket).
pub fn serve(k: Arc<Kernel>, listener: OwnedFd, gate: Arc<StartGate>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("control".into())
        .spawn(move || loop {
            let conn = match nix::sys::socket::accept4(
                listener.as_raw_fd(),
                nix::sys::socket::SockFlag::SOCK_CLOEXEC,
            ) {
                // SAFETY: accept4 returned a new fd that only we own.
                Ok(fd) => unsafe { OwnedFd::from_raw_fd(fd) },
                Err(nix::errno::Errno::EINTR | nix::errno::Errno::ECONNABORTED) => continue,
                Err(e) => {
                    tracing::error!("control: accept: {e}");
                    return;
                }
            };
            let (k, gate) = (k.clone(), gate.clone());
            let spawned = std::thread::Builder::new()
                .name("control-conn".into())
                .spawn(move || handle(&k, &gate, conn));
            if let Err(e) = spawned {
                tracing::error!("control: cannot start a connection thread: {e}");
            }
        })
        .map(|_| ())
}

fn reply(conn: &OwnedFd, r: &Response) {
    match serde_json::to_vec(r) {
        Ok(v) => {
            if let Err(e) = send_msg(conn.as_raw_fd(), &v, &[]) {
                tracing::debug!("control: reply: {e}");
            }
        }
        Err(e) => tracing::error!("control: encode reply: {e}"),
    }
}

fn handle(k: &Arc<Kernel>, gate: &StartGate, conn: OwnedFd) {
    let (data, fds) = match recv_msg(conn.as_raw_fd()) {
        Ok(m) => m,
        Err(e) => {
            tracing::debug!("control: receive: {e}");
            return;
        }
    };
    if data.is_empty() {
        return;
    }
    let req: Request = match serde_json::from_slice(&data) {
        Ok(r) => r,
        Err(e) => return reply(&conn, &Response::err(format!("bad request: {e}"))),
    };
    tracing::debug!("control: {req:?}");
    let resp = match req {
        Request::Start => {
            if gate.is_open() {
                Response::err("container already started")
            } else {
                gate.open();
                Response::default()
            }
        }
        Request::Kill { signal, all, pid } => kill(k, signal, all, pid),
        Request::Ps => Response {
            procs: ps(k),
            ..Default::default()
        },
        Request::Pause => {
            k.freezer.freeze(k);
            Response::default()
        }
        Request::Resume => {
            k.freezer.thaw();
            Response::default()
        }
        Request::Exec(spec) => return exec(k, spec, fds, &conn),
        Request::TtySignal { signal, pid } => {
            tty_signal(k, signal, pid);
            Response::default()
        }
    };
    reply(&conn, &resp);
}

fn kill(k: &Kernel, sig: i32, all: bool, pid: i32) -> Response {
    let target = if pid > 0 { pid } else { 1 };
    if !(0..=64).contains(&sig) {
        return Response::err(format!("invalid signal {sig}"));
    }
    let groups: Vec<_> = k
        .tasks
        .all_groups()
        .into_iter()
        .filter(|g| all || g.tgid == target)
        .collect();
    if groups.is_empty() {
        return Response::err(if pid > 0 {
            "no such process"
        } else {
            "container not running"
        });
    }
    if sig != 0 {
        // SI_USER from pid 0: sent from outside the sandbox's pid namespace.
        // As in Linux, the namespace's init only gets the signals it has a
        // handler for (SIGKILL and SIGSTOP excepted): `kill ID 15` of an
        // init without a TERM handler does nothing, as with runc.
        for g in groups {
            let unkillable = g.tgid == 1
                && sig != libc::SIGKILL
                && sig != libc::SIGSTOP
                && g.action(sig).handler == libc::SIG_DFL as u64;
            if !unkillable {
                g.send(sig, syscalls::abi::Siginfo::kill(sig, 0, 0, 0));
            }
        }
    }
    Response::default()
}

fn tty_signal(k: &Kernel, sig: i32, pid: i32) {
    if !matches!(
        sig,
        libc::SIGHUP | libc::SIGINT | libc::SIGQUIT | libc::SIGTSTP | libc::SIGWINCH
    ) {
        return;
    }
    let Some((_, sid)) = k.procs.pgid_sid(pid) else {
        return;
    };
    if let Some(term) = crate::fs::tty::ctty(sid) {
        crate::fs::host::host_tty_signal(k, term.job(), sig);
    }
}

fn ps(k: &Kernel) -> Vec<ProcInfo> {
    let mut v: Vec<ProcInfo> = k
        .tasks
        .all_groups()
        .into_iter()
        .filter_map(|g| {
            let leader = g.members().iter().find(|m| m.tid == g.tgid).cloned();
            let leader = leader.or_else(|| g.members().first().cloned())?;
            let comm = String::from_utf8_lossy(
                &leader.view.lock().unwrap_or_else(|p| p.into_inner()).comm,
            )
            .into_owned();
            Some(ProcInfo {
                pid: g.tgid,
                ppid: k.procs.parent_of(g.tgid),
                host_pid: leader.host.stub_pid(),
                comm,
            })
        })
        .collect();
    v.sort_by_key(|p| p.pid);
    v
}

/// Start a process in the sandbox with `fds` as its stdio; answer with its
/// pid, then (same connection) with its exit status.
fn exec(k: &Arc<Kernel>, spec: ExecSpec, fds: Vec<OwnedFd>, conn: &OwnedFd) {
    if fds.len() != 3 {
        return reply(conn, &Response::err("exec needs three stdio fds"));
    }
    if spec.argv.is_empty() {
        return reply(conn, &Response::err("exec: no command"));
    }
    if k.tasks.group(1).is_none() {
        return reply(conn, &Response::err("container not running"));
    }
    let pid = match k.procs.alloc(0, libc::SIGCHLD, u64::MAX, false) {
        Ok(p) => p,
        Err(e) => return reply(conn, &Response::err(format!("exec: no pid: {e}"))),
    };
    // A session of its own, as runc's exec'd processes (setsid); with a
    // terminal, that terminal controls it.
    if let Err(e) = k.procs.setsid(pid) {
        tracing::debug!("exec: setsid of {pid}: {e}");
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<(), String>>(1);
    let k2 = k.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("task-{pid}"))
        .spawn(move || run_exec(k2, pid, spec, fds, tx));
    if let Err(e) = spawned {
        k.procs.exit(pid, ExitStatus::Exited(127));
        k.procs.autoreap(pid);
        return reply(conn, &Response::err(format!("exec: task thread: {e}")));
    }
    match rx.recv() {
        Ok(Ok(())) => reply(
            conn,
            &Response {
                pid,
                ..Default::default()
            },
        ),
        Ok(Err(e)) => return reply(conn, &Response::err(e)),
        Err(_) => return reply(conn, &Response::err("exec: the task thread died")),
    }
    // The CLI (or its relay) holds the connection for as long as it waits:
    // if it goes away first, the process is killed, so nothing outlives the
    // host process that represents it.
    let done = Arc::new(AtomicBool::new(false));
    if let Ok(watch) = conn.try_clone() {
        let (k2, done2) = (k.clone(), done.clone());
        let _ = std::thread::Builder::new()
            .name("control-exec".into())
            .spawn(move || {
                use std::os::fd::AsFd;
                let mut pfd = [nix::poll::PollFd::new(
                    watch.as_fd(),
                    nix::poll::PollFlags::POLLIN,
                )];
                while let Err(nix::errno::Errno::EINTR) =
                    nix::poll::poll(&mut pfd, nix::poll::PollTimeout::NONE)
                {}
                if !done2.load(Ordering::SeqCst) {
                    if let Some(g) = k2.tasks.group(pid) {
                        g.send(
                            libc::SIGKILL,
                            syscalls::abi::Siginfo::kill(libc::SIGKILL, 0, 0, 0),
                        );
                    }
                }
            });
    }
    // The final status: wait for the process to be a zombie, then reap it.
    let status = super::wait::block_on(&[k.procs.changed()], None, || {
        k.procs
            .lock()
            .procs
            .get(&pid)
            .map(|e| e.exit)
            .unwrap_or(Some(ExitStatus::Signaled {
                signal: libc::SIGKILL,
                core: false,
            }))
    });
    done.store(true, Ordering::SeqCst);
    k.procs.autoreap(pid);
    let ws = match status {
        Ok(s) => s.wait_status(),
        Err(_) => libc::SIGKILL,
    };
    reply(
        conn,
        &Response {
            pid,
            wait_status: Some(ws),
            ..Default::default()
        },
    );
    let _ = nix::sys::socket::shutdown(conn.as_raw_fd(), nix::sys::socket::Shutdown::Both);
}

fn run_exec(
    k: Arc<Kernel>,
    pid: i32,
    spec: ExecSpec,
    fds: Vec<OwnedFd>,
    started: std::sync::mpsc::SyncSender<Result<(), String>>,
) {
    let fail = |k: &Kernel, msg: String| {
        let _ = started.send(Err(msg));
        k.tasks.remove(pid);
        k.tasks.remove_group(pid);
        k.procs.exit(pid, ExitStatus::Exited(127));
        k.procs.autoreap(pid);
    };
    let mut t = match new_process_task(k.clone(), pid, fds, spec.terminal) {
        Ok(t) => t,
        Err(e) => return fail(&k, format!("exec: {e}")),
    };
    apply_user(&mut t, &spec.user);
    let cwd = if spec.cwd.is_empty() { "/" } else { &spec.cwd };
    match crate::vfs::lookup_dir(&t, cwd.as_bytes()) {
        Ok(d) => t.set_cwd(d),
        Err(e) => {
            drop(t);
            return fail(&k, format!("exec: cwd {cwd}: {e}"));
        }
    }
    let env: Vec<Vec<u8>> = spec.env.iter().map(|e| e.as_bytes().to_vec()).collect();
    let argv: Vec<Vec<u8>> = spec.argv.iter().map(|a| a.as_bytes().to_vec()).collect();
    let path_env = env
        .iter()
        .find_map(|e| e.strip_prefix(b"PATH="))
        .map(|p| p.to_vec());
    let prog = argv.first().cloned().unwrap_or_default();
    let path = match resolve_program(&t, &prog, path_env.as_deref().unwrap_or(DEFAULT_PATH)) {
        Ok(p) => p,
        Err(e) => {
            drop(t);
            return fail(&k, format!("exec: {e}"));
        }
    };
    // The container's seccomp profile applies to exec'd processes too.
    crate::syscalls::seccomp::install_container_filter(&t);
    if let Err(e) = crate::syscalls::seccomp::container_exec_verdict(&t) {
        drop(t);
        let why = e.map_or("killed by the seccomp profile".to_string(), |e| {
            e.to_string()
        });
        return fail(
            &k,
            format!("exec: {}: {why}", String::from_utf8_lossy(&path)),
        );
    }
    if let Err(e) =
        crate::syscalls::process::exec_into(&mut t, libc::AT_FDCWD, path.clone(), argv, env, 0)
    {
        drop(t);
        return fail(&k, format!("exec: {}: {e}", String::from_utf8_lossy(&path)));
    }
    let _ = started.send(Ok(()));
    let st = t.run();
    t.exit_and_release(st);
}

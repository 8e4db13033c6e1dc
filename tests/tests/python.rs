//! Python workloads for processes, threads and signals: each `tests/python/<name>.py` is
//! run with `/usr/bin/python3 -u` natively and under `runsc do`; stdout and the exit
//! status must be equal (see [`systests::differential`]).
//!
//! The scripts print only deterministic facts (no pids, times or thread interleavings:
//! results are sorted or aggregated, durations are compared against bounds) and finish
//! in well under 3 s natively. `-u` makes stdout unbuffered, so a run that hangs or
//! crashes still shows how far it got in the diff, and forked children never inherit
//! unflushed output.
//!
//! Every run has a time limit (30 s, or `SYSTESTS_TIMEOUT_SECS`), so a hang in the
//! sandbox fails the test instead of blocking CI.
//!
//! Tests of features the sandbox does not have yet are `#[ignore]`d with the reason; run
//! them with `cargo test -p systests --test python -- --ignored`.

use std::path::PathBuf;
use std::time::Duration;
use systests::{crate_dir, default_timeout, differential, Cmd};

const PYTHON: &str = "/usr/bin/python3";

/// `tests/python/`, where the scripts live.
fn python_dir() -> PathBuf {
    crate_dir().join("python")
}

/// The time limit of one run: 30 s (a script takes < 3 s natively), unless
/// `SYSTESTS_TIMEOUT_SECS` asks for something else.
fn script_timeout() -> Duration {
    if std::env::var_os("SYSTESTS_TIMEOUT_SECS").is_some() {
        default_timeout()
    } else {
        Duration::from_secs(30)
    }
}

/// Runs `tests/python/<name>.py` natively and in the sandbox; `expected` is the exit
/// status (as a shell reports it) the native run must have.
fn python_differential(name: &str, expected: i32) {
    let script = python_dir().join(format!("{name}.py"));
    assert!(script.is_file(), "missing test script {}", script.display());
    assert!(
        std::path::Path::new(PYTHON).exists(),
        "{PYTHON} is needed by the python workload tests"
    );
    let cmd = Cmd::new(PYTHON)
        .arg("-u")
        .arg(script.clone())
        .cwd("/")
        .timeout(script_timeout());
    let (_native, sandbox) = differential(&cmd, expected);
    if let Some(sandbox) = sandbox {
        sandbox.assert_no_panic();
    }
}

/// 100 threads incrementing a Lock-protected counter; a Condition-based bounded buffer
/// with 4 producers and 3 consumers; RLock; threading.local.
#[test]
fn threads_locks() {
    python_differential("threads_locks", 0);
}

/// threading.Event/Barrier/BoundedSemaphore/Timer, queue.Queue, ThreadPoolExecutor.
#[test]
fn threading_sync() {
    python_differential("threading_sync", 0);
}

/// subprocess: check_output, Popen + communicate through tr and cat (more than a pipe
/// buffer both ways), run(timeout=0.3) -> TimeoutExpired, returncodes -9/-15/-10,
/// pipelines, cwd/env.
#[test]
fn subprocess_pipes() {
    python_differential("subprocess_pipes", 0);
}

/// Handlers via kill(getpid()), handlers raising, SIGINT -> KeyboardInterrupt, SIG_IGN,
/// alarm(1)+pause(), a sleep interrupted and resumed (PEP 475), ITIMER_REAL ticks,
/// ITIMER_VIRTUAL/PROF, pthread_kill to the main thread, masks and sigpending,
/// sigwait/sigwaitinfo/sigtimedwait, and finally death by SIGTERM (exit status 143).
#[test]
fn signals() {
    python_differential("signals", 143);
}

/// Handlers run in the main thread whoever sends the signal; pthread_kill from a thread;
/// sigwait in a worker; per-thread masks and thread-directed pending signals.
#[test]
fn signals_threads() {
    python_differential("signals_threads", 0);
}

/// multiprocessing with the fork context: Pool(4).map squaring range(1000), imap_unordered,
/// apply_async, Process + Queue round trip, Pipe, shared Value + Lock, exit codes.
#[test]
fn mp_pool() {
    python_differential("mp_pool", 0);
}

/// os.fork/_exit and waitpid status decoding, SIGKILLed (busy) children, WNOHANG, wait3/wait4
/// rusage, waitid(P_PID/P_ALL, WEXITED, WNOWAIT), os.wait, ECHILD, grandchildren.
#[test]
fn fork_wait() {
    python_differential("fork_wait", 0);
}

/// SIGKILL/SIGTERM to children blocked in sleep, pipe read, waitpid, pause and select
/// must kill them at once; a handled signal interrupts a blocking read, which resumes.
#[test]
fn kill_blocked() {
    python_differential("kill_blocked", 0);
}

/// SIGSTOP/SIGCONT of children seen through waitpid(WUNTRACED/WCONTINUED) and
/// waitid(WSTOPPED/WCONTINUED); SIGCHLD handler; SIGTERM pending while stopped.
#[test]
fn job_control() {
    python_differential("job_control", 0);
}

/// os.posix_spawn/posix_spawnp with file actions and env, exec failure reporting,
/// fork+execv, os.system, os.popen.
#[test]
fn posix_spawn() {
    python_differential("posix_spawn", 0);
}

/// select/poll/epoll selectors on pipes: timeouts, readiness, POLLHUP/EOF, a child writing
/// late, pipe capacity.
#[test]
fn select_pipe() {
    python_differential("select_pipe", 0);
}

/// AF_UNIX socketpairs of every type (round trips), socket.send_fds/recv_fds passing a
/// pipe, a temporary file (shared offset) and a socket, MSG_CTRUNC.
#[test]
fn unix_socketpair_fds() {
    python_differential("unix_socketpair_fds", 0);
}

/// AF_UNIX servers: socketserver.ThreadingUnixStreamServer with 8 concurrent clients,
/// UnixDatagramServer replying to bound clients, asyncio.start_unix_server with
/// asyncio clients on a path and an abstract name.
#[test]
fn unix_servers() {
    python_differential("unix_servers", 0);
}

/// multiprocessing over AF_UNIX: connection.Listener/Client on a path with forked
/// clients, reduction.send_handle passing an fd to a child, a duplex Pipe echo.
#[test]
fn unix_mp_connection() {
    python_differential("unix_mp_connection", 0);
}

/// fcntl.flock and fcntl.lockf between processes (blocking, non-blocking, ranges,
/// release at exit and on close), a lock-file counter with 4 workers.
#[test]
fn fcntl_locks() {
    python_differential("fcntl_locks", 0);
}

/// shutil.copyfile/copy2/copytree, os.sendfile (file and socket), os.copy_file_range,
/// os.splice.
#[test]
fn file_copy() {
    python_differential("file_copy", 0);
}

/// inotify through ctypes: events of open/write/read/chmod/rename/mkdir/rmtree/unlink on a
/// watched directory, select() readiness, rm_watch's IN_IGNORED.
#[test]
fn inotify_ctypes() {
    python_differential("inotify_ctypes", 0);
}

/// System V shm/sem/msg through ctypes between forked processes (a counter in a
/// segment guarded by a semaphore, messages back), and multiprocessing.shared_memory.
#[test]
fn sysv_ipc_ctypes() {
    python_differential("sysv_ipc_ctypes", 0);
}

/// POSIX message queues through ctypes: priorities, a producer process feeding a blocked
/// consumer, select/poll readiness, multiprocessing workers sending to one queue.
#[test]
fn mqueue_ctypes() {
    python_differential("mqueue_ctypes", 0);
}

/// File-system modules on /tmp: tempfile, pathlib, glob/os.walk/scandir, shutil
/// (copytree, move, make_archive/unpack_archive, rmtree), zipfile, tarfile (xz), sqlite3
/// (rollback journal and WAL, two connections), mmap (shared write-back, private, resize,
/// anonymous), select/poll/epoll (edge-triggered)/selectors on pipes, sparse files.
#[test]
fn fs_stdlib() {
    python_differential("fs_stdlib", 0);
}

/// pty.spawn of /bin/sh: output through the master (ONLCR), stty's view of the pty's
/// default settings and size, tty's name for the slave, exit statuses.
#[test]
fn pty_spawn() {
    python_differential("pty_spawn", 0);
}

/// termios round trips on a pty slave, tty.setraw/setcbreak, VTIME reads, window
/// sizes, tcflush/tcdrain, ttyname/isatty.
#[test]
fn termios_tty() {
    python_differential("termios_tty", 0);
}

/// os.openpty + fork: the child's controlling terminal and stdio on the slave, the
/// parent reading the master until EIO, ^C killing the child.
#[test]
fn openpty_fork() {
    python_differential("openpty_fork", 0);
}

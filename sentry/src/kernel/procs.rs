//! The process table: pids, parent/child links, zombies and wait(2).
//!
//! One table per sandbox (a single pid namespace for now, init is pid 1).
//! Every thread group (process) has an entry from creation until its parent
//! reaps it; an exited process is a zombie until then. Waiters block on one
//! condition variable that every exit notifies.

use super::usage::Usage;
use super::ExitStatus;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use syscalls::Errno;

/// Linux's default pid_max.
pub const PID_MAX: i32 = 4_194_304;

#[derive(Debug, Clone)]
pub struct ProcEntry {
    /// Parent process (0 for init).
    pub parent: i32,
    pub children: Vec<i32>,
    pub pgid: i32,
    pub sid: i32,
    /// Set when the process exited: it is a zombie until reaped.
    pub exit: Option<ExitStatus>,
    /// The signal sent to the parent at exit (SIGCHLD, or clone's exit signal).
    pub exit_signal: i32,
    /// A child created with CLONE_THREAD-less clone but without an exit
    /// signal other than SIGCHLD is a "clone" child for __WCLONE.
    pub is_clone_child: bool,
    pub subreaper: bool,
    /// A job-control stop (by this signal) not yet reported to WUNTRACED.
    pub stop: Option<i32>,
    /// A continue not yet reported to WCONTINUED.
    pub continued: bool,
    /// Has called execve (setpgid by the parent then fails with EACCES).
    pub execed: bool,
    /// The process's own usage, final once it exited.
    pub usage: Usage,
    /// Usage of its reaped children (and their reaped descendants).
    pub cusage: Usage,
}

#[derive(Default)]
pub struct Table {
    pub procs: HashMap<i32, ProcEntry>,
    last_pid: i32,
    /// Processes alive (not zombies), for RLIMIT_NPROC.
    pub live: usize,
    /// Ids of live threads other than process leaders.
    pub tids: std::collections::HashSet<i32>,
}

#[derive(Default)]
pub struct ProcTable {
    table: Mutex<Table>,
    /// Waiters for a child's state change (wait4, waitid).
    changed: super::wait::WaitQueue,
}

/// Which children wait(2) is interested in.
#[derive(Debug, Clone, Copy)]
pub enum WaitFor {
    Any,
    Pid(i32),
    Pgid(i32),
}

/// What happened to a child, as wait reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildEvent {
    Exited(ExitStatus),
    Stopped(i32),
    Continued,
}

/// Which events a wait call asks for.
#[derive(Debug, Clone, Copy)]
pub struct WaitOptions {
    pub exited: bool,
    pub stopped: bool,
    pub continued: bool,
    pub nohang: bool,
    /// False for WNOWAIT: the event stays reportable.
    pub reap: bool,
    /// __WCLONE / __WALL filter.
    pub want_clone: Option<bool>,
}

/// A reaped (or peeked) child.
#[derive(Debug, Clone, Copy)]
pub struct Reaped {
    pub pid: i32,
    pub event: ChildEvent,
    /// An exited child's usage plus its children's (wait4's rusage).
    pub usage: Usage,
}

impl ProcTable {
    pub fn lock(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Register init (pid 1).
    pub fn add_init(&self) {
        let mut t = self.lock();
        t.procs.insert(
            1,
            ProcEntry {
                parent: 0,
                children: Vec::new(),
                pgid: 1,
                sid: 1,
                exit: None,
                exit_signal: libc::SIGCHLD,
                is_clone_child: false,
                subreaper: false,
                stop: None,
                continued: false,
                execed: false,
                usage: Usage::default(),
                cusage: Usage::default(),
            },
        );
        t.last_pid = 1;
        t.live = 1;
    }

    /// Allocate a pid for a new process (or thread) whose parent is `parent`.
    /// `thread` ids get no process entry.
    pub fn alloc(
        &self,
        parent: i32,
        exit_signal: i32,
        nproc_limit: u64,
        thread: bool,
    ) -> Result<i32, Errno> {
        let mut t = self.lock();
        if (t.live + t.tids.len()) as u64 >= nproc_limit {
            return Err(Errno::EAGAIN);
        }
        let mut pid = t.last_pid;
        for _ in 0..PID_MAX {
            pid = if pid >= PID_MAX - 1 { 2 } else { pid + 1 };
            if !t.procs.contains_key(&pid) && !t.tids.contains(&pid) {
                break;
            }
        }
        if t.procs.contains_key(&pid) || t.tids.contains(&pid) {
            return Err(Errno::EAGAIN);
        }
        t.last_pid = pid;
        if thread {
            t.tids.insert(pid);
            return Ok(pid);
        }
        let (pgid, sid) = t
            .procs
            .get(&parent)
            .map(|p| (p.pgid, p.sid))
            .unwrap_or((1, 1));
        t.procs.insert(
            pid,
            ProcEntry {
                parent,
                children: Vec::new(),
                pgid,
                sid,
                exit: None,
                exit_signal,
                is_clone_child: exit_signal != libc::SIGCHLD,
                subreaper: false,
                stop: None,
                continued: false,
                execed: false,
                usage: Usage::default(),
                cusage: Usage::default(),
            },
        );
        if let Some(p) = t.procs.get_mut(&parent) {
            p.children.push(pid);
        }
        t.live += 1;
        Ok(pid)
    }

    /// Mark `pid` exited; reparent its children to the nearest subreaper or
    /// init; reap zombie children of a process that exits. Returns the parent
    /// to notify and the exit signal.
    pub fn exit(&self, pid: i32, status: ExitStatus) -> (i32, i32) {
        self.exit_with(pid, status, |_| false)
    }

    /// [`ProcTable::exit`] with a precomputed autoreap decision.
    pub fn exit_ext(&self, pid: i32, status: ExitStatus, autoreap: bool) -> (i32, i32) {
        self.exit_with(pid, status, |_| autoreap)
    }

    /// Like [`ProcTable::exit`]; `autoreap(parent)` says whether the parent
    /// ignores SIGCHLD (SIG_IGN or SA_NOCLDWAIT): then the entry is dropped
    /// at once, atomically, so no wait ever sees the zombie.
    pub fn exit_with(
        &self,
        pid: i32,
        status: ExitStatus,
        autoreap: impl FnOnce(i32) -> bool,
    ) -> (i32, i32) {
        self.exit_notify(pid, status, autoreap, |_, _| {})
    }

    /// [`ProcTable::exit_with`], and `notify(parent, exit_signal)` runs
    /// before any waiter can see the zombie (Linux queues the exit signal
    /// before it wakes the parent's wait).
    pub fn exit_notify(
        &self,
        pid: i32,
        status: ExitStatus,
        autoreap: impl FnOnce(i32) -> bool,
        notify: impl FnOnce(i32, i32),
    ) -> (i32, i32) {
        let mut t = self.lock();
        let Some(e) = t.procs.get_mut(&pid) else {
            return (0, 0);
        };
        if e.exit.is_some() {
            return (0, 0);
        }
        e.exit = Some(status);
        let children = std::mem::take(&mut e.children);
        let parent = e.parent;
        let sig = e.exit_signal;
        t.live = t.live.saturating_sub(1);
        // New parent for orphans: the closest subreaper ancestor, else init.
        let mut reaper = 1;
        let mut a = parent;
        while a > 1 {
            match t.procs.get(&a) {
                Some(p) if p.subreaper && p.exit.is_none() => {
                    reaper = a;
                    break;
                }
                Some(p) => a = p.parent,
                None => break,
            }
        }
        for c in children {
            if let Some(ce) = t.procs.get_mut(&c) {
                ce.parent = reaper;
            }
            if let Some(r) = t.procs.get_mut(&reaper) {
                r.children.push(c);
            }
        }
        if sig == libc::SIGCHLD && autoreap(parent) {
            t.procs.remove(&pid);
            if let Some(p) = t.procs.get_mut(&parent) {
                p.children.retain(|c| *c != pid);
            }
        }
        notify(parent, sig);
        drop(t);
        self.changed.notify_all();
        (parent, sig)
    }

    /// Record a job-control stop or continue of process `pid` for wait.
    pub fn job_event(&self, pid: i32, stop: Option<i32>) {
        {
            let mut t = self.lock();
            if let Some(e) = t.procs.get_mut(&pid) {
                match stop {
                    Some(sig) => {
                        e.stop = Some(sig);
                        e.continued = false;
                    }
                    None => {
                        e.stop = None;
                        e.continued = true;
                    }
                }
            }
        }
        self.changed.notify_all();
    }

    /// PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented here.
    pub fn set_subreaper(&self, pid: i32, on: bool) {
        if let Some(e) = self.lock().procs.get_mut(&pid) {
            e.subreaper = on;
        }
    }

    pub fn is_subreaper(&self, pid: i32) -> bool {
        self.lock().procs.get(&pid).is_some_and(|e| e.subreaper)
    }

    /// (process group, session) of `pid`, zombies included.
    pub fn pgid_sid(&self, pid: i32) -> Option<(i32, i32)> {
        self.lock().procs.get(&pid).map(|e| (e.pgid, e.sid))
    }

    pub fn mark_execed(&self, pid: i32) {
        if let Some(e) = self.lock().procs.get_mut(&pid) {
            e.execed = true;
        }
    }

    /// setpgid(2) with Linux's rules, for the calling process `caller`.
    pub fn setpgid(&self, caller: i32, pid: i32, pgid: i32) -> Result<(), Errno> {
        let pid = if pid == 0 { caller } else { pid };
        let pgid = if pgid == 0 { pid } else { pgid };
        if pid < 0 || pgid < 0 {
            return Err(Errno::EINVAL);
        }
        let mut t = self.lock();
        let caller_sid = t.procs.get(&caller).map(|e| e.sid).ok_or(Errno::ESRCH)?;
        let p = t
            .procs
            .get(&pid)
            .filter(|e| e.exit.is_none())
            .ok_or(Errno::ESRCH)?;
        if p.parent == caller && pid != caller {
            if p.sid != caller_sid {
                return Err(Errno::EPERM);
            }
            if p.execed {
                return Err(Errno::EACCES);
            }
        } else if pid != caller {
            return Err(Errno::ESRCH);
        }
        if p.sid == pid {
            // A session leader keeps its group.
            return Err(Errno::EPERM);
        }
        if pgid != pid
            && !t
                .procs
                .values()
                .any(|q| q.pgid == pgid && q.sid == caller_sid && q.exit.is_none())
        {
            return Err(Errno::EPERM);
        }
        if let Some(e) = t.procs.get_mut(&pid) {
            e.pgid = pgid;
        }
        Ok(())
    }

    /// setsid(2): a new session and group led by `caller`, unless it
    /// already leads a process group.
    pub fn setsid(&self, caller: i32) -> Result<i32, Errno> {
        let mut t = self.lock();
        if t.procs.values().any(|q| q.pgid == caller) {
            return Err(Errno::EPERM);
        }
        let e = t.procs.get_mut(&caller).ok_or(Errno::ESRCH)?;
        e.pgid = caller;
        e.sid = caller;
        Ok(caller)
    }

    /// Whether process group `pgid` is orphaned: no member has a parent in
    /// another group of the same session (POSIX; job-control stops are
    /// discarded for such groups).
    pub fn pgrp_orphaned(&self, pgid: i32) -> bool {
        let t = self.lock();
        !t.procs.values().any(|q| {
            q.pgid == pgid
                && q.exit.is_none()
                && t.procs
                    .get(&q.parent)
                    .is_some_and(|p| p.pgid != pgid && p.sid == q.sid && p.exit.is_none())
        })
    }

    /// The live children of `pid`.
    pub fn children_of(&self, pid: i32) -> Vec<i32> {
        let t = self.lock();
        t.procs
            .get(&pid)
            .map(|e| {
                e.children
                    .iter()
                    .copied()
                    .filter(|c| t.procs.get(c).is_some_and(|ce| ce.exit.is_none()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether `pid` is a zombie (exited, not reaped).
    pub fn is_zombie(&self, pid: i32) -> bool {
        self.lock()
            .procs
            .get(&pid)
            .is_some_and(|e| e.exit.is_some())
    }

    /// Record the final usage of process `pid` (before [`ProcTable::exit`]).
    pub fn set_usage(&self, pid: i32, u: Usage) {
        if let Some(e) = self.lock().procs.get_mut(&pid) {
            e.usage = u;
        }
    }

    /// The usage of `pid`'s reaped children.
    pub fn children_usage(&self, pid: i32) -> Usage {
        self.lock()
            .procs
            .get(&pid)
            .map(|e| e.cusage)
            .unwrap_or_default()
    }

    /// The queue every exit, stop and continue notifies (pidfd readiness).
    pub fn changed(&self) -> &super::wait::WaitQueue {
        &self.changed
    }

    /// Release the id of a thread that was not a process leader.
    pub fn free_tid(&self, tid: i32) {
        self.lock().tids.remove(&tid);
        self.changed.notify_all();
    }

    pub fn parent_of(&self, pid: i32) -> i32 {
        self.lock().procs.get(&pid).map(|p| p.parent).unwrap_or(0)
    }

    /// wait4/waitid: find an exited child of `me` matching `which`. Blocks
    /// unless `nohang`. `reap` false leaves it waitable (WNOWAIT).
    /// `check_interrupt` is polled while blocked (signals issue).
    pub fn wait(&self, me: i32, which: WaitFor, o: WaitOptions) -> Result<Option<Reaped>, Errno> {
        let (nohang, reap, want_clone) = (o.nohang, o.reap, o.want_clone);
        let r = super::wait::block_on(&[&self.changed], None, || {
            let mut t = self.lock();
            let me_e = match t.procs.get(&me) {
                Some(e) => e,
                None => return Some(Err(Errno::ECHILD)),
            };
            let matches = |pid: i32, e: &ProcEntry| -> bool {
                let who = match which {
                    WaitFor::Any => true,
                    WaitFor::Pid(p) => p == pid,
                    WaitFor::Pgid(g) => e.pgid == g,
                };
                who && want_clone.is_none_or(|c| c == e.is_clone_child)
            };
            let mut any = false;
            let mut found = None;
            for c in &me_e.children {
                if let Some(ce) = t.procs.get(c) {
                    if matches(*c, ce) {
                        any = true;
                        let event = match (ce.exit, ce.stop) {
                            (Some(st), _) if o.exited => Some(ChildEvent::Exited(st)),
                            (None, Some(sig)) if o.stopped => Some(ChildEvent::Stopped(sig)),
                            (None, _) if o.continued && ce.continued => Some(ChildEvent::Continued),
                            _ => None,
                        };
                        if let Some(event) = event {
                            let usage = ce.usage.plus(&ce.cusage);
                            found = Some(Reaped {
                                pid: *c,
                                event,
                                usage,
                            });
                            break;
                        }
                    }
                }
            }
            if let Some(r) = found {
                if reap && !matches!(r.event, ChildEvent::Exited(_)) {
                    if let Some(ce) = t.procs.get_mut(&r.pid) {
                        ce.stop = None;
                        ce.continued = false;
                    }
                } else if reap {
                    t.procs.remove(&r.pid);
                    if let Some(m) = t.procs.get_mut(&me) {
                        m.children.retain(|c| *c != r.pid);
                        m.cusage.add(&r.usage);
                    }
                }
                return Some(Ok(Some(r)));
            }
            if !any {
                return Some(Err(Errno::ECHILD));
            }
            if nohang {
                return Some(Ok(None));
            }
            None
        });
        r.unwrap_or_else(|e| Err(e.restartsys()))
    }

    /// Drop a process entry whose parent ignores SIGCHLD (auto-reap).
    pub fn autoreap(&self, pid: i32) {
        let mut t = self.lock();
        if let Some(parent) = t
            .procs
            .get(&pid)
            .filter(|e| e.exit.is_some())
            .map(|e| e.parent)
        {
            t.procs.remove(&pid);
            if let Some(p) = t.procs.get_mut(&parent) {
                p.children.retain(|c| *c != pid);
            }
        }
        drop(t);
        self.changed.notify_all();
    }
}

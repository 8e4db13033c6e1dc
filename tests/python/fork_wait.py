"""os.fork, _exit, the wait family and status decoding."""
import os
import signal
import sys
import time

sys.stdout.flush()

# Exit statuses 0, 1, 42, 255 through waitpid.
for n in (0, 1, 42, 255):
    pid = os.fork()
    if pid == 0:
        os._exit(n)
    wpid, status = os.waitpid(pid, 0)
    print(
        "exit", n,
        "same pid", wpid == pid,
        "WIFEXITED", os.WIFEXITED(status),
        "WEXITSTATUS", os.WEXITSTATUS(status),
        "WIFSIGNALED", os.WIFSIGNALED(status),
        "waitstatus_to_exitcode", os.waitstatus_to_exitcode(status),
    )



def busy_child():
    """Forks a child that spins on the CPU (never blocks in a syscall) once it has told
    us it is running. Killing children blocked in sleep/read is kill_blocked.py's job."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.write(w, b"x")
        while True:
            pass
    os.close(w)
    os.read(r, 1)
    os.close(r)
    return pid


# A child killed by SIGKILL while running.
pid = busy_child()
os.kill(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
print(
    "SIGKILL",
    "WIFSIGNALED", os.WIFSIGNALED(status),
    "WTERMSIG", os.WTERMSIG(status),
    "WIFEXITED", os.WIFEXITED(status),
    "WCOREDUMP", os.WCOREDUMP(status),
    "waitstatus_to_exitcode", os.waitstatus_to_exitcode(status),
)

# A child that kills itself with SIGTERM.
pid = os.fork()
if pid == 0:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(30)
    os._exit(0)
_, status = os.waitpid(pid, 0)
print("self SIGTERM WTERMSIG", os.WTERMSIG(status))

# WNOHANG with a running child returns (0, 0).
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(w)
    os.read(r, 1)  # wait for the parent's go
    os._exit(7)
os.close(r)
print("WNOHANG while running", os.waitpid(pid, os.WNOHANG))
os.write(w, b"x")
os.close(w)
_, status = os.waitpid(pid, 0)
print("after go", os.waitstatus_to_exitcode(status))

# wait3 / wait4 return a resource usage structure.
pid = os.fork()
if pid == 0:
    x = sum(range(200000))
    os._exit(3)
wpid, status, ru = os.wait4(pid, 0)
print(
    "wait4", wpid == pid, os.WEXITSTATUS(status),
    "rusage", type(ru).__name__, ru.ru_utime >= 0, ru.ru_maxrss >= 0,
)
pid = os.fork()
if pid == 0:
    os._exit(4)
wpid, status, ru = os.wait3(0)
print("wait3", wpid == pid, os.WEXITSTATUS(status), type(ru).__name__, ru.ru_stime >= 0)

# waitid(P_PID, pid, WEXITED).
pid = os.fork()
if pid == 0:
    os._exit(5)
res = os.waitid(os.P_PID, pid, os.WEXITED)
print(
    "waitid", res.si_pid == pid, "si_signo SIGCHLD", res.si_signo == signal.SIGCHLD,
    "CLD_EXITED", res.si_code == os.CLD_EXITED, "si_status", res.si_status,
)
pid = busy_child()
os.kill(pid, signal.SIGKILL)
res = os.waitid(os.P_PID, pid, os.WEXITED)
print("waitid killed", "CLD_KILLED", res.si_code == os.CLD_KILLED, "si_status", res.si_status)

# waitid with WNOWAIT leaves the child waitable.
pid = os.fork()
if pid == 0:
    os._exit(6)
res = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
print("WNOWAIT peek", res.si_status)
_, status = os.waitpid(pid, 0)
print("then reaped", os.WEXITSTATUS(status))

# P_ALL and os.wait(): reap several children, in any order.
pids = []
for n in (11, 12, 13):
    pid = os.fork()
    if pid == 0:
        os._exit(n)
    pids.append(pid)
codes = []
for _ in pids:
    wpid, status = os.wait()
    assert wpid in pids
    codes.append(os.WEXITSTATUS(status))
print("os.wait codes", sorted(codes))

# No children left: ECHILD.
try:
    os.waitpid(-1, 0)
except ChildProcessError as e:
    print("ChildProcessError", e.errno)
try:
    os.waitid(os.P_ALL, 0, os.WEXITED)
except ChildProcessError as e:
    print("waitid ChildProcessError", e.errno)

# Grandchildren are not our children; the fork child's own fork is reaped by it.
pid = os.fork()
if pid == 0:
    g = os.fork()
    if g == 0:
        os._exit(21)
    _, st = os.waitpid(g, 0)
    os._exit(os.WEXITSTATUS(st) + 1)
_, status = os.waitpid(pid, 0)
print("grandchild chain", os.WEXITSTATUS(status))

# Parent/child see each other's pids consistently.
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.write(w, b"%d %d" % (os.getpid(), os.getppid()))
    os._exit(0)
os.close(w)
cpid, cppid = map(int, os.read(r, 100).split())
os.close(r)
os.waitpid(pid, 0)
print("child getpid == fork()", cpid == pid, "child getppid == our pid", cppid == os.getpid())

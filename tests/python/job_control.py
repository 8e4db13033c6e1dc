"""Stopping and continuing children: SIGSTOP/SIGCONT, WUNTRACED, WCONTINUED,
waitid(WSTOPPED/WCONTINUED), and a parent's SIGCHLD handler."""
import os
import signal
import time

# Stopped and continued children: WUNTRACED / WCONTINUED.
pid = os.fork()
if pid == 0:
    time.sleep(30)
    os._exit(0)
os.kill(pid, signal.SIGSTOP)
_, status = os.waitpid(pid, os.WUNTRACED)
print("stopped", os.WIFSTOPPED(status), signal.Signals(os.WSTOPSIG(status)).name)
os.kill(pid, signal.SIGCONT)
_, status = os.waitpid(pid, os.WCONTINUED)
print("continued", os.WIFCONTINUED(status))
os.kill(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
print("then killed", os.WTERMSIG(status))

# A child stopping itself with SIGSTOP. (Not SIGTSTP: in an orphaned process group, as
# a container's init may be, the kernel discards it.)
pid = os.fork()
if pid == 0:
    os.kill(os.getpid(), signal.SIGSTOP)
    os._exit(17)
_, status = os.waitpid(pid, os.WUNTRACED)
print("self-stopped", os.WIFSTOPPED(status), signal.Signals(os.WSTOPSIG(status)).name)
os.kill(pid, signal.SIGCONT)
_, status = os.waitpid(pid, 0)
print("resumed and exited", os.WEXITSTATUS(status))

# waitid() sees stops and continues too.
pid = os.fork()
if pid == 0:
    time.sleep(30)
    os._exit(0)
os.kill(pid, signal.SIGSTOP)
res = os.waitid(os.P_PID, pid, os.WSTOPPED)
print("waitid stopped", res.si_code == os.CLD_STOPPED, signal.Signals(res.si_status).name)
os.kill(pid, signal.SIGCONT)
res = os.waitid(os.P_PID, pid, os.WCONTINUED)
print("waitid continued", res.si_code == os.CLD_CONTINUED, signal.Signals(res.si_status).name)
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)

# SIGCHLD handler in the parent: one notification per child exit at least.
chld = []
signal.signal(signal.SIGCHLD, lambda s, f: chld.append(s))
pid = os.fork()
if pid == 0:
    os._exit(0)
_, status = os.waitpid(pid, 0)
time.sleep(0.05)
print("SIGCHLD handler ran", len(chld) >= 1)

# SIGCONT to a running process is harmless; a stopped process ignores SIGTERM until
# continued (the signal stays pending), then dies from it.
pid = os.fork()
if pid == 0:
    time.sleep(30)
    os._exit(0)
os.kill(pid, signal.SIGSTOP)
os.waitpid(pid, os.WUNTRACED)
os.kill(pid, signal.SIGTERM)
time.sleep(0.05)
print("stopped child ignores SIGTERM for now", os.waitpid(pid, os.WNOHANG) == (0, 0))
os.kill(pid, signal.SIGCONT)
_, status = os.waitpid(pid, 0)
print("after SIGCONT", os.WIFSIGNALED(status), os.WTERMSIG(status))

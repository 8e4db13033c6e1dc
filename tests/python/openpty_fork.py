"""os.openpty + fork: the child makes the slave its controlling terminal and
stdio, talks over it, and exits; the parent reads everything through the
master until EIO, and ^C reaches the child's foreground group."""
import fcntl
import os
import signal
import termios
import time


def read_until_eio(fd):
    out = b""
    while True:
        try:
            data = os.read(fd, 1024)
        except OSError as e:
            return out, e.errno
        if not data:
            return out, 0
        out += data


m, s = os.openpty()
pid = os.fork()
if pid == 0:
    os.close(m)
    os.setsid()
    fcntl.ioctl(s, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(s, fd)
    os.close(s)
    print("child ready", flush=True)
    line = input()
    print("child got", line.upper(), flush=True)
    os._exit(5)
os.close(s)
time.sleep(0.2)
os.write(m, b"ping\n")
out, err = read_until_eio(m)
_, status = os.waitpid(pid, 0)
print("output", out)
print("errno", err == 5, "exit", os.waitstatus_to_exitcode(status))
os.close(m)

# ^C to a child blocked reading its terminal.
m, s = os.openpty()
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(m)
    os.close(r)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.setsid()
    fcntl.ioctl(s, termios.TIOCSCTTY, 0)
    os.write(w, b"x")
    os.read(s, 10)
    os._exit(0)
os.close(s)
os.close(w)
os.read(r, 1)
time.sleep(0.1)
os.write(m, b"\x03")
_, status = os.waitpid(pid, 0)
print("child killed by SIGINT", os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT)
print("echo", os.read(m, 10))
os.close(m)

"""Signals must interrupt children blocked in the kernel: SIGKILL/SIGTERM to a child in
time.sleep(), in a read() of an empty pipe, in waitpid() of its own child, and in
pause(); the parent times how long the death takes (it must be prompt, not the end of
the sleep)."""
import os
import select
import signal
import sys
import time

sys.stdout.flush()
LONG = 5  # seconds a child would block if the signal were not delivered


def started_child(body):
    """Forks a child that reports it is about to block and then runs body()."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.write(w, b"x")
        os.close(w)
        body()
        os._exit(0)
    os.close(w)
    os.read(r, 1)
    os.close(r)
    time.sleep(0.1)  # let it enter the blocking call
    return pid


def kill_and_time(name, pid, sig):
    t0 = time.monotonic()
    os.kill(pid, sig)
    _, status = os.waitpid(pid, 0)
    dt = time.monotonic() - t0
    print(
        name,
        signal.Signals(sig).name,
        "WTERMSIG",
        os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "prompt",
        dt < 1.5,
    )


def block_read():
    r, w = os.pipe()  # we hold the write end: read() never gets EOF
    os.read(r, 1)


def block_wait():
    # The grandchild blocks until we (its parent) die: then its read() gets EOF, so it
    # never outlives the test holding stdout.
    r, w = os.pipe()
    g = os.fork()
    if g == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    os.close(r)
    os.waitpid(g, 0)


for sig in (signal.SIGKILL, signal.SIGTERM):
    kill_and_time("sleep", started_child(lambda: time.sleep(LONG)), sig)
    kill_and_time("pipe read", started_child(block_read), sig)
    kill_and_time("waitpid", started_child(block_wait), sig)
    kill_and_time("pause", started_child(signal.pause), sig)
    kill_and_time("select", started_child(lambda: select.select([], [], [], LONG)), sig)

# A handled signal interrupts a blocking read in the child: the handler runs (Python
# installs it without SA_RESTART, read() fails with EINTR and is retried, PEP 475), then
# the read gets its byte.
r, w = os.pipe()
rr, ww = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(w)
    os.close(rr)
    signal.signal(signal.SIGUSR1, lambda s, f: os.write(ww, b"H"))
    os.write(ww, b"R")
    data = os.read(r, 1)
    os.write(ww, data)
    os._exit(0)
os.close(r)
os.close(ww)
print("child ready", os.read(rr, 1))
time.sleep(0.1)
os.kill(pid, signal.SIGUSR1)
print("handler ran during read", os.read(rr, 1))
os.write(w, b"D")
print("read resumed and got", os.read(rr, 1))
_, status = os.waitpid(pid, 0)
print("exit", os.waitstatus_to_exitcode(status))

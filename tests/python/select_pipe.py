"""select/poll/selectors on pipes: timeouts, readiness, EOF, a child writing late."""
import os
import select
import selectors
import sys
import time

sys.stdout.flush()

# Nothing to read: select() times out and returns empty lists.
r, w = os.pipe()
t0 = time.monotonic()
res = select.select([r], [], [], 0.2)
dt = time.monotonic() - t0
print("select timeout", res, dt >= 0.19)

# The write end of an empty pipe is writable at once.
print("writable", select.select([], [w], [], 0)[1] == [w])

# Data makes the read end readable.
os.write(w, b"x")
print("readable", select.select([r], [], [], 1)[0] == [r])
print("read", os.read(r, 10))

# poll() with a timeout, then POLLIN after a write, then POLLHUP after close.
p = select.poll()
p.register(r, select.POLLIN)
print("poll timeout", p.poll(100))
os.write(w, b"yz")
print("poll POLLIN", [(fd == r, ev & select.POLLIN != 0) for fd, ev in p.poll(1000)])
os.read(r, 10)
os.close(w)
print("poll POLLHUP", [(fd == r, ev & select.POLLHUP != 0) for fd, ev in p.poll(1000)])
print("EOF", os.read(r, 10))
os.close(r)

# A child writes after a delay; select() in the parent waits for it.
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    time.sleep(0.2)
    os.write(w, b"late")
    os._exit(0)
os.close(w)
ready, _, _ = select.select([r], [], [], 5)
print("late data", ready == [r], os.read(r, 10))
os.waitpid(pid, 0)
os.close(r)

# selectors.DefaultSelector (epoll on Linux) over several pipes.
sel = selectors.DefaultSelector()
pipes = [os.pipe() for _ in range(3)]
for i, (rr, ww) in enumerate(pipes):
    sel.register(rr, selectors.EVENT_READ, data=i)
os.write(pipes[2][1], b"2")
os.write(pipes[0][1], b"0")
events = sel.select(timeout=1)
print("selector", type(sel).__name__, sorted(key.data for key, _ in events))
os.read(pipes[0][0], 1)
os.read(pipes[2][0], 1)
print("selector timeout after draining", sel.select(timeout=0.05))
sel.close()
for rr, ww in pipes:
    os.close(rr)
    os.close(ww)

# A full pipe is not writable; non-blocking write raises BlockingIOError.
r, w = os.pipe()
os.set_blocking(w, False)
n = 0
try:
    while True:
        n += os.write(w, b"a" * 4096)
except BlockingIOError:
    pass
print("pipe capacity", n, "writable when full", select.select([], [w], [], 0)[1] == [w])
os.close(r)
os.close(w)

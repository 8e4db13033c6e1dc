"""POSIX message queues through ctypes (python has no stdlib module): a
producer process and a consumer, priorities, a blocked consumer woken by
the producer, select()/poll() readiness on the queue descriptor,
multiprocessing workers sharing one queue. The queue names carry the pid
(natively they live in the host's IPC namespace); every queue is unlinked."""
import ctypes
import ctypes.util
import multiprocessing
import os
import select

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


class MqAttr(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_long), ("maxmsg", ctypes.c_long),
                ("msgsize", ctypes.c_long), ("curmsgs", ctypes.c_long),
                ("pad", ctypes.c_long * 4)]


libc.mq_open.restype = ctypes.c_int
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.POINTER(MqAttr)]
libc.mq_send.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint]
libc.mq_receive.restype = ctypes.c_ssize_t
libc.mq_receive.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t,
                            ctypes.POINTER(ctypes.c_uint)]
libc.mq_unlink.argtypes = [ctypes.c_char_p]
libc.mq_getattr.argtypes = [ctypes.c_int, ctypes.POINTER(MqAttr)]


def check(r):
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def mq_open(name, flags, maxmsg=8, msgsize=64):
    a = MqAttr(0, maxmsg, msgsize, 0)
    return check(libc.mq_open(name, flags | os.O_CREAT, 0o600, ctypes.byref(a)))


def send(q, data, prio=0):
    check(libc.mq_send(q, data, len(data), prio))


def receive(q, size=64):
    buf = ctypes.create_string_buffer(size)
    prio = ctypes.c_uint()
    n = check(libc.mq_receive(q, buf, size, ctypes.byref(prio)))
    return buf.raw[:n], prio.value


def curmsgs(q):
    a = MqAttr()
    check(libc.mq_getattr(q, ctypes.byref(a)))
    return a.curmsgs


NAME = f"/systests_py_mq_{os.getpid()}".encode()
q = mq_open(NAME, os.O_RDWR)

# Priorities: highest first, FIFO within one.
for i, p in enumerate([1, 3, 2, 3, 1, 0]):
    send(q, f"m{i}".encode(), p)
print("order", [receive(q) for _ in range(6)])

# A consumer blocked on the empty queue, fed by a producer process.
pid = os.fork()
if pid == 0:
    try:
        w = mq_open(NAME, os.O_WRONLY)
        for i in range(40):
            send(w, f"item{i}".encode(), i % 4)
        os._exit(0)
    except Exception:
        os._exit(1)
got = [receive(q) for _ in range(40)]
_, st = os.waitpid(pid, 0)
print("producer exit", os.waitstatus_to_exitcode(st), "received", len(got),
      "all items", sorted(int(d[4:]) for d, _ in got) == list(range(40)))

# select()/poll() on the descriptor: writable when empty, readable with a message.
r, w_, _ = select.select([q], [q], [], 0)
print("select empty", bool(r), bool(w_))
send(q, b"x", 0)
p = select.poll()
p.register(q, select.POLLIN | select.POLLOUT)
print("poll one", sorted(ev for _, ev in p.poll(0)))
receive(q)


def worker(n):
    wq = mq_open(NAME, os.O_WRONLY)
    for i in range(2):  # 6 messages in all: the queue holds 8
        send(wq, f"{n}:{i}".encode(), n)
    os.close(wq)
    return n


with multiprocessing.get_context("fork").Pool(3) as pool:
    done = pool.map(worker, range(3))
msgs = []
while curmsgs(q):
    msgs.append(receive(q))
print("workers", done, "messages", len(msgs),
      "priorities descending", [p for _, p in msgs] == sorted((p for _, p in msgs), reverse=True))

os.close(q)
check(libc.mq_unlink(NAME))
try:
    check(libc.mq_unlink(NAME))
except OSError as e:
    print("unlink again", e.errno == 2)

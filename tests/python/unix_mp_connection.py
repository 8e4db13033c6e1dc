"""multiprocessing over AF_UNIX: a multiprocessing.connection.Listener on a
path with forked clients sending pickled objects, a file descriptor passed
with multiprocessing.reduction.send_handle, and a duplex multiprocessing.Pipe
(a socketpair) between processes."""
import multiprocessing as mp
import multiprocessing.reduction as red
import os
import tempfile
from multiprocessing.connection import Client, Listener

ctx = mp.get_context("fork")
tmp = tempfile.mkdtemp(prefix="unix-mp-")
addr = os.path.join(tmp, "listener")


def client(i):
    with Client(addr, family="AF_UNIX") as c:
        c.send({"client": i, "square": i * i, "items": list(range(i))})
        reply = c.recv()
        assert reply == ("ack", i), reply


with Listener(addr, family="AF_UNIX", backlog=8) as lst:
    procs = [ctx.Process(target=client, args=(i,)) for i in range(5)]
    for p in procs:
        p.start()
    got = []
    for _ in procs:
        with lst.accept() as conn:
            msg = conn.recv()
            got.append((msg["client"], msg["square"], len(msg["items"])))
            conn.send(("ack", msg["client"]))
    for p in procs:
        p.join()
    print("listener got", sorted(got), "exit codes", [p.exitcode for p in procs])


def fd_child(conn):
    fd = red.recv_handle(conn)
    os.write(fd, b"written by child through a passed fd\n")
    os.close(fd)
    conn.send("done")


a, b = ctx.Pipe(duplex=True)
path = os.path.join(tmp, "file")
fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
p = ctx.Process(target=fd_child, args=(b,))
p.start()
red.send_handle(a, fd, p.pid)
print("child says", a.recv())
p.join()
os.close(fd)
with open(path) as f:
    print("file:", f.read().strip())
os.unlink(path)


def echo(conn):
    while True:
        x = conn.recv()
        if x is None:
            break
        conn.send(x * 2)


a, b = ctx.Pipe(duplex=True)
p = ctx.Process(target=echo, args=(b,))
p.start()
out = []
for i in range(100):
    a.send(i)
    out.append(a.recv())
a.send(None)
p.join()
print("pipe echo sum", sum(out), "exit", p.exitcode)
os.rmdir(tmp)

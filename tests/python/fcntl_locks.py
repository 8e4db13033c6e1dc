"""fcntl.flock and fcntl.lockf between processes: a child blocks on a lock the
parent holds and gets it once released; non-blocking attempts fail with
EAGAIN/EWOULDBLOCK; lockf byte ranges; a lock held by a dead process is gone;
a lock-file pattern (like pip/filelock) with several workers."""
import errno
import fcntl
import os
import tempfile
import time
import multiprocessing as mp


def try_lock(fd, op):
    try:
        fcntl.flock(fd, op | fcntl.LOCK_NB)
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]


def try_lockf(fd, op, length=0, start=0):
    try:
        fcntl.lockf(fd, op | fcntl.LOCK_NB, length, start)
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]


def worker(path, n, q):
    # Increment a counter in a file under an exclusive flock.
    for _ in range(n):
        with open(path + ".lock", "w") as lk:
            fcntl.flock(lk, fcntl.LOCK_EX)
            with open(path, "r+") as f:
                v = int(f.read() or "0")
                f.seek(0)
                f.write(str(v + 1))
                f.truncate()
            fcntl.flock(lk, fcntl.LOCK_UN)
    q.put(n)


def main():
    d = tempfile.mkdtemp()
    path = os.path.join(d, "f")
    with open(path, "w") as f:
        f.write("0")

    # flock between processes.
    a = os.open(path, os.O_RDWR)
    fcntl.flock(a, fcntl.LOCK_EX)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        b = os.open(path, os.O_RDWR)
        res = try_lock(b, fcntl.LOCK_SH)
        t0 = time.monotonic()
        fcntl.flock(b, fcntl.LOCK_EX)  # blocks until the parent unlocks
        waited = time.monotonic() - t0 >= 0.15
        os.write(w, f"{res} {waited}".encode())
        os._exit(0)
    time.sleep(0.3)
    fcntl.flock(a, fcntl.LOCK_UN)
    os.waitpid(pid, 0)
    print("child:", os.read(r, 100).decode())
    print("after child exit:", try_lock(a, fcntl.LOCK_EX))
    fcntl.flock(a, fcntl.LOCK_UN)

    # lockf (POSIX record locks): ranges.
    fcntl.lockf(a, fcntl.LOCK_EX, 10, 0)
    pid = os.fork()
    if pid == 0:
        b = os.open(path, os.O_RDWR)
        out = [
            try_lockf(b, fcntl.LOCK_EX, 5, 0),
            try_lockf(b, fcntl.LOCK_EX, 5, 10),
            try_lockf(b, fcntl.LOCK_SH, 1, 9),
        ]
        os.write(w, " ".join(out).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    print("lockf from child:", os.read(r, 100).decode())
    # A lock held by a process that dies is released.
    pid = os.fork()
    if pid == 0:
        b = os.open(path, os.O_RDWR)
        fcntl.lockf(b, fcntl.LOCK_EX, 0, 100)
        os._exit(0)
    os.waitpid(pid, 0)
    print("after holder died:", try_lockf(a, fcntl.LOCK_EX, 0, 100))
    # Closing any fd of the file drops this process's POSIX locks.
    other = os.open(path, os.O_RDONLY)
    os.close(other)
    pid = os.fork()
    if pid == 0:
        b = os.open(path, os.O_RDWR)
        os.write(w, try_lockf(b, fcntl.LOCK_EX).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    print("after closing another fd:", os.read(r, 100).decode())
    os.close(a)

    # A lock-file pattern with 4 workers.
    q = mp.Queue()
    procs = [mp.Process(target=worker, args=(path, 50, q)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    total = sum(q.get() for _ in procs)
    with open(path) as f:
        print("counter:", f.read(), "expected:", total)
    os.unlink(path + ".lock")
    os.unlink(path)
    os.rmdir(d)


if __name__ == "__main__":
    main()

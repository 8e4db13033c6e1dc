"""System V IPC through ctypes (python has no stdlib module): a shm
segment shared with a forked child, a semaphore guarding a counter in it,
a message queue between the processes; multiprocessing.shared_memory
(POSIX /dev/shm, not SysV) next to it. Every object is removed."""
import ctypes
import ctypes.util
import os
from multiprocessing import shared_memory

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
libc.shmctl.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
libc.msgrcv.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_long, ctypes.c_int]
libc.msgrcv.restype = ctypes.c_ssize_t
libc.msgsnd.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]

IPC_PRIVATE, IPC_CREAT, IPC_RMID, IPC_NOWAIT, SEM_UNDO = 0, 0o1000, 0, 0o4000, 0x1000


class Sembuf(ctypes.Structure):
    _fields_ = [("num", ctypes.c_ushort), ("op", ctypes.c_short), ("flg", ctypes.c_short)]


class Msg(ctypes.Structure):
    _fields_ = [("mtype", ctypes.c_long), ("text", ctypes.c_char * 64)]


def err(r):
    return os.strerror(ctypes.get_errno()) if r == -1 else r


def semop(sid, op, flg=SEM_UNDO):
    b = Sembuf(0, op, flg)
    return libc.semop(sid, ctypes.byref(b), 1)


shm = libc.shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0o600)
sem = libc.semget(IPC_PRIVATE, 1, IPC_CREAT | 0o600)
msq = libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o600)
print("created", shm >= 0, sem >= 0, msq >= 0)
addr = libc.shmat(shm, None, 0)
counter = ctypes.c_long.from_address(addr)
counter.value = 0
print("semctl SETVAL", libc.semctl(sem, 0, 16, 1))

kids = []
for i in range(3):
    pid = os.fork()
    if pid == 0:
        for _ in range(200):
            semop(sem, -1)
            counter.value += 1
            semop(sem, 1)
        m = Msg(i + 1, b"done %d" % i)
        libc.msgsnd(msq, ctypes.byref(m), 6, 0)
        os._exit(0)
    kids.append(pid)
got = []
for _ in kids:
    m = Msg()
    n = libc.msgrcv(msq, ctypes.byref(m), 64, 0, 0)
    got.append((m.mtype, m.text[:n].decode()))
for pid in kids:
    os.waitpid(pid, 0)
print("messages", sorted(got))
print("counter", counter.value)
m = Msg()
print("empty queue", err(libc.msgrcv(msq, ctypes.byref(m), 64, 0, IPC_NOWAIT)))
print("shmdt", libc.shmdt(ctypes.c_void_p(addr)))
print("rmid", libc.shmctl(shm, IPC_RMID, None), libc.semctl(sem, 0, IPC_RMID),
      libc.msgctl(msq, IPC_RMID, None))
print("gone", err(libc.semctl(sem, 0, 12)))

# POSIX shared memory is unaffected.
sm = shared_memory.SharedMemory(create=True, size=64)
pid = os.fork()
if pid == 0:
    sm.buf[:5] = b"posix"
    os._exit(0)
os.waitpid(pid, 0)
print("posix shm", bytes(sm.buf[:5]))
sm.close()
sm.unlink()

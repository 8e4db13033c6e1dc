"""Signals and threads: handlers always run in the main thread, pthread_kill from a
thread to the main thread, per-thread masks, sigwait in a worker thread."""
import os
import signal
import threading
import time

got = []


def handler(signum, frame):
    got.append((signal.Signals(signum).name, threading.current_thread() is threading.main_thread()))


signal.signal(signal.SIGUSR1, handler)
signal.signal(signal.SIGUSR2, handler)
main_ident = threading.main_thread().ident

# pthread_kill from a worker thread to the main thread.
t = threading.Thread(target=signal.pthread_kill, args=(main_ident, signal.SIGUSR2))
t.start()
t.join()
deadline = time.monotonic() + 2
while not got and time.monotonic() < deadline:
    time.sleep(0.01)
print("pthread_kill from thread", got)

# kill() of the process from a worker: the handler still runs in the main thread.
got.clear()
t = threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGUSR1))
t.start()
t.join()
deadline = time.monotonic() + 2
while not got and time.monotonic() < deadline:
    time.sleep(0.01)
print("kill from thread", got)

# The main thread blocked in Event.wait() is woken up by a signal handler setting it.
ev = threading.Event()
signal.signal(signal.SIGUSR1, lambda s, f: ev.set())
t = threading.Thread(
    target=lambda: (time.sleep(0.1), signal.pthread_kill(main_ident, signal.SIGUSR1))
)
t.start()
print("event set by handler", ev.wait(5))
t.join()

# A worker thread waits with sigwait() for a signal the whole process blocks.
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
waited = []
ready = threading.Event()


def waiter():
    ready.set()
    waited.append(signal.Signals(signal.sigwait({signal.SIGUSR2})).name)


t = threading.Thread(target=waiter)  # inherits the blocked mask
t.start()
ready.wait()
signal.pthread_kill(t.ident, signal.SIGUSR2)
t.join(5)
print("sigwait in thread", waited, "joined", not t.is_alive())

# Per-thread masks: a thread's pthread_sigmask does not change the main thread's.
seen = []


def masker():
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    seen.append(sorted(s.name for s in signal.pthread_sigmask(signal.SIG_BLOCK, set())))


t = threading.Thread(target=masker)
t.start()
t.join()
print("thread mask", seen)
print("main mask", sorted(s.name for s in signal.pthread_sigmask(signal.SIG_BLOCK, set())))

# A signal pending on a thread that blocks it stays pending for that thread only.
got.clear()
signal.signal(signal.SIGUSR1, handler)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
go = threading.Event()
out = []


def pend():
    # Blocked (inherited) SIGUSR1 sent to this thread; sigpending shows it here.
    signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)
    out.append(sorted(s.name for s in signal.sigpending()))
    out.append(signal.Signals(signal.sigwait({signal.SIGUSR1})).name)


t = threading.Thread(target=pend)
t.start()
t.join()
print("thread-directed pending", out, "main pending", sorted(s.name for s in signal.sigpending()))
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
print("handler not run", got)

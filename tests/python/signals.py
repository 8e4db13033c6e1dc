"""Signal handlers, alarm, interval timers, pthread_kill, sigwait and signal masks
(single-threaded; signals_threads.py has the cross-thread cases)."""
import os
import signal
import sys
import threading
import time

got = []


def handler(signum, frame):
    got.append(signal.Signals(signum).name)


# SIGUSR1 sent to ourselves with kill(): the handler runs before kill() returns to Python.
old = signal.signal(signal.SIGUSR1, handler)
print("old SIGUSR1 handler is SIG_DFL", old == signal.SIG_DFL)
os.kill(os.getpid(), signal.SIGUSR1)
print("after kill", got)
print("getsignal is handler", signal.getsignal(signal.SIGUSR1) is handler)

# A handler that raises: the exception comes out of the interrupted code.
class Boom(Exception):
    pass


def raiser(signum, frame):
    raise Boom(signal.Signals(signum).name)


signal.signal(signal.SIGUSR2, raiser)
try:
    os.kill(os.getpid(), signal.SIGUSR2)
    print("no exception?!")
except Boom as e:
    print("handler raised", e)

# The default SIGINT handler raises KeyboardInterrupt.
try:
    os.kill(os.getpid(), signal.SIGINT)
    print("no KeyboardInterrupt?!")
except KeyboardInterrupt:
    print("KeyboardInterrupt")

# SIG_IGN: the signal is discarded.
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
os.kill(os.getpid(), signal.SIGUSR2)
print("ignored SIGUSR2 ok")

# alarm(1) and pause(): pause() returns after the SIGALRM handler ran.
got.clear()
signal.signal(signal.SIGALRM, handler)
print("alarm returns previous", signal.alarm(1))
t0 = time.monotonic()
signal.pause()
dt = time.monotonic() - t0
print("pause returned after", got, 0.8 < dt < 2.5)

# alarm() cancelled before it fires: returns the seconds left.
signal.alarm(10)
print("cancel alarm, left", signal.alarm(0))

# A sleep interrupted by a signal: the handler runs and Python resumes the sleep for the
# remaining time (PEP 475), so the total is still the full duration.
got.clear()
signal.setitimer(signal.ITIMER_REAL, 0.1)
t0 = time.monotonic()
time.sleep(0.4)
dt = time.monotonic() - t0
print("sleep interrupted by", got, "slept full time", dt >= 0.39)

# An interval timer: count ticks until >= 3, then cancel it.
ticks = 0


def tick(signum, frame):
    global ticks
    ticks += 1


signal.signal(signal.SIGALRM, tick)
signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
deadline = time.monotonic() + 2
while ticks < 3 and time.monotonic() < deadline:
    signal.pause()
remaining = signal.setitimer(signal.ITIMER_REAL, 0)
print("ticks >= 3", ticks >= 3, "interval was", remaining[1])
print("getitimer after cancel", signal.getitimer(signal.ITIMER_REAL))
n = ticks
time.sleep(0.15)
print("no ticks after cancel", ticks == n)

# ITIMER_VIRTUAL / ITIMER_PROF fire on CPU time: burn CPU until they do.
for which, sig, name in [
    (signal.ITIMER_VIRTUAL, signal.SIGVTALRM, "ITIMER_VIRTUAL"),
    (signal.ITIMER_PROF, signal.SIGPROF, "ITIMER_PROF"),
]:
    got.clear()
    signal.signal(sig, handler)
    signal.setitimer(which, 0.02)
    deadline = time.monotonic() + 2
    x = 0
    while not got and time.monotonic() < deadline:
        x += 1
    print(name, got)

# pthread_kill() to the main thread (ourselves).
got.clear()
signal.signal(signal.SIGUSR2, handler)
signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR2)
print("pthread_kill main", got)

# Blocked signals stay pending until unblocked; sigpending() shows them.
got.clear()
old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
print("old mask empty", old_mask == set())
os.kill(os.getpid(), signal.SIGUSR1)
print("while blocked", got, "pending", sorted(s.name for s in signal.sigpending()))
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
print("after unblock", got, "pending", sorted(s.name for s in signal.sigpending()))

# sigwait / sigwaitinfo / sigtimedwait on blocked signals.
got.clear()
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGUSR2})
os.kill(os.getpid(), signal.SIGUSR2)
print("sigwait", signal.Signals(signal.sigwait({signal.SIGUSR1, signal.SIGUSR2})).name)
os.kill(os.getpid(), signal.SIGUSR1)
info = signal.sigwaitinfo({signal.SIGUSR1})
print(
    "sigwaitinfo",
    signal.Signals(info.si_signo).name,
    "si_code SI_USER",
    info.si_code == 0,
    "si_pid is us",
    info.si_pid == os.getpid(),
    "si_uid is us",
    info.si_uid == os.getuid(),
)
t0 = time.monotonic()
print("sigtimedwait timeout", signal.sigtimedwait({signal.SIGUSR1}, 0.1))
print("sigtimedwait waited", time.monotonic() - t0 >= 0.09)
signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
info = signal.sigtimedwait({signal.SIGUSR1}, 1)
# (tgkill's si_code is SI_TKILL (-6) on most kernels but SI_USER (0) on some.)
print("sigtimedwait tkill", signal.Signals(info.si_signo).name, info.si_code in (0, -6))
print("handler not run", got)
print("mask", sorted(s.name for s in signal.pthread_sigmask(signal.SIG_SETMASK, set())))

# Misc library views of the signal table.
print("SIGKILL cannot be caught:", end=" ")
try:
    signal.signal(signal.SIGKILL, handler)
except OSError as e:
    print("OSError", e.errno)
print("valid_signals has 1..31", set(range(1, 32)) <= set(signal.valid_signals()))

# Finally, die from SIGTERM with the default action: exit status 143 to the shell.
sys.stdout.flush()
signal.signal(signal.SIGTERM, signal.SIG_DFL)
os.kill(os.getpid(), signal.SIGTERM)
print("still alive?!")

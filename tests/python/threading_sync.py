"""threading.Event/Barrier/Semaphore/Timer, queue.Queue, concurrent.futures."""
import concurrent.futures as cf
import queue
import threading
import time

# Event: workers wait for a start signal.
start = threading.Event()
arrived = []
lk = threading.Lock()


def waiter(i):
    if start.wait(5):
        with lk:
            arrived.append(i)


ts = [threading.Thread(target=waiter, args=(i,)) for i in range(8)]
for t in ts:
    t.start()
time.sleep(0.05)
print("before set", len(arrived))
start.set()
for t in ts:
    t.join()
print("after set", sorted(arrived))
print("Event.wait timeout", threading.Event().wait(0.05))

# Barrier: 5 parties, each phase completes together; exactly one gets index 0.
b = threading.Barrier(5)
phases = []
zero = []


def bar(i):
    for phase in range(3):
        idx = b.wait()
        with lk:
            phases.append(phase)
            if idx == 0:
                zero.append(phase)


ts = [threading.Thread(target=bar, args=(i,)) for i in range(5)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("barrier phases", sorted(phases), "index 0 per phase", sorted(zero))
try:
    threading.Barrier(2).wait(timeout=0.05)
except threading.BrokenBarrierError:
    print("BrokenBarrierError on timeout")

# Semaphore: at most 3 holders at a time.
sem = threading.BoundedSemaphore(3)
inside = 0
peak = 0


def user():
    global inside, peak
    with sem:
        with lk:
            inside += 1
            peak = max(peak, inside)
        time.sleep(0.01)
        with lk:
            inside -= 1


ts = [threading.Thread(target=user) for _ in range(12)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("semaphore peak <= 3", peak <= 3, "final", inside)
try:
    sem.release()
except ValueError:
    print("BoundedSemaphore over-release ValueError")

# Timer fires once; a cancelled Timer does not.
fired = []
t1 = threading.Timer(0.05, fired.append, args=("a",))
t2 = threading.Timer(0.05, fired.append, args=("b",))
t1.start()
t2.start()
t2.cancel()
t1.join()
t2.join()
print("timer fired", fired)

# queue.Queue with task_done/join.
q = queue.Queue()
total = []


def qworker():
    while True:
        item = q.get()
        if item is None:
            q.task_done()
            return
        with lk:
            total.append(item)
        q.task_done()


ws = [threading.Thread(target=qworker) for _ in range(4)]
for w in ws:
    w.start()
for i in range(200):
    q.put(i)
for _ in ws:
    q.put(None)
q.join()
for w in ws:
    w.join()
print("queue total", sum(total), len(total))

# concurrent.futures.ThreadPoolExecutor.
with cf.ThreadPoolExecutor(max_workers=4) as ex:
    print("executor map", sum(ex.map(lambda x: x * x, range(1000))))
    futs = [ex.submit(pow, 2, i) for i in range(10)]
    print("as_completed", sorted(f.result() for f in cf.as_completed(futs)))
    bad = ex.submit(lambda: 1 / 0)
    print("exception", type(bad.exception()).__name__)

# Threads that are still daemon and blocked do not keep the process alive.
threading.Thread(target=threading.Event().wait, daemon=True).start()
print("names unique", len({t.name for t in threading.enumerate()}) == threading.active_count())
print("native_id distinct", threading.get_native_id() != 0)

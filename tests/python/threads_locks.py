"""100 threads with a Lock-protected counter, and a Condition-based producer/consumer."""
import threading

# Part 1: 100 threads, each increments a shared counter 1000 times under a Lock.
N_THREADS = 100
N_INCR = 1000
lock = threading.Lock()
counter = 0
seen = set()


def worker(i):
    global counter
    for _ in range(N_INCR):
        with lock:
            counter += 1
    with lock:
        seen.add(i)


threads = [threading.Thread(target=worker, args=(i,)) for i in range(N_THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("counter", counter, "expected", N_THREADS * N_INCR)
print("threads seen", len(seen), sorted(seen) == list(range(N_THREADS)))
print("alive after join", sum(t.is_alive() for t in threads))

# Part 2: bounded buffer with a Condition: 4 producers, 3 consumers.
N_PROD, N_CONS, PER_PROD, CAP = 4, 3, 250, 8
cond = threading.Condition()
buf = []
done_producers = 0
consumed = []
max_len = 0


def producer(p):
    global done_producers, max_len
    for k in range(PER_PROD):
        with cond:
            while len(buf) >= CAP:
                cond.wait()
            buf.append(p * PER_PROD + k)
            max_len = max(max_len, len(buf))
            cond.notify_all()
    with cond:
        done_producers += 1
        cond.notify_all()


def consumer(c):
    mine = []
    while True:
        with cond:
            while not buf and done_producers < N_PROD:
                cond.wait()
            if not buf:
                break
            mine.append(buf.pop(0))
            cond.notify_all()
    with cond:
        consumed.extend(mine)


ts = [threading.Thread(target=producer, args=(p,)) for p in range(N_PROD)]
ts += [threading.Thread(target=consumer, args=(c,)) for c in range(N_CONS)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("consumed", len(consumed), "sum", sum(consumed))
print("all items once", sorted(consumed) == list(range(N_PROD * PER_PROD)))
print("buffer empty", len(buf) == 0, "capacity respected", max_len <= CAP)

# Part 3: RLock re-entrancy and thread-local storage.
rl = threading.RLock()
with rl:
    with rl:
        print("rlock reentrant ok")
local = threading.local()
results = {}


def tl(i):
    local.v = i * i
    threading.Event().wait(0.001)
    results[i] = local.v


ts = [threading.Thread(target=tl, args=(i,)) for i in range(10)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("thread-local", [results[i] for i in range(10)])
print("active_count", threading.active_count())

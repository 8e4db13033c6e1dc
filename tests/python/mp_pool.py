"""multiprocessing with the fork start method: Pool.map, Process + Queue, Pipe, Value."""
import multiprocessing as mp


def square(x):
    return x * x


def echo_worker(inq, outq):
    while True:
        item = inq.get()
        if item is None:
            break
        outq.put(("echo", item, item * 2))


def pipe_worker(conn):
    msg = conn.recv()
    conn.send(msg[::-1])
    conn.close()


def add_worker(v, lock, n):
    for _ in range(n):
        with lock:
            v.value += 1


def exit_worker(code):
    raise SystemExit(code)


if __name__ == "__main__":
    ctx = mp.get_context("fork")
    print("start method", ctx.get_start_method())

    with ctx.Pool(4) as pool:
        r = pool.map(square, range(1000))
        print("pool.map sum", sum(r), "len", len(r), "ordered", r[:5], r[-1])
        print("imap_unordered sum", sum(pool.imap_unordered(square, range(100), chunksize=7)))
        ar = pool.apply_async(square, (12,))
        print("apply_async", ar.get(timeout=10))
        print("starmap", pool.starmap(pow, [(2, 10), (3, 3)]))

    # Process + Queue round trip.
    inq, outq = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=echo_worker, args=(inq, outq))
    p.start()
    for i in range(5):
        inq.put(i)
    inq.put(None)
    res = sorted(outq.get(timeout=10) for _ in range(5))
    p.join(10)
    print("queue roundtrip", res)
    print("process exitcode", p.exitcode, "alive", p.is_alive())

    # Pipe round trip.
    a, b = ctx.Pipe()
    p = ctx.Process(target=pipe_worker, args=(b,))
    p.start()
    a.send("hello pipe")
    print("pipe", a.recv())
    p.join(10)
    print("pipe exitcode", p.exitcode)

    # Shared Value with a Lock, incremented by 4 processes.
    v = ctx.Value("i", 0)
    lock = ctx.Lock()
    ps = [ctx.Process(target=add_worker, args=(v, lock, 250)) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join(10)
    print("shared value", v.value, [p.exitcode for p in ps])

    # Exit codes: SystemExit(3), and a child terminated with SIGTERM.
    p = ctx.Process(target=exit_worker, args=(3,))
    p.start()
    p.join(10)
    print("SystemExit(3) exitcode", p.exitcode)
    ev = ctx.Event()
    p = ctx.Process(target=ev.wait, args=(30,))
    p.start()
    p.terminate()
    p.join(10)
    print("terminated exitcode", p.exitcode)

"""AF_UNIX servers: a socketserver.ThreadingUnixStreamServer on a path with
several concurrent clients, a UnixDatagramServer answering clients bound to
their own paths, and an asyncio.start_unix_server echo server with several
asyncio clients (and one in the abstract namespace)."""
import asyncio
import os
import socket
import socketserver
import tempfile
import threading

tmp = tempfile.mkdtemp(prefix="unix-servers-")


class Upper(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line.upper())


path = os.path.join(tmp, "stream.sock")
with socketserver.ThreadingUnixStreamServer(path, Upper) as srv:
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    results = []
    lock = threading.Lock()

    def client(i):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
            c.connect(path)
            f = c.makefile("rwb")
            got = []
            for j in range(20):
                f.write(b"client %d line %d\n" % (i, j))
                f.flush()
                got.append(f.readline())
            with lock:
                results.append((i, all(g == (b"CLIENT %d LINE %d\n" % (i, j)) for j, g in enumerate(got))))

    ts = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for x in ts:
        x.start()
    for x in ts:
        x.join()
    print("stream server:", sorted(results))
    print("socket file is a socket:", os.path.exists(path) and not os.path.isfile(path))
    srv.shutdown()
os.unlink(path)


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data[::-1], self.client_address)


dpath = os.path.join(tmp, "dgram.sock")
with socketserver.UnixDatagramServer(dpath, Echo) as srv:
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    ok = 0
    for i in range(5):
        cpath = os.path.join(tmp, "client%d.sock" % i)
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as c:
            c.bind(cpath)
            for j in range(10):
                c.sendto(b"msg-%d-%d" % (i, j), dpath)
                data, addr = c.recvfrom(100)
                ok += data == (b"msg-%d-%d" % (i, j))[::-1] and addr == dpath
        os.unlink(cpath)
    print("dgram server replies ok:", ok)
    srv.shutdown()
os.unlink(dpath)


async def handle(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(b"echo " + line)
        await writer.drain()
    writer.close()


async def aclient(where, i):
    reader, writer = await asyncio.open_unix_connection(where)
    out = []
    for j in range(10):
        writer.write(b"%d-%d\n" % (i, j))
        await writer.drain()
        out.append(await reader.readline())
    writer.close()
    await writer.wait_closed()
    return all(o == b"echo %d-%d\n" % (i, j) for j, o in enumerate(out))


async def main():
    apath = os.path.join(tmp, "asyncio.sock")
    server = await asyncio.start_unix_server(handle, apath)
    async with server:
        res = await asyncio.gather(*(aclient(apath, i) for i in range(6)))
        print("asyncio clients:", res)
    abstract = "\0unix-servers-%d" % os.getpid()
    server = await asyncio.start_unix_server(handle, abstract)
    async with server:
        res = await asyncio.gather(*(aclient(abstract, i) for i in range(3)))
        print("asyncio abstract clients:", res)
    if os.path.exists(apath):
        os.unlink(apath)


asyncio.run(main())
os.rmdir(tmp)
print("done")

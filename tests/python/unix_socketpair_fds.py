"""AF_UNIX socketpair round trips: bytes both ways, several message types,
file descriptors passed with socket.send_fds/recv_fds (a pipe, a temporary
file, a socket), read through after the sender closed its copies."""
import os
import socket
import tempfile

for kind, name in ((socket.SOCK_STREAM, "stream"), (socket.SOCK_DGRAM, "dgram"),
                   (socket.SOCK_SEQPACKET, "seqpacket")):
    a, b = socket.socketpair(socket.AF_UNIX, kind)
    total = 0
    for i in range(50):
        msg = (b"%d:" % i) * (i + 1)
        a.sendall(msg)
        got = b.recv(len(msg))
        while kind == socket.SOCK_STREAM and len(got) < len(msg):
            got += b.recv(len(msg) - len(got))
        assert got == msg, (name, i)
        b.sendall(got[::-1])
        back = a.recv(len(msg))
        while kind == socket.SOCK_STREAM and len(back) < len(msg):
            back += a.recv(len(msg) - len(back))
        assert back == msg[::-1]
        total += len(msg)
    print(name, "round trips ok, bytes", total, "type", a.type == kind)
    a.close()
    b.close()

a, b = socket.socketpair()
r, w = os.pipe()
os.write(w, b"pipe-data")
socket.send_fds(a, [b"p"], [r, w])
os.close(r)
os.close(w)
msg, fds, flags, _ = socket.recv_fds(b, 16, 4)
print("pipe: msg", msg, "nfds", len(fds), "flags", flags)
print("pipe read", os.read(fds[0], 100))
os.write(fds[1], b"again")
print("pipe read", os.read(fds[0], 100))
for fd in fds:
    os.close(fd)

with tempfile.TemporaryFile() as f:
    f.write(b"0123456789")
    f.flush()
    os.lseek(f.fileno(), 3, os.SEEK_SET)
    socket.send_fds(a, [b"f"], [f.fileno()])
    msg, fds, flags, _ = socket.recv_fds(b, 16, 4)
    print("file read", os.read(fds[0], 4), "shared offset", os.lseek(f.fileno(), 0, os.SEEK_CUR))
    os.close(fds[0])

x, y = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
socket.send_fds(a, [b"s"], [y.fileno()])
y.close()
msg, fds, flags, _ = socket.recv_fds(b, 16, 4)
ys = socket.socket(fileno=fds[0])
ys.send(b"through passed socket")
print("socket", x.recv(100), ys.type == socket.SOCK_DGRAM)

# Too small an fd buffer: MSG_CTRUNC.
r, w = os.pipe()
socket.send_fds(a, [b"t"], [r, w, r])
msg, fds, flags, _ = socket.recv_fds(b, 16, 1)
print("truncated: nfds", len(fds), "ctrunc", bool(flags & socket.MSG_CTRUNC))

"""os.sendfile, os.copy_file_range, os.splice and shutil's fast copy paths
(copyfile uses sendfile on Linux), with offsets and sizes that cross the
internal buffer sizes."""
import hashlib
import os
import shutil
import socket
import tempfile


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def main():
    d = tempfile.mkdtemp()
    src = os.path.join(d, "src")
    data = bytes((i * 7 + i // 251) % 256 for i in range(300_000))
    with open(src, "wb") as f:
        f.write(data)
    print("src", len(data), hashlib.sha256(data).hexdigest()[:16])

    # shutil.copyfile / copy2 / copytree.
    dst = os.path.join(d, "dst")
    shutil.copyfile(src, dst)
    print("copyfile", os.path.getsize(dst), digest(dst) == digest(src))
    shutil.copy2(src, dst + "2")
    print("copy2", digest(dst + "2") == digest(src))
    os.mkdir(os.path.join(d, "tree"))
    shutil.copy(src, os.path.join(d, "tree", "a"))
    shutil.copytree(os.path.join(d, "tree"), os.path.join(d, "tree2"))
    print("copytree", sorted(os.listdir(os.path.join(d, "tree2"))))

    # os.sendfile with an offset, file to file and to a socket.
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        sent = os.sendfile(fo.fileno(), fi.fileno(), 1000, 100_000)
        print("sendfile", sent, fi.tell())
    with open(dst, "rb") as f:
        print("sendfile data ok", f.read() == data[1000:101000])
    a, b = socket.socketpair()
    with open(src, "rb") as fi:
        n = os.sendfile(a.fileno(), fi.fileno(), 0, 5000)
    got = b""
    while len(got) < n:
        got += b.recv(65536)
    print("sendfile to socket", n, got == data[:n])
    a.close()
    b.close()

    # os.copy_file_range with offsets, to EOF.
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        total = 0
        while True:
            n = os.copy_file_range(fi.fileno(), fo.fileno(), 70_000)
            if n == 0:
                break
            total += n
        print("copy_file_range total", total)
        n = os.copy_file_range(fi.fileno(), fo.fileno(), 10, 5, 299_990)
        print("copy_file_range at offsets", n)
    print("copy_file_range data ok", digest(dst) == digest(src))
    try:
        with open(src, "rb") as fi:
            os.copy_file_range(fi.fileno(), fi.fileno(), 10, 0, 5)
    except OSError as e:
        print("copy_file_range to a read-only fd:", e.errno == 9)

    # os.splice through a pipe.
    r, w = os.pipe()
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        moved = 0
        while moved < 200_000:
            n = os.splice(fi.fileno(), w, 200_000 - moved)
            if n == 0:
                break
            m = 0
            while m < n:
                m += os.splice(r, fo.fileno(), n - m)
            moved += n
        print("splice moved", moved)
    with open(dst, "rb") as f:
        print("splice data ok", f.read() == data[:200_000])
    shutil.rmtree(d)


if __name__ == "__main__":
    main()

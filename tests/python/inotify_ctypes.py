"""inotify through ctypes (python has no stdlib module): a watch on a
directory sees the events of file operations done with os/shutil/pathlib;
the read is parsed as struct inotify_event; select() reports readiness."""
import ctypes
import ctypes.util
import os
import select
import shutil
import struct
import tempfile

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
IN_NONBLOCK = os.O_NONBLOCK
NAMES = {
    0x1: "ACCESS", 0x2: "MODIFY", 0x4: "ATTRIB", 0x8: "CLOSE_WRITE",
    0x10: "CLOSE_NOWRITE", 0x20: "OPEN", 0x40: "MOVED_FROM", 0x80: "MOVED_TO",
    0x100: "CREATE", 0x200: "DELETE", 0x400: "DELETE_SELF", 0x800: "MOVE_SELF",
    0x8000: "IGNORED", 0x40000000: "ISDIR",
}


def mask_names(m):
    return "|".join(n for b, n in NAMES.items() if m & b)


def drain(fd, labels):
    out = []
    while True:
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            break
        i = 0
        while i < len(data):
            wd, mask, cookie, length = struct.unpack_from("iIII", data, i)
            name = data[i + 16:i + 16 + length].rstrip(b"\0").decode()
            out.append(f"{labels.get(wd, '?')} {mask_names(mask)} {name}".rstrip())
            i += 16 + length
    return out


def main():
    d = tempfile.mkdtemp()
    fd = libc.inotify_init1(IN_NONBLOCK)
    if fd < 0:
        print("inotify_init1 failed", ctypes.get_errno())
        return
    wd = libc.inotify_add_watch(fd, d.encode(), 0xFFF)
    labels = {wd: "dir"}
    r, _, _ = select.select([fd], [], [], 0)
    print("readable before:", bool(r))
    p = os.path.join(d, "a.txt")
    with open(p, "w") as f:
        f.write("hello")
    r, _, _ = select.select([fd], [], [], 1)
    print("readable after:", bool(r))
    print("\n".join(drain(fd, labels)))
    print("--")
    with open(p) as f:
        f.read()
    os.chmod(p, 0o600)
    os.rename(p, os.path.join(d, "b.txt"))
    os.mkdir(os.path.join(d, "sub"))
    shutil.rmtree(os.path.join(d, "sub"))
    os.unlink(os.path.join(d, "b.txt"))
    print("\n".join(drain(fd, labels)))
    print("--")
    print("rm_watch:", libc.inotify_rm_watch(fd, wd))
    print("\n".join(drain(fd, labels)))
    os.close(fd)
    os.rmdir(d)


if __name__ == "__main__":
    main()

# File-system modules of the standard library on /tmp (a tmpfs in the
# sandbox): tempfile, shutil, pathlib, glob, os.walk/scandir, zipfile, tarfile,
# sqlite3, mmap, select/selectors/epoll on pipes. Prints only deterministic
# facts (names, sizes, contents, sorted lists), never inode numbers or times.
import errno
import glob
import hashlib
import io
import mmap
import os
import pathlib
import select
import selectors
import shutil
import sqlite3
import stat
import tarfile
import tempfile
import zipfile


def show(label, value):
    print(f"{label}: {value}")


base = tempfile.mkdtemp(prefix="fs_stdlib.", dir="/tmp")
os.chdir(base)
root = pathlib.Path(base)

# tempfile
with tempfile.NamedTemporaryFile(dir=base, delete=False, suffix=".txt") as f:
    f.write(b"named temporary\n")
    named = f.name
show("named exists", os.path.exists(named))
show("named mode", oct(stat.S_IMODE(os.stat(named).st_mode)))
with tempfile.TemporaryFile(dir=base) as f:
    f.write(b"x" * 10000)
    f.seek(0)
    show("tempfile read", len(f.read()))
    show("tempfile unlinked", len(os.listdir(base)) == 1)
with tempfile.SpooledTemporaryFile(max_size=10, dir=base) as f:
    f.write(b"0123456789abcdef")
    f.seek(4)
    show("spooled", f.read(4))
with tempfile.TemporaryDirectory(dir=base) as d:
    pathlib.Path(d, "inner").write_text("inside")
    show("tempdir content", os.listdir(d))
show("tempdir removed", sorted(os.listdir(base)) == [os.path.basename(named)])
os.unlink(named)

# pathlib
tree = root / "tree"
(tree / "a" / "b").mkdir(parents=True)
(tree / "a" / "one.txt").write_text("one\n")
(tree / "a" / "b" / "two.txt").write_text("two\n" * 100)
(tree / "a" / "b" / "three.py").write_bytes(b"print(3)\n")
(tree / "link").symlink_to("a/one.txt")
show("read via link", (tree / "link").read_text().strip())
show("is_symlink", (tree / "link").is_symlink())
show("resolve", (tree / "link").resolve().relative_to(root))
show("rglob txt", sorted(str(p.relative_to(tree)) for p in tree.rglob("*.txt")))
show("stat size", (tree / "a" / "b" / "two.txt").stat().st_size)
try:
    (tree / "a").mkdir()
except FileExistsError:
    show("mkdir existing", "FileExistsError")
try:
    (tree / "a").rmdir()
except OSError as e:
    show("rmdir non-empty", errno.errorcode[e.errno])
(tree / "a" / "one.txt").chmod(0o600)
show("chmod", oct((tree / "a" / "one.txt").stat().st_mode & 0o777))
(tree / "a" / "one.txt").touch()
(tree / "renamed.txt").write_text("r")
(tree / "renamed.txt").rename(tree / "a" / "moved.txt")
show("after rename", sorted(p.name for p in (tree / "a").iterdir()))

# glob, os.walk, scandir
show("glob", sorted(os.path.relpath(p, base) for p in glob.glob(f"{base}/tree/**/*", recursive=True)))
walked = []
for dirpath, dirnames, filenames in os.walk(tree):
    dirnames.sort()
    walked.append((os.path.relpath(dirpath, base), sorted(filenames)))
show("walk", walked)
with os.scandir(tree / "a") as it:
    show("scandir", sorted((e.name, e.is_dir(), e.is_file()) for e in it))

# shutil
shutil.copytree(tree, root / "copy", symlinks=True)
show("copytree", sorted(str(p.relative_to(root / "copy")) for p in (root / "copy").rglob("*")))
show("copied link kept", os.readlink(root / "copy" / "link"))
shutil.copy2(tree / "a" / "b" / "two.txt", root / "two-copy.txt")
show("copy2 same", (root / "two-copy.txt").read_bytes() == (tree / "a" / "b" / "two.txt").read_bytes())
shutil.move(str(root / "two-copy.txt"), str(root / "copy" / "two-moved.txt"))
show("moved", (root / "copy" / "two-moved.txt").exists())
archive = shutil.make_archive(str(root / "arch"), "gztar", root_dir=tree)
show("make_archive", os.path.basename(archive))
shutil.unpack_archive(archive, root / "unpacked")
show("unpacked", sorted(str(p.relative_to(root / "unpacked")) for p in (root / "unpacked").rglob("*")))
total, used, free = shutil.disk_usage(base)
show("disk_usage sane", total > 0 and free <= total)
shutil.rmtree(root / "copy")
show("rmtree", (root / "copy").exists())

# zipfile
zpath = root / "t.zip"
with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_DEFLATED) as z:
    z.writestr("hello.txt", "hello zip\n" * 50)
    z.write(tree / "a" / "b" / "three.py", "code/three.py")
with zipfile.ZipFile(zpath) as z:
    show("zip names", z.namelist())
    show("zip test", z.testzip())
    show("zip read", z.read("code/three.py"))
with zipfile.ZipFile(zpath, "a") as z:
    z.writestr("appended.txt", "more")
with zipfile.ZipFile(zpath) as z:
    show("zip appended", sorted(z.namelist()))

# tarfile
tpath = root / "t.tar.xz"
with tarfile.open(tpath, "w:xz") as t:
    t.add(tree, arcname="tree")
with tarfile.open(tpath) as t:
    members = sorted((m.name, m.type.decode() if isinstance(m.type, bytes) else m.type) for m in t.getmembers())
    show("tar members", members)
    t.extractall(root / "untar", filter="data") if hasattr(tarfile, "data_filter") else t.extractall(root / "untar")
show("untar two", (root / "untar" / "tree" / "a" / "b" / "two.txt").read_text().count("two"))
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    info = tarfile.TarInfo("mem.txt")
    data = b"in memory"
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))
show("tar in memory", len(buf.getvalue()))

# sqlite3 on a file (journal files, locks, fsync)
db = root / "t.db"
con = sqlite3.connect(db)
con.execute("create table kv (k integer primary key, v text)")
with con:
    con.executemany("insert into kv values (?, ?)", [(i, f"v{i}") for i in range(1000)])
con.execute("create index kv_v on kv(v)")
con.commit()
con.close()
con = sqlite3.connect(db)
show("sqlite count", con.execute("select count(*), sum(k) from kv").fetchone())
show("sqlite lookup", con.execute("select k from kv where v = 'v777'").fetchone())
con.execute("pragma journal_mode=wal")
with con:
    con.execute("update kv set v = 'changed' where k < 10")
show("sqlite wal", con.execute("select count(*) from kv where v = 'changed'").fetchone())
con2 = sqlite3.connect(db)
show("sqlite second connection", con2.execute("select count(*) from kv").fetchone())
con2.close()
con.close()
show("sqlite integrity", sqlite3.connect(db).execute("pragma integrity_check").fetchone())

# mmap of a file: shared writes reach the file, private ones don't
mpath = root / "m.bin"
mpath.write_bytes(b"\0" * 8192)
with open(mpath, "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    m[0:5] = b"hello"
    m[4096:4101] = b"world"
    m.flush()
    show("mmap find", m.find(b"world"))
    m.close()
show("mmap wrote file", mpath.read_bytes()[:5] + mpath.read_bytes()[4096:4101])
with open(mpath, "r+b") as f:
    m = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE)
    m[0:5] = b"HELLO"
    show("private mapping sees", m[0:5])
    m.close()
show("file after private write", mpath.read_bytes()[:5])
with open(mpath, "r+b") as f:
    m = mmap.mmap(f.fileno(), 4096)
    m.resize(8192)
    show("mmap resize", len(m))
    m.close()
anon = mmap.mmap(-1, 4096)
anon.write(b"anonymous")
anon.seek(0)
show("anon mmap", anon.read(9))
anon.close()

# select, selectors, epoll on pipes
r, w = os.pipe()
show("select empty", select.select([r], [], [], 0)[0] == [])
os.write(w, b"ping")
show("select ready", select.select([r], [], [], 1)[0] == [r])
p = select.poll()
p.register(r, select.POLLIN)
show("poll", [(fd == r, ev) for fd, ev in p.poll(1000)])
ep = select.epoll()
ep.register(r, select.EPOLLIN | select.EPOLLET)
show("epoll et", [(fd == r, ev) for fd, ev in ep.poll(1)])
show("epoll et again", ep.poll(0))
os.read(r, 4)
os.write(w, b"x")
show("epoll et new data", len(ep.poll(1)))
ep.close()
sel = selectors.DefaultSelector()
sel.register(r, selectors.EVENT_READ, data="reader")
sel.register(w, selectors.EVENT_WRITE, data="writer")
show("selectors", sorted(k.data for k, _ in sel.select(1)))
sel.close()
os.close(r)
os.close(w)

# file hashing over a big file, sparse files
big = root / "big.bin"
with open(big, "wb") as f:
    for i in range(64):
        f.write(bytes([i]) * 65536)
show("sha256", hashlib.sha256(big.read_bytes()).hexdigest()[:16])
with open(root / "sparse", "wb") as f:
    f.seek(10 * 1024 * 1024)
    f.write(b"end")
show("sparse size", os.stat(root / "sparse").st_size)

shutil.rmtree(base)
show("cleaned", os.path.exists(base))

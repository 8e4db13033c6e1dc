"""os.posix_spawn / posix_spawnp with file actions, os.execv in a fork child, os.system."""
import os
import sys

sys.stdout.flush()


def wait_code(pid):
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


# posix_spawn with stdout redirected into a pipe by a file action.
r, w = os.pipe()
pid = os.posix_spawn(
    "/bin/echo",
    ["echo", "spawned"],
    {},
    file_actions=[(os.POSIX_SPAWN_DUP2, w, 1), (os.POSIX_SPAWN_CLOSE, r)],
)
os.close(w)
out = b""
while chunk := os.read(r, 4096):
    out += chunk
os.close(r)
print("posix_spawn", repr(out), wait_code(pid))

# posix_spawnp searches PATH from the given environment; exit status passes through.
pid = os.posix_spawnp("sh", ["sh", "-c", "exit 9"], {"PATH": "/usr/bin:/bin"})
print("posix_spawnp exit", wait_code(pid))

# A missing program: posix_spawn reports the exec failure as an exception (ENOENT).
try:
    pid = os.posix_spawn("/nonexistent/prog", ["x"], {})
    print("spawned anyway, exit", wait_code(pid))
except OSError as e:
    print("posix_spawn error", e.errno)

# Environment and an opened file.
path = "/dev/null"
r, w = os.pipe()
pid = os.posix_spawn(
    "/bin/sh",
    ["sh", "-c", 'echo "$GREETING"; cat <&5 | wc -c'],
    {"GREETING": "hello env", "PATH": "/usr/bin:/bin"},
    file_actions=[
        (os.POSIX_SPAWN_DUP2, w, 1),
        (os.POSIX_SPAWN_OPEN, 5, path, os.O_RDONLY, 0),
    ],
)
os.close(w)
out = b""
while chunk := os.read(r, 4096):
    out += chunk
os.close(r)
print("env and open", out.split(), wait_code(pid))

# fork + execv, with the exit status of the new image.
pid = os.fork()
if pid == 0:
    try:
        os.execv("/bin/sh", ["sh", "-c", "exit 12"])
    finally:
        os._exit(127)
print("fork+execv", wait_code(pid))

# os.system goes through /bin/sh and returns a wait status.
st = os.system("exit 3")
print("os.system", os.waitstatus_to_exitcode(st))
# os.popen reads the child's output.
with os.popen("echo popen works") as f:
    print("os.popen", f.read().strip())

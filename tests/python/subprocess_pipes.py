"""subprocess: check_output, Popen with pipes and communicate, timeouts, signal deaths."""
import signal
import subprocess
import sys
import time

# check_output of a simple command.
out = subprocess.check_output(["/bin/echo", "hi"])
print("check_output", repr(out))

# Popen with stdin/stdout pipes through tr and cat.
p = subprocess.Popen(
    ["/usr/bin/tr", "a-z", "A-Z"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
)
out, err = p.communicate(input=b"hello, sandbox\n")
print("tr", repr(out), repr(err), p.returncode)

data = b"".join(b"line %d\n" % i for i in range(20000))  # > pipe buffer both ways
p = subprocess.Popen(["/bin/cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
out, _ = p.communicate(input=data)
print("cat roundtrip", len(data), len(out), out == data, p.returncode)

# stderr captured separately, text mode, non-zero exit.
r = subprocess.run(
    ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"],
    capture_output=True,
    text=True,
)
print("run", repr(r.stdout), repr(r.stderr), r.returncode)
try:
    subprocess.check_call(["/bin/sh", "-c", "exit 5"])
except subprocess.CalledProcessError as e:
    print("CalledProcessError", e.returncode)

# stderr merged into stdout.
r = subprocess.run(
    ["/bin/sh", "-c", "echo a; echo b >&2"],
    stdout=subprocess.PIPE,
    stderr=subprocess.STDOUT,
)
print("merged", sorted(r.stdout.split()))

# A timeout: the child is killed and TimeoutExpired raised.
# The child must die at once (not after its 5 s sleep).
t0 = time.monotonic()
try:
    subprocess.run(["/bin/sleep", "5"], timeout=0.3)
    print("no timeout?!")
except subprocess.TimeoutExpired as e:
    print("timeout", type(e).__name__, e.cmd)
print("timed-out child reaped promptly", time.monotonic() - t0 < 2.5)

# communicate() with a timeout on a Popen, then kill and reap.
p = subprocess.Popen(["/bin/sleep", "5"], stdout=subprocess.PIPE)
try:
    p.communicate(timeout=0.2)
except subprocess.TimeoutExpired as e:
    print("communicate timeout", type(e).__name__)
p.kill()
p.communicate()
print("killed returncode", p.returncode)

# Children killed by signals: negative return codes.
# (The sleeps are long: a child must die at once, wherever the signal finds it.)
t0 = time.monotonic()
p = subprocess.Popen(["/bin/sleep", "5"])
p.terminate()
print("terminate returncode", p.wait())
p = subprocess.Popen(["/bin/sleep", "5"])
p.send_signal(signal.SIGKILL)
print("SIGKILL returncode", p.wait())
print("signaled children died promptly", time.monotonic() - t0 < 2.5)
r = subprocess.run(["/bin/sh", "-c", "kill -USR1 $$"])
print("self-signaled sh returncode", r.returncode)

# poll() before and after exit.
p = subprocess.Popen(["/bin/sh", "-c", "exit 7"])
print("wait", p.wait(), "poll", p.poll())

# A missing program raises FileNotFoundError in the parent.
try:
    subprocess.run(["/nonexistent/program"])
except FileNotFoundError as e:
    print("FileNotFoundError", e.errno)

# cwd and env are passed through.
r = subprocess.run(
    ["/bin/sh", "-c", 'pwd; echo "$FOO"'],
    cwd="/usr",
    env={"FOO": "bar"},
    capture_output=True,
    text=True,
)
print("cwd/env", r.stdout.split())

# A pipeline: echo | tr | cat, connected with Popen stdout -> stdin.
p1 = subprocess.Popen(["/bin/echo", "pipeline works"], stdout=subprocess.PIPE)
p2 = subprocess.Popen(
    ["/usr/bin/tr", "a-z", "A-Z"], stdin=p1.stdout, stdout=subprocess.PIPE
)
p1.stdout.close()
out = p2.communicate()[0]
print("pipeline", repr(out), p1.wait(), p2.returncode)
sys.stdout.flush()

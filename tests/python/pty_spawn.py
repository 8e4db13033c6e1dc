"""pty.spawn of a small shell: its output arrives through the pty master
(with ONLCR's \\r\\n), stty sees the pty's default settings, tty names the
slave, and the exit status comes back."""
import os
import pty
import sys

captured = []


def master_read(fd):
    data = os.read(fd, 1024)
    captured.append(data)
    return data


def run(cmd):
    captured.clear()
    # The child's output goes to our stdout too; keep it out of the diff by
    # sending it to /dev/null and printing what was captured.
    saved = os.dup(1)
    null = os.open("/dev/null", os.O_WRONLY)
    os.dup2(null, 1)
    try:
        status = pty.spawn(["/bin/sh", "-c", cmd], master_read)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    out = b"".join(captured)
    print("status", os.waitstatus_to_exitcode(status))
    for line in out.split(b"\n"):
        print(repr(line))


run("echo hi; stty -a | head -1; tty | sed 's/[0-9]*$/N/'")
run("stty -a | sed -n 2,3p | tr -s ' ' | cut -c1-60")
run("echo to stderr >&2; exit 3")

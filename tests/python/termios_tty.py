"""termios: tcgetattr/tcsetattr round trips on a pty slave, tty.setraw and
tty.setcbreak, window sizes, ttyname/isatty, tcflush and tcdrain."""
import os
import termios
import tty

m, s = os.openpty()
print("isatty", os.isatty(m), os.isatty(s), os.isatty(os.open("/dev/null", os.O_RDONLY)))
print("ttyname prefix", os.ttyname(s).startswith("/dev/pts/"))
attrs = termios.tcgetattr(s)
iflag, oflag, cflag, lflag, ispeed, ospeed, cc = attrs
print("default", oct(iflag), oct(oflag), oct(cflag), oct(lflag), ispeed, ospeed)
print("cc", [c if isinstance(c, int) else ord(c) for c in cc])

new = termios.tcgetattr(s)
new[3] &= ~(termios.ECHO | termios.ICANON)
new[6][termios.VMIN] = 0
new[6][termios.VTIME] = 1
termios.tcsetattr(s, termios.TCSANOW, new)
got = termios.tcgetattr(s)
print("round trip lflag", oct(got[3]), "vmin", got[6][termios.VMIN], "vtime", got[6][termios.VTIME])
# VTIME 1: a read with nothing typed returns empty after 0.1 s.
print("timed read", os.read(s, 10))

termios.tcsetattr(s, termios.TCSAFLUSH, attrs)
tty.setraw(s)
raw = termios.tcgetattr(s)
print("setraw", oct(raw[0]), oct(raw[1]), oct(raw[2]), oct(raw[3]), raw[6][termios.VMIN], raw[6][termios.VTIME])
os.write(m, b"a\r\x03\x7f")
print("raw read", os.read(s, 10))

termios.tcsetattr(s, termios.TCSANOW, attrs)
tty.setcbreak(s)
cb = termios.tcgetattr(s)
print("setcbreak", oct(cb[3]), cb[6][termios.VMIN])
os.write(m, b"xy")
print("cbreak read", os.read(s, 10))

print("winsize", termios.tcgetwinsize(s))
termios.tcsetwinsize(m, (25, 81))
print("winsize", termios.tcgetwinsize(s))

termios.tcsetattr(s, termios.TCSANOW, attrs)
os.write(m, b"flushed\n")
termios.tcflush(s, termios.TCIFLUSH)
os.write(m, b"kept\n")
print("after flush", os.read(s, 100))
termios.tcdrain(s)
try:
    termios.tcgetattr(os.open("/dev/null", os.O_RDONLY))
except termios.error as e:
    print("not a tty", e.args[0] == 25)
os.close(s)
os.close(m)

//! The line discipline of a pty slave (Linux's `n_tty.c`), as pure state:
//! input processing (bytes the master writes: ICRNL/INLCR/IGNCR, signal
//! characters, canonical line editing, echo), output processing (bytes the
//! slave writes: OPOST/ONLCR/OCRNL/ONOCR/ONLRET/XTABS) and the read side
//! (one line per read in canonical mode, raw bytes otherwise). Blocking,
//! VMIN/VTIME and signal delivery are the caller's ([`super::pty`]).

use std::collections::VecDeque;
use syscalls::abi::Termios;
use syscalls::consts::{
    B38400, CREAD, CS8, ECHO, ECHOCTL, ECHOE, ECHOK, ECHOKE, ECHONL, ICANON, ICRNL, IEXTEN, IGNCR,
    INLCR, ISIG, ISTRIP, IUCLC, IXANY, IXON, NOFLSH, OCRNL, OLCUC, ONLCR, ONLRET, ONOCR, OPOST,
    TABDLY, VEOF, VEOL, VEOL2, VERASE, VINTR, VKILL, VLNEXT, VQUIT, VREPRINT, VSTART, VSTOP, VSUSP,
    VWERASE, XTABS,
};
use syscalls::Pod;

/// The most a canonical line holds (Linux's N_TTY_BUF_SIZE - 1 characters
/// plus the terminator).
pub const N_TTY_BUF_SIZE: usize = 4096;
/// Input bytes held (lines and raw data) before writes on the master wait
/// (Linux's tty buffer memory limit plus the n_tty buffer).
pub const INPUT_LIMIT: usize = 65536 + N_TTY_BUF_SIZE;

/// Linux's INIT_C_CC.
const INIT_C_CC: [u8; 17] = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0];

/// The termios a new pty slave starts with (Linux's tty_std_termios with the
/// pts driver's c_cflag).
pub fn default_termios() -> Termios {
    let mut t = Termios::zeroed();
    t.c_iflag = ICRNL | IXON;
    t.c_oflag = OPOST | ONLCR;
    t.c_cflag = B38400 | CS8 | CREAD;
    t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
    t.c_cc[..INIT_C_CC.len()].copy_from_slice(&INIT_C_CC);
    t
}

fn iscntrl(c: u8) -> bool {
    c < 0x20 || c == 0x7f
}

/// What processing input caused besides queueing it.
#[derive(Default, Debug, PartialEq, Eq)]
pub struct Effects {
    /// Echoed bytes (after output processing) for the master to read.
    pub echo: Vec<u8>,
    /// Signals for the foreground process group.
    pub signals: Vec<i32>,
    /// Output not yet read by the master must be discarded (a signal
    /// character without NOFLSH), before `echo` is queued.
    pub flush_output: bool,
}

/// A slave's line discipline.
pub struct Ldisc {
    pub termios: Termios,
    /// Completed canonical lines, oldest first: the bytes not yet read,
    /// terminator included (an EOF character is not stored).
    lines: VecDeque<Vec<u8>>,
    /// Non-canonical input.
    raw: VecDeque<u8>,
    /// The canonical line being edited.
    line: Vec<u8>,
    /// The next input byte is taken literally (after VLNEXT).
    lnext: bool,
    /// The output column (for tabs, ONOCR and erasing tabs).
    column: u32,
    /// The column where the line being edited started.
    canon_column: u32,
    /// Output stopped by VSTOP (IXON).
    pub stopped: bool,
}

impl Default for Ldisc {
    fn default() -> Self {
        Ldisc::new()
    }
}

impl Ldisc {
    pub fn new() -> Ldisc {
        Ldisc {
            termios: default_termios(),
            lines: VecDeque::new(),
            raw: VecDeque::new(),
            line: Vec::new(),
            lnext: false,
            column: 0,
            canon_column: 0,
            stopped: false,
        }
    }

    fn l(&self, f: u32) -> bool {
        self.termios.c_lflag & f != 0
    }
    fn i(&self, f: u32) -> bool {
        self.termios.c_iflag & f != 0
    }
    fn o(&self, f: u32) -> bool {
        self.termios.c_oflag & f != 0
    }
    /// Whether `c` is the (enabled) control character at `idx`.
    fn is(&self, c: u8, idx: usize) -> bool {
        let cc = self.termios.c_cc[idx];
        cc != 0 && c == cc
    }

    pub fn canonical(&self) -> bool {
        self.l(ICANON)
    }

    /// Bytes held for reading, as FIONREAD reports them (completed lines
    /// only in canonical mode).
    pub fn inq(&self) -> usize {
        if self.canonical() {
            self.lines.iter().map(Vec::len).sum()
        } else {
            self.raw.len()
        }
    }

    /// Whether a read would return now, given `min` (VMIN for poll in
    /// non-canonical mode, 1 otherwise).
    pub fn input_ready(&self, min: usize) -> bool {
        if self.canonical() {
            !self.lines.is_empty()
        } else {
            self.raw.len() >= min.max(1)
        }
    }

    /// How many more input bytes fit before the master's writes wait.
    pub fn input_room(&self) -> usize {
        let held =
            self.lines.iter().map(Vec::len).sum::<usize>() + self.raw.len() + self.line.len();
        INPUT_LIMIT.saturating_sub(held)
    }

    /// Discard all input (TCIFLUSH, signal characters).
    pub fn flush_input(&mut self) {
        self.lines.clear();
        self.raw.clear();
        self.line.clear();
        self.lnext = false;
    }

    /// Install new settings (TCSETS*). Switching canonical mode off makes
    /// everything held readable as raw data; switching it on makes held
    /// raw data one line, as Linux's n_tty_set_termios.
    pub fn set_termios(&mut self, t: Termios) {
        let was = self.canonical();
        self.termios = t;
        let now = self.canonical();
        if was && !now {
            for l in self.lines.drain(..) {
                self.raw.extend(l);
            }
            self.raw.extend(self.line.drain(..));
            self.lnext = false;
        } else if !was && now && !self.raw.is_empty() {
            self.lines.push_back(self.raw.drain(..).collect());
        }
        if !self.i(IXON) {
            self.stopped = false;
        }
    }

    /// Read input into `out`: at most one line in canonical mode (a line
    /// ended by EOF may give 0 bytes), otherwise what is there. Returns the
    /// bytes copied and whether anything (even an empty line) was taken.
    pub fn read(&mut self, out: &mut [u8]) -> (usize, bool) {
        if self.canonical() {
            let Some(front) = self.lines.front_mut() else {
                return (0, false);
            };
            let n = front.len().min(out.len());
            out[..n].copy_from_slice(&front[..n]);
            front.drain(..n);
            if front.is_empty() {
                self.lines.pop_front();
            }
            (n, true)
        } else {
            let n = self.raw.len().min(out.len());
            for (d, b) in out[..n].iter_mut().zip(self.raw.drain(..n)) {
                *d = b;
            }
            (n, n > 0)
        }
    }

    /// Process one output byte (Linux's do_output_char when OPOST is set).
    pub fn output_byte(&mut self, c: u8, out: &mut Vec<u8>) {
        if !self.o(OPOST) {
            out.push(c);
            return;
        }
        match c {
            b'\n' => {
                if self.o(ONLRET) {
                    self.column = 0;
                }
                if self.o(ONLCR) {
                    self.column = 0;
                    out.extend_from_slice(b"\r\n");
                    return;
                }
                self.canon_column = self.column;
                out.push(c);
            }
            b'\r' => {
                if self.o(ONOCR) && self.column == 0 {
                    return;
                }
                if self.o(OCRNL) {
                    if self.o(ONLRET) {
                        self.column = 0;
                        self.canon_column = 0;
                    }
                    out.push(b'\n');
                    return;
                }
                self.column = 0;
                self.canon_column = 0;
                out.push(c);
            }
            b'\t' => {
                let spaces = 8 - (self.column % 8);
                if self.termios.c_oflag & TABDLY == XTABS {
                    self.column += spaces;
                    out.extend(std::iter::repeat_n(b' ', spaces as usize));
                    return;
                }
                self.column += spaces;
                out.push(c);
            }
            8 => {
                self.column = self.column.saturating_sub(1);
                out.push(c);
            }
            _ => {
                let c = if self.o(OLCUC) {
                    c.to_ascii_uppercase()
                } else {
                    c
                };
                if !iscntrl(c) {
                    self.column += 1;
                }
                out.push(c);
            }
        }
    }

    /// Output processing of what the slave writes.
    pub fn output(&mut self, data: &[u8], out: &mut Vec<u8>) {
        for &c in data {
            self.output_byte(c, out);
        }
    }

    /// Echo `c` as Linux's echo_char: control characters as `^X` with
    /// ECHOCTL (tab excepted).
    fn echo_char(&mut self, c: u8, fx: &mut Effects) {
        if self.l(ECHOCTL) && iscntrl(c) && c != b'\t' {
            fx.echo.push(b'^');
            fx.echo.push(c ^ 0o100);
            self.column += 2;
        } else {
            self.output_byte(c, &mut fx.echo);
        }
    }

    fn echo_raw(&mut self, c: u8, fx: &mut Effects) {
        self.output_byte(c, &mut fx.echo);
    }

    /// Process bytes written to the master; returns how many were taken
    /// (fewer when the input is full).
    pub fn receive(&mut self, data: &[u8], fx: &mut Effects) -> usize {
        let mut n = 0;
        for &c in data {
            if self.input_room() == 0 {
                break;
            }
            self.receive_char(c, fx);
            n += 1;
        }
        n
    }

    fn queue(&mut self, c: u8) {
        if self.canonical() {
            // A full line keeps only room for its terminator.
            if self.line.len() < N_TTY_BUF_SIZE - 1 {
                self.line.push(c);
            }
        } else {
            self.raw.push_back(c);
        }
    }

    fn end_line(&mut self, term: Option<u8>) {
        let mut l = std::mem::take(&mut self.line);
        if let Some(c) = term {
            l.push(c);
        }
        self.lines.push_back(l);
    }

    fn receive_char(&mut self, c: u8, fx: &mut Effects) {
        let mut c = c;
        if self.i(ISTRIP) {
            c &= 0x7f;
        }
        if self.i(IUCLC) && self.l(IEXTEN) {
            c = c.to_ascii_lowercase();
        }
        if self.lnext {
            self.lnext = false;
            self.normal_char(c, fx);
            return;
        }
        if self.i(IXON) {
            if self.is(c, VSTART) {
                self.stopped = false;
                return;
            }
            if self.is(c, VSTOP) {
                self.stopped = true;
                return;
            }
        }
        if self.l(ISIG) {
            let sig = if self.is(c, VINTR) {
                Some(libc::SIGINT)
            } else if self.is(c, VQUIT) {
                Some(libc::SIGQUIT)
            } else if self.is(c, VSUSP) {
                Some(libc::SIGTSTP)
            } else {
                None
            };
            if let Some(sig) = sig {
                fx.signals.push(sig);
                if !self.l(NOFLSH) {
                    self.flush_input();
                    fx.flush_output = true;
                    fx.echo.clear();
                }
                if self.i(IXON) {
                    self.stopped = false;
                }
                if self.l(ECHO) {
                    self.echo_char(c, fx);
                }
                return;
            }
        }
        if self.stopped && self.i(IXON) && self.i(IXANY) {
            self.stopped = false;
        }
        if c == b'\r' {
            if self.i(IGNCR) {
                return;
            }
            if self.i(ICRNL) {
                c = b'\n';
            }
        } else if c == b'\n' && self.i(INLCR) {
            c = b'\r';
        }
        if self.canonical() {
            let iexten = self.l(IEXTEN);
            if self.is(c, VERASE) || self.is(c, VKILL) || (iexten && self.is(c, VWERASE)) {
                self.eraser(c, fx);
                return;
            }
            if iexten && self.is(c, VLNEXT) {
                self.lnext = true;
                if self.l(ECHO) && self.l(ECHOCTL) {
                    fx.echo.extend_from_slice(b"^\x08");
                }
                return;
            }
            if iexten && self.l(ECHO) && self.is(c, VREPRINT) {
                self.echo_char(c, fx);
                self.echo_raw(b'\n', fx);
                for b in self.line.clone() {
                    self.echo_char(b, fx);
                }
                return;
            }
            if c == b'\n' {
                if self.l(ECHO) || self.l(ECHONL) {
                    self.echo_raw(b'\n', fx);
                }
                self.end_line(Some(c));
                return;
            }
            if self.is(c, VEOF) {
                self.end_line(None);
                return;
            }
            if self.is(c, VEOL) || (iexten && self.is(c, VEOL2)) {
                if self.l(ECHO) {
                    if self.line.is_empty() {
                        self.canon_column = self.column;
                    }
                    self.echo_char(c, fx);
                }
                self.end_line(Some(c));
                return;
            }
        }
        self.normal_char(c, fx);
    }

    fn normal_char(&mut self, c: u8, fx: &mut Effects) {
        if self.l(ECHO) {
            if c == b'\n' {
                self.echo_raw(c, fx);
            } else {
                if self.line.is_empty() {
                    self.canon_column = self.column;
                }
                self.echo_char(c, fx);
            }
        }
        self.queue(c);
    }

    /// The column after echoing the line being edited (for erasing a tab).
    fn line_column(&self) -> u32 {
        let mut col = self.canon_column;
        for &b in &self.line {
            if b == b'\t' {
                col = (col | 7) + 1;
            } else if iscntrl(b) {
                if self.l(ECHOCTL) {
                    col += 2;
                }
            } else {
                col += 1;
            }
        }
        col
    }

    /// ERASE, WERASE and KILL (Linux's eraser).
    fn eraser(&mut self, c: u8, fx: &mut Effects) {
        if self.line.is_empty() {
            return;
        }
        let kill = self.is(c, VKILL);
        let werase = !kill && !self.is(c, VERASE);
        if kill {
            if !self.l(ECHO) {
                self.line.clear();
                return;
            }
            if !(self.l(ECHOK) && self.l(ECHOKE) && self.l(ECHOE)) {
                self.line.clear();
                self.echo_char(c, fx);
                if self.l(ECHOK) {
                    self.echo_raw(b'\n', fx);
                }
                return;
            }
        }
        let mut seen_alnum = false;
        while let Some(&ch) = self.line.last() {
            if werase {
                let word = ch.is_ascii_alphanumeric() || ch == b'_';
                if word {
                    seen_alnum = true;
                } else if seen_alnum {
                    break;
                }
            }
            self.line.pop();
            if self.l(ECHO) {
                if !kill && !self.l(ECHOE) {
                    self.echo_char(self.termios.c_cc[VERASE], fx);
                } else if ch == b'\t' {
                    let col = self.line_column();
                    let n = self.column.saturating_sub(col);
                    for _ in 0..n {
                        self.echo_raw(8, fx);
                    }
                } else {
                    if iscntrl(ch) && self.l(ECHOCTL) {
                        fx.echo.extend_from_slice(b"\x08 \x08");
                        self.column = self.column.saturating_sub(1);
                    }
                    if !iscntrl(ch) || self.l(ECHOCTL) {
                        fx.echo.extend_from_slice(b"\x08 \x08");
                        self.column = self.column.saturating_sub(1);
                    }
                }
            }
            if !kill && !werase {
                break;
            }
        }
        if kill && self.l(ECHO) && !self.l(ECHOKE) {
            self.echo_raw(b'\n', fx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(ld: &mut Ldisc, data: &[u8]) -> Effects {
        let mut fx = Effects::default();
        assert_eq!(ld.receive(data, &mut fx), data.len());
        fx
    }

    fn read_all(ld: &mut Ldisc) -> Vec<u8> {
        let mut buf = [0u8; 256];
        let (n, _) = ld.read(&mut buf);
        buf[..n].to_vec()
    }

    #[test]
    fn canonical_erase_and_echo() {
        let mut ld = Ldisc::new();
        let fx = feed(&mut ld, b"abc\x7f d\n");
        assert_eq!(fx.echo, b"abc\x08 \x08 d\r\n");
        assert_eq!(read_all(&mut ld), b"ab d\n");
        assert!(!ld.input_ready(1));
    }

    #[test]
    fn one_line_per_read_and_partial_reads() {
        let mut ld = Ldisc::new();
        feed(&mut ld, b"one\ntwo\n");
        assert_eq!(ld.inq(), 8);
        let mut b = [0u8; 2];
        assert_eq!(ld.read(&mut b), (2, true));
        assert_eq!(&b, b"on");
        assert_eq!(read_all(&mut ld), b"e\n");
        assert_eq!(read_all(&mut ld), b"two\n");
    }

    #[test]
    fn incomplete_line_is_not_readable() {
        let mut ld = Ldisc::new();
        feed(&mut ld, b"abc");
        assert!(!ld.input_ready(1));
        assert_eq!(ld.inq(), 0);
        // EOF ends the line without being stored; an empty line reads 0.
        feed(&mut ld, b"\x04\x04");
        assert_eq!(read_all(&mut ld), b"abc");
        assert_eq!(ld.read(&mut [0u8; 8]), (0, true));
        assert_eq!(ld.read(&mut [0u8; 8]), (0, false));
    }

    #[test]
    fn kill_and_werase() {
        let mut ld = Ldisc::new();
        let fx = feed(&mut ld, b"ab\x15xy foo\x17z\n");
        assert_eq!(read_all(&mut ld), b"xy z\n");
        // KILL with ECHOKE erases each character.
        assert!(fx.echo.starts_with(b"ab\x08 \x08\x08 \x08xy foo"));
    }

    #[test]
    fn signal_chars_flush_and_echo() {
        let mut ld = Ldisc::new();
        let fx = feed(&mut ld, b"abc\x03");
        assert_eq!(fx.signals, vec![libc::SIGINT]);
        assert!(fx.flush_output);
        assert_eq!(fx.echo, b"^C");
        feed(&mut ld, b"\n");
        assert_eq!(read_all(&mut ld), b"\n");
        let mut t = ld.termios;
        t.c_lflag |= NOFLSH;
        ld.set_termios(t);
        let fx = feed(&mut ld, b"x\x1c\x1a");
        assert_eq!(fx.signals, vec![libc::SIGQUIT, libc::SIGTSTP]);
        assert!(!fx.flush_output);
        assert_eq!(fx.echo, b"x^\\^Z");
    }

    #[test]
    fn input_cr_nl_translation() {
        let mut ld = Ldisc::new();
        feed(&mut ld, b"a\r");
        assert_eq!(read_all(&mut ld), b"a\n");
        let mut t = ld.termios;
        t.c_iflag = IGNCR;
        ld.set_termios(t);
        feed(&mut ld, b"b\r\n");
        assert_eq!(read_all(&mut ld), b"b\n");
        t.c_iflag = INLCR;
        t.c_cc[VEOL] = b'\r';
        ld.set_termios(t);
        feed(&mut ld, b"c\n");
        assert_eq!(read_all(&mut ld), b"c\r");
    }

    #[test]
    fn raw_mode_and_mode_switches() {
        let mut ld = Ldisc::new();
        feed(&mut ld, b"line\npart");
        let mut t = ld.termios;
        t.c_lflag &= !(ICANON | ECHO);
        ld.set_termios(t);
        assert_eq!(ld.inq(), 9);
        let fx = feed(&mut ld, b"\x7f");
        assert!(fx.echo.is_empty());
        assert!(ld.input_ready(10));
        assert!(!ld.input_ready(11));
        assert_eq!(read_all(&mut ld), b"line\npart\x7f");
        feed(&mut ld, b"xy");
        t.c_lflag |= ICANON;
        ld.set_termios(t);
        assert_eq!(read_all(&mut ld), b"xy");
    }

    #[test]
    fn output_processing() {
        let mut ld = Ldisc::new();
        let mut out = Vec::new();
        ld.output(b"a\nb\tc", &mut out);
        assert_eq!(out, b"a\r\nb\tc");
        let mut t = ld.termios;
        t.c_oflag = OPOST | OCRNL | XTABS;
        ld.set_termios(t);
        out.clear();
        ld.output(b"\rab\t|", &mut out);
        // OCRNL without ONLRET keeps the column (9 after "b\tc").
        assert_eq!(out, b"\nab     |");
        t.c_oflag = ONLCR;
        ld.set_termios(t);
        out.clear();
        ld.output(b"x\n", &mut out);
        assert_eq!(out, b"x\n");
    }

    #[test]
    fn echo_variants() {
        let mut ld = Ldisc::new();
        let mut t = ld.termios;
        t.c_lflag = ICANON | ECHONL;
        ld.set_termios(t);
        let fx = feed(&mut ld, b"secret\n");
        assert_eq!(fx.echo, b"\r\n");
        t.c_lflag = ICANON | ECHO;
        ld.set_termios(t);
        let fx = feed(&mut ld, b"a\x01\x7f\n");
        // Without ECHOE the erase character is echoed; without ECHOCTL
        // control characters are echoed as they are.
        assert_eq!(fx.echo, b"a\x01\x7f\r\n");
        assert_eq!(read_all(&mut ld), b"secret\n");
        assert_eq!(read_all(&mut ld), b"a\n");
    }

    #[test]
    fn flow_control_and_lnext() {
        let mut ld = Ldisc::new();
        feed(&mut ld, b"\x13");
        assert!(ld.stopped);
        feed(&mut ld, b"\x11");
        assert!(!ld.stopped);
        let fx = feed(&mut ld, b"\x16\x03\n");
        assert!(fx.signals.is_empty());
        assert_eq!(read_all(&mut ld), b"\x03\n");
    }

    #[test]
    fn long_lines_are_capped() {
        let mut ld = Ldisc::new();
        let mut t = ld.termios;
        t.c_lflag &= !ECHO;
        ld.set_termios(t);
        feed(&mut ld, &[b'x'; 5000]);
        feed(&mut ld, b"\n");
        let mut buf = vec![0u8; 8192];
        assert_eq!(ld.read(&mut buf).0, N_TTY_BUF_SIZE);
    }
}

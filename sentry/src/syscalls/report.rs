//! The syscall compatibility report, generated from the dispatch table
//! ([`super::TABLE`]): every x86_64 syscall number with its name and support
//! level. `runsc syscalls --format ...` prints it and `docs/compatibility.md`
//! is its Markdown rendering. Output is deterministic (ordered by number).

use super::{Entry, Support, Table, TABLE};
use std::fmt::Write as _;
use syscalls::nr::NAMES;

/// Output formats of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned plain-text columns for terminals.
    Table,
    /// The checked-in `docs/compatibility.md`.
    Markdown,
    /// One object with counts and a `syscalls` array, for tools.
    Json,
    /// `nr,name,support,errno,note` rows with a header line.
    Csv,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "table" | "text" => Ok(Format::Table),
            "markdown" | "md" => Ok(Format::Markdown),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            other => Err(format!(
                "unknown format {other:?} (table, markdown, json, csv)"
            )),
        }
    }
}

/// Support levels as the report names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Full,
    Partial,
    Errno,
    Missing,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Full => "full",
            Level::Partial => "partial",
            Level::Errno => "errno",
            Level::Missing => "missing",
        }
    }
}

/// One syscall of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub nr: usize,
    pub name: &'static str,
    pub level: Level,
    /// The fixed errno's name for [`Level::Errno`].
    pub errno: Option<&'static str>,
    /// What is partial, or why the errno; empty otherwise.
    pub note: &'static str,
}

impl Row {
    /// `full`, `partial`, `errno EPERM`, `missing`.
    pub fn support_text(&self) -> String {
        match self.errno {
            Some(e) => format!("errno {e}"),
            None => self.level.name().to_string(),
        }
    }
}

/// Syscalls per level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub full: usize,
    pub partial: usize,
    pub errno: usize,
    pub missing: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.full + self.partial + self.errno + self.missing
    }
}

fn row(nr: usize, name: &'static str, e: &Entry) -> Row {
    let (level, errno, note) = match e.support {
        // A handler registered as Missing is still a handler; a slot without
        // one is missing whatever its level says.
        _ if e.handler.is_none() && !matches!(e.support, Support::Errno(..)) => {
            (Level::Missing, None, "")
        }
        Support::Full => (Level::Full, None, ""),
        Support::Partial(n) => (Level::Partial, None, n),
        Support::Errno(err, n) => (Level::Errno, Some(err.name()), n),
        Support::Missing => (
            Level::Partial,
            None,
            "handler registered without a support level",
        ),
    };
    Row {
        nr,
        name,
        level,
        errno,
        note,
    }
}

/// Every named syscall of `table`, by number.
pub fn rows_of(table: &Table) -> Vec<Row> {
    NAMES
        .iter()
        .enumerate()
        .filter_map(|(nr, name)| {
            let name = (*name)?;
            let e = table.entries.get(nr)?;
            Some(row(nr, name, e))
        })
        .collect()
}

/// Every named syscall of the sentry's table, by number.
pub fn rows() -> Vec<Row> {
    rows_of(&TABLE)
}

pub fn counts(rows: &[Row]) -> Counts {
    let mut c = Counts::default();
    for r in rows {
        match r.level {
            Level::Full => c.full += 1,
            Level::Partial => c.partial += 1,
            Level::Errno => c.errno += 1,
            Level::Missing => c.missing += 1,
        }
    }
    c
}

/// The report of the sentry's table.
pub fn render(format: Format) -> String {
    render_rows(&rows(), format)
}

/// The report of the given rows.
pub fn render_rows(rows: &[Row], format: Format) -> String {
    match format {
        Format::Table => text(rows),
        Format::Markdown => markdown(rows),
        Format::Json => json(rows),
        Format::Csv => csv(rows),
    }
}

fn text(rows: &[Row]) -> String {
    let c = counts(rows);
    let mut s = format!(
        "{} syscalls: {} full, {} partial, {} errno, {} missing\n\n",
        c.total(),
        c.full,
        c.partial,
        c.errno,
        c.missing
    );
    let name_w = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    let sup_w = rows
        .iter()
        .map(|r| r.support_text().len())
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        s,
        "{:>3}  {:<name_w$}  {:<sup_w$}  NOTE",
        "NR", "NAME", "SUPPORT"
    );
    for r in rows {
        let line = format!(
            "{:>3}  {:<name_w$}  {:<sup_w$}  {}",
            r.nr,
            r.name,
            r.support_text(),
            r.note
        );
        let _ = writeln!(s, "{}", line.trim_end());
    }
    s
}

fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
}

fn markdown(rows: &[Row]) -> String {
    let c = counts(rows);
    let mut s = String::new();
    s.push_str("# Syscall compatibility\n\n");
    s.push_str(
        "Generated from the sentry's syscall table by `runsc syscalls --format markdown`; \
         do not edit by hand. Levels: **full** — behaves as Linux; **partial** — implemented \
         with the noted gaps; **errno** — deliberately fails with that errno; **missing** — \
         not implemented, returns ENOSYS (logged once per syscall).\n\n",
    );
    let _ = writeln!(s, "| level | syscalls |");
    let _ = writeln!(s, "|---|---:|");
    for (name, n) in [
        ("full", c.full),
        ("partial", c.partial),
        ("errno", c.errno),
        ("missing", c.missing),
    ] {
        let _ = writeln!(s, "| {name} | {n} |");
    }
    let _ = writeln!(s, "| **total** | **{}** |", c.total());
    s.push_str("\n| nr | name | support | notes |\n|---:|---|---|---|\n");
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | `{}` | {} | {} |",
            r.nr,
            r.name,
            r.support_text(),
            md_cell(r.note)
        );
    }
    s
}

/// Appends `s` as a JSON string literal (also used by the compat report).
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON string literal.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_json_str(&mut out, s);
    out
}

fn json(rows: &[Row]) -> String {
    let c = counts(rows);
    let mut s = String::from("{\n");
    let _ = writeln!(s, "  \"arch\": \"x86_64\",");
    let _ = writeln!(
        s,
        "  \"counts\": {{\"full\": {}, \"partial\": {}, \"errno\": {}, \"missing\": {}, \"total\": {}}},",
        c.full,
        c.partial,
        c.errno,
        c.missing,
        c.total()
    );
    s.push_str("  \"syscalls\": [\n");
    for (i, r) in rows.iter().enumerate() {
        let errno = r.errno.map(json_str).unwrap_or_else(|| "null".to_string());
        let comma = if i + 1 < rows.len() { "," } else { "" };
        let _ = writeln!(
            s,
            "    {{\"nr\": {}, \"name\": {}, \"support\": {}, \"errno\": {}, \"note\": {}}}{comma}",
            r.nr,
            json_str(r.name),
            json_str(r.level.name()),
            errno,
            json_str(r.note)
        );
    }
    s.push_str("  ]\n}\n");
    s
}

/// A CSV field, quoted when needed (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv(rows: &[Row]) -> String {
    let mut s = String::from("nr,name,support,errno,note\n");
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{}",
            r.nr,
            csv_field(r.name),
            r.level.name(),
            r.errno.unwrap_or(""),
            csv_field(r.note)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::task::Task;
    use syscalls::nr::NR_SYSCALLS;
    use syscalls::Errno;

    fn named() -> Vec<(usize, &'static str)> {
        NAMES
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.map(|n| (i, n)))
            .collect()
    }

    fn dummy(_t: &mut Task, _a: &[u64; 6]) -> super::super::SysResult {
        Ok(0)
    }

    fn sample() -> Table {
        let mut t = Table {
            entries: vec![
                Entry {
                    handler: None,
                    support: Support::Missing
                };
                NR_SYSCALLS
            ],
        };
        t.set(0, dummy, Support::Full);
        t.set(1, dummy, Support::Partial("a, \"quoted\" | piped note"));
        t.errno(334, Errno::ENOSYS, "as gVisor");
        t
    }

    #[test]
    fn every_syscall_once_in_order() {
        let rows = rows();
        let named = named();
        assert_eq!(rows.len(), named.len());
        for (r, (nr, name)) in rows.iter().zip(&named) {
            assert_eq!((r.nr, r.name), (*nr, *name));
        }
        assert!(rows.windows(2).all(|w| w[0].nr < w[1].nr));
    }

    #[test]
    fn counts_add_up() {
        let rows = rows();
        let c = counts(&rows);
        assert_eq!(c.total(), rows.len());
        let s = rows_of(&sample());
        let c = counts(&s);
        assert_eq!((c.full, c.partial, c.errno), (1, 1, 1));
        assert_eq!(c.missing, s.len() - 3);
    }

    #[test]
    fn each_format_lists_each_syscall_once() {
        let rows = rows_of(&sample());
        let md = render_rows(&rows, Format::Markdown);
        let csv = render_rows(&rows, Format::Csv);
        let json = render_rows(&rows, Format::Json);
        let text = render_rows(&rows, Format::Table);
        for r in &rows {
            let md_key = format!("| {} | `{}` |", r.nr, r.name);
            assert_eq!(md.matches(&md_key).count(), 1, "{md_key}");
            let csv_key = format!("\n{},{},", r.nr, r.name);
            assert_eq!(csv.matches(&csv_key).count(), 1, "{csv_key}");
            let json_key = format!("{{\"nr\": {}, \"name\": \"{}\",", r.nr, r.name);
            assert_eq!(json.matches(&json_key).count(), 1, "{json_key}");
            let text_lines = text.lines().filter(|l| {
                let mut f = l.split_whitespace();
                f.next() == Some(&r.nr.to_string()) && f.next() == Some(r.name)
            });
            assert_eq!(text_lines.count(), 1, "{}", r.name);
        }
        assert!(md.contains("| 334 | `rseq` | errno ENOSYS | as gVisor |"));
        assert!(md.contains("a, \"quoted\" \\| piped note"));
        assert!(csv.contains("1,write,partial,,\"a, \"\"quoted\"\" | piped note\"\n"));
        assert!(json.contains("\"note\": \"a, \\\"quoted\\\" | piped note\""));
        assert!(json.contains("\"errno\": \"ENOSYS\""));
        let c = counts(&rows);
        assert!(md.contains(&format!("| missing | {} |", c.missing)));
        assert!(text.starts_with(&format!(
            "{} syscalls: 1 full, 1 partial, 1 errno,",
            c.total()
        )));
        assert_eq!(csv.lines().count(), rows.len() + 1);
    }

    #[test]
    fn deterministic() {
        for f in [Format::Table, Format::Markdown, Format::Json, Format::Csv] {
            assert_eq!(render(f), render(f));
        }
    }

    #[test]
    fn formats_parse() {
        assert_eq!("markdown".parse::<Format>(), Ok(Format::Markdown));
        assert_eq!("JSON".parse::<Format>(), Ok(Format::Json));
        assert!("yaml".parse::<Format>().is_err());
    }
}

//! Horizontal grouped bar charts as hand-written SVG: one group per
//! benchmark, one bar per runtime, bar length = time relative to native.

use std::fmt::Write as _;

use crate::report::{fmt_ratio, Report, Section, Status};

/// One bar: a ratio, or a short reason why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Bar {
    Ratio(f64),
    Missing(String),
}

/// A data series (one runtime): legend name and fill colour.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub color: &'static str,
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    /// Benchmark label and one bar per series.
    pub groups: Vec<(String, Vec<Bar>)>,
    pub series: Vec<Series>,
}

const PALETTE: [&str; 4] = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1"];
const WIDTH: f64 = 960.0;
const BAR_H: f64 = 13.0;
const BAR_GAP: f64 = 2.0;
const GROUP_PAD: f64 = 10.0;
const TOP: f64 = 78.0;
const BOTTOM: f64 = 58.0;
const RIGHT: f64 = 70.0;
/// Ratios spanning more than this factor are drawn on a log scale.
const LOG_THRESHOLD: f64 = 20.0;

/// The chart of one section of a report: every runtime but native, ratio
/// to native per benchmark. `None` when there is nothing in that section.
pub fn chart_from_report(report: &Report, section: Section, title: &str) -> Option<Chart> {
    let ids: Vec<&str> = report
        .runtime_ids()
        .into_iter()
        .filter(|id| *id != "native")
        .collect();
    let series = ids
        .iter()
        .enumerate()
        .map(|(i, id)| Series {
            name: report.label(id),
            color: PALETTE[i % PALETTE.len()],
        })
        .collect();
    let groups: Vec<(String, Vec<Bar>)> = report
        .benchmarks
        .iter()
        .filter(|b| b.section() == section)
        .map(|b| {
            let bars = ids
                .iter()
                .map(|id| match b.result(id) {
                    Some(r) => match (r.status, r.ratio) {
                        (Status::Ok, Some(s)) => Bar::Ratio(s.median),
                        (Status::Ok, None) => Bar::Missing("no native baseline".into()),
                        (Status::Skipped, _) => Bar::Missing("not installed".into()),
                        (Status::NotApplicable, _) => Bar::Missing("no equivalent".into()),
                        (Status::Failed, _) if *id == "ours" => {
                            Bar::Missing("not yet working".into())
                        }
                        (Status::Failed, _) => Bar::Missing("failed".into()),
                    },
                    None => Bar::Missing("not run".into()),
                })
                .collect();
            (b.title.clone(), bars)
        })
        .collect();
    if groups.is_empty() {
        return None;
    }
    Some(Chart {
        title: title.to_string(),
        groups,
        series,
    })
}

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The x axis: maps a ratio to a distance from the plot's left edge.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scale {
    /// Decades `10^lo ..= 10^hi`.
    Log { lo: i32, hi: i32 },
    /// `0 ..= max` with ticks every `step`.
    Linear { max: f64, step: f64 },
}

impl Scale {
    fn for_values(values: &[f64]) -> Scale {
        let min = values.iter().copied().fold(1.0_f64, f64::min).max(1e-6);
        let max = values.iter().copied().fold(1.0_f64, f64::max);
        if max / min > LOG_THRESHOLD {
            let lo = min.log10().floor() as i32;
            let hi = (max.log10().ceil() as i32).max(lo + 1);
            Scale::Log { lo, hi }
        } else {
            let step = nice_step(max / 5.0);
            Scale::Linear {
                max: (max / step).ceil() * step,
                step,
            }
        }
    }

    /// Fraction 0..=1 of the plot width for ratio `v`.
    fn frac(self, v: f64) -> f64 {
        let f = match self {
            Scale::Log { lo, hi } => (v.max(1e-9).log10() - lo as f64) / (hi - lo) as f64,
            Scale::Linear { max, .. } => v / max,
        };
        f.clamp(0.0, 1.0)
    }

    fn ticks(self) -> Vec<f64> {
        match self {
            Scale::Log { lo, hi } => (lo..=hi).map(|e| 10f64.powi(e)).collect(),
            Scale::Linear { max, step } => {
                let n = (max / step).round() as usize;
                (0..=n).map(|i| i as f64 * step).collect()
            }
        }
    }

    fn is_log(self) -> bool {
        matches!(self, Scale::Log { .. })
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = raw.max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

fn tick_label(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v >= 1.0 {
        format!("{}×", trim_float(v))
    } else {
        format!("{}×", trim_float((v * 1e6).round() / 1e6))
    }
}

fn trim_float(v: f64) -> String {
    let s = format!("{v}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Renders the chart as a standalone SVG document.
pub fn render(chart: &Chart) -> String {
    let values: Vec<f64> = chart
        .groups
        .iter()
        .flat_map(|(_, bars)| bars)
        .filter_map(|b| match b {
            Bar::Ratio(v) => Some(*v),
            Bar::Missing(_) => None,
        })
        .collect();
    let scale = Scale::for_values(&values);
    let longest = chart
        .groups
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let left = (longest as f64 * 6.6 + 40.0).clamp(120.0, 320.0);
    let plot_w = WIDTH - left - RIGHT;
    let n = chart.series.len().max(1) as f64;
    let group_h = n * (BAR_H + BAR_GAP) - BAR_GAP + 2.0 * GROUP_PAD;
    let plot_h = group_h * chart.groups.len() as f64;
    let height = TOP + plot_h + BOTTOM;
    let x = |v: f64| left + scale.frac(v) * plot_w;

    let mut s = String::new();
    let _ = writeln!(s, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<title>{}</title>"#, escape(&chart.title));
    let _ = writeln!(
        s,
        r#"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="white"/>"#
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="24" font-size="16" font-weight="bold" text-anchor="middle">{}</text>"#,
        WIDTH / 2.0,
        escape(&chart.title)
    );

    // Legend, centred under the title.
    let item_w: Vec<f64> = chart
        .series
        .iter()
        .map(|se| 22.0 + se.name.chars().count() as f64 * 7.0 + 18.0)
        .collect();
    let mut lx = (WIDTH - item_w.iter().sum::<f64>()) / 2.0;
    let _ = writeln!(s, r#"<g class="legend">"#);
    for (se, w) in chart.series.iter().zip(&item_w) {
        let _ = writeln!(
            s,
            r#"<rect x="{lx:.1}" y="40" width="14" height="14" fill="{}"/><text x="{:.1}" y="51.5">{}</text>"#,
            se.color,
            lx + 20.0,
            escape(&se.name)
        );
        lx += w;
    }
    let _ = writeln!(s, "</g>");

    // Alternating group backgrounds and group labels.
    for (i, (label, _)) in chart.groups.iter().enumerate() {
        let gy = TOP + i as f64 * group_h;
        if i % 2 == 0 {
            let _ = writeln!(
                s,
                r##"<rect x="{left:.1}" y="{gy:.1}" width="{plot_w:.1}" height="{group_h:.1}" fill="#f3f3f3"/>"##
            );
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" dominant-baseline="middle">{}</text>"#,
            left - 8.0,
            gy + group_h / 2.0,
            escape(label)
        );
    }

    // Grid lines and tick labels.
    let axis_y = TOP + plot_h;
    for t in scale.ticks() {
        let tx = x(t);
        let _ = writeln!(
            s,
            r##"<line x1="{tx:.1}" y1="{TOP}" x2="{tx:.1}" y2="{axis_y:.1}" stroke="#cccccc" stroke-width="1"/>"##
        );
        let _ = writeln!(
            s,
            r#"<text x="{tx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            axis_y + 16.0,
            tick_label(t)
        );
    }

    // Bars.
    for (i, (_, bars)) in chart.groups.iter().enumerate() {
        let gy = TOP + i as f64 * group_h + GROUP_PAD;
        for (j, (bar, se)) in bars.iter().zip(&chart.series).enumerate() {
            let by = gy + j as f64 * (BAR_H + BAR_GAP);
            let text_y = by + BAR_H / 2.0;
            match bar {
                Bar::Ratio(v) => {
                    let w = (x(*v) - left).max(1.0);
                    let _ = writeln!(
                        s,
                        r#"<rect class="bar" x="{left:.1}" y="{by:.1}" width="{w:.1}" height="{BAR_H}" fill="{}"><title>{}: {}</title></rect>"#,
                        se.color,
                        escape(&se.name),
                        fmt_ratio(*v)
                    );
                    let _ = writeln!(
                        s,
                        r#"<text x="{:.1}" y="{text_y:.1}" font-size="11" dominant-baseline="middle">{}</text>"#,
                        left + w + 4.0,
                        fmt_ratio(*v)
                    );
                }
                Bar::Missing(why) => {
                    let _ = writeln!(
                        s,
                        r##"<text x="{:.1}" y="{text_y:.1}" font-size="11" font-style="italic" fill="#777777" dominant-baseline="middle">{}: {}</text>"##,
                        left + 4.0,
                        escape(&se.name),
                        escape(why)
                    );
                }
            }
        }
    }

    // Axes, the native reference line and axis titles.
    let _ = writeln!(
        s,
        r#"<line x1="{left:.1}" y1="{TOP}" x2="{left:.1}" y2="{axis_y:.1}" stroke="black"/>"#
    );
    let _ = writeln!(
        s,
        r#"<line x1="{left:.1}" y1="{axis_y:.1}" x2="{:.1}" y2="{axis_y:.1}" stroke="black"/>"#,
        left + plot_w
    );
    let one = x(1.0);
    let _ = writeln!(
        s,
        r##"<line x1="{one:.1}" y1="{:.1}" x2="{one:.1}" y2="{axis_y:.1}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="5,3"/>"##,
        TOP - 6.0
    );
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#d62728">native = 1×</text>"##,
        one + 4.0,
        TOP - 8.0
    );
    let x_title = if scale.is_log() {
        "time relative to native (×, log scale) — lower is better"
    } else {
        "time relative to native (×) — lower is better"
    };
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="13">{}</text>"#,
        left + plot_w / 2.0,
        axis_y + 40.0,
        escape(x_title)
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate(16 {:.1}) rotate(-90)" text-anchor="middle" font-size="13">benchmark</text>"#,
        TOP + plot_h / 2.0
    );
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small well-formedness check: balanced tags, quoted attributes,
    /// no stray `<` or `&` in text.
    fn check_xml(doc: &str) -> Result<(), String> {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = doc.trim_start();
        if let Some(after) = rest.strip_prefix("<?xml") {
            rest = &after[after.find("?>").ok_or("unterminated prolog")? + 2..];
        }
        let mut roots = 0;
        while !rest.is_empty() {
            let lt = rest.find('<').unwrap_or(rest.len());
            check_text(&rest[..lt])?;
            if !stack.is_empty() || rest[..lt].trim().is_empty() {
            } else {
                return Err("text outside the root element".into());
            }
            rest = &rest[lt..];
            if rest.is_empty() {
                break;
            }
            let gt = rest.find('>').ok_or("unterminated tag")?;
            let tag = &rest[1..gt];
            rest = &rest[gt + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().ok_or(format!("unexpected </{name}>"))?;
                if open != name.trim() {
                    return Err(format!("<{open}> closed by </{name}>"));
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name = body.split_whitespace().next().ok_or("empty tag")?;
            check_attributes(&body[name.len()..])?;
            if stack.is_empty() {
                roots += 1;
            }
            if !self_closing {
                stack.push(name.to_string());
            }
        }
        if !stack.is_empty() {
            return Err(format!("unclosed {stack:?}"));
        }
        if roots != 1 {
            return Err(format!("{roots} root elements"));
        }
        Ok(())
    }

    fn check_text(t: &str) -> Result<(), String> {
        for (i, _) in t.match_indices('&') {
            let ent = &t[i..];
            let ok = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                .iter()
                .any(|e| ent.starts_with(e));
            if !ok {
                return Err(format!("bad entity near {:?}", &ent[..ent.len().min(10)]));
            }
        }
        Ok(())
    }

    fn check_attributes(mut a: &str) -> Result<(), String> {
        loop {
            a = a.trim_start();
            if a.is_empty() {
                return Ok(());
            }
            let eq = a.find('=').ok_or(format!("attribute without value: {a}"))?;
            let q = a[eq + 1..].chars().next().ok_or("missing quote")?;
            if q != '"' {
                return Err(format!("unquoted attribute: {a}"));
            }
            let val_start = eq + 2;
            let end = a[val_start..].find('"').ok_or("unterminated attribute")?;
            let value = &a[val_start..val_start + end];
            if value.contains('<') {
                return Err("'<' in attribute".into());
            }
            check_text(value)?;
            a = &a[val_start + end + 1..];
        }
    }

    fn chart(values: &[f64]) -> Chart {
        Chart {
            title: "Micro <benchmarks> & more".into(),
            series: vec![
                Series {
                    name: "runc".into(),
                    color: PALETTE[0],
                },
                Series {
                    name: "gVisor".into(),
                    color: PALETTE[1],
                },
                Series {
                    name: "ours".into(),
                    color: PALETTE[2],
                },
            ],
            groups: values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    (
                        format!("bench {i} open+close"),
                        vec![
                            Bar::Ratio(1.0 + *v / 100.0),
                            Bar::Ratio(*v),
                            Bar::Missing("not yet working".into()),
                        ],
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn checker_rejects_broken_documents() {
        assert!(check_xml("<svg><g></svg>").is_err());
        assert!(check_xml("<svg a=1/>").is_err());
        assert!(check_xml("<svg>a & b</svg>").is_err());
        assert!(check_xml("<svg/><svg/>").is_err());
        assert!(check_xml("<?xml version=\"1.0\"?><svg x=\"1\"><t>a &amp; b</t></svg>").is_ok());
    }

    #[test]
    fn log_chart_is_well_formed_and_complete() {
        let doc = render(&chart(&[1.2, 250.0, 60.0]));
        check_xml(&doc).unwrap();
        assert!(doc.contains("Micro &lt;benchmarks&gt; &amp; more"));
        assert!(doc.contains("log scale"));
        assert_eq!(doc.matches(r#"class="bar""#).count(), 6);
        for name in [
            "runc",
            "gVisor",
            "ours",
            "not yet working",
            "native = 1×",
            "1000×",
            "benchmark",
        ] {
            assert!(doc.contains(name), "missing {name}");
        }
    }

    #[test]
    fn small_ratios_use_a_linear_scale() {
        let doc = render(&chart(&[1.1, 2.5, 3.0]));
        check_xml(&doc).unwrap();
        assert!(!doc.contains("log scale"));
        assert!(doc.contains("time relative to native (×)"));
    }

    #[test]
    fn scales() {
        assert_eq!(
            Scale::for_values(&[0.5, 300.0]),
            Scale::Log { lo: -1, hi: 3 }
        );
        assert_eq!(
            Scale::for_values(&[1.2, 3.7]),
            Scale::Linear {
                max: 4.0,
                step: 1.0
            }
        );
        assert_eq!(
            Scale::for_values(&[]),
            Scale::Linear {
                max: 1.0,
                step: 0.2
            }
        );
        let log = Scale::Log { lo: 0, hi: 2 };
        assert_eq!(log.frac(10.0), 0.5);
        assert_eq!(log.frac(1e6), 1.0);
        assert_eq!(nice_step(0.74), 1.0);
        assert_eq!(nice_step(13.0), 20.0);
    }

    #[test]
    fn all_missing_still_renders() {
        let mut c = chart(&[1.0]);
        c.groups[0].1 = vec![Bar::Missing("failed".into()); 3];
        check_xml(&render(&c)).unwrap();
    }
}

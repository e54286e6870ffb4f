//! The results table: rows of (test, rserver, redis, ratio, target, met?), rendered as plain text for the
//! terminal and as markdown for `docs/bench.md`, with the machine and the method beside the numbers.

use std::fmt::Write as _;

/// What one implementation measured for one row: the median of its rounds, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Measured {
    /// The median over the rounds.
    Value(f64),
    /// The server does not know the command (reported, never faked).
    Unsupported,
    /// A round failed; the message goes to the section's notes.
    Failed(String),
}

impl Measured {
    /// The median of `results`, or the first failure.
    pub fn from_rounds(results: &[Result<f64, String>]) -> Measured {
        if let Some(Err(error)) = results.iter().find(|result| result.is_err()) {
            return Measured::Failed(error.clone());
        }
        let values: Vec<f64> = results
            .iter()
            .filter_map(|result| result.clone().ok())
            .collect();
        match super::stats::median(&values) {
            Some(median) => Measured::Value(median),
            None => Measured::Failed("no rounds ran".to_string()),
        }
    }

    /// The value, if there is one.
    pub fn value(&self) -> Option<f64> {
        match self {
            Measured::Value(value) => Some(*value),
            Measured::Unsupported | Measured::Failed(_) => None,
        }
    }
}

/// How a row's numbers are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Requests per second.
    RequestsPerSecond,
    /// Seconds, for durations around a second.
    Seconds,
    /// Milliseconds, for short durations.
    Milliseconds,
    /// Bytes.
    Bytes,
    /// Bytes per key.
    BytesPerKey,
}

/// Which direction of the ratio rserver/redis is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Throughput: the ratio must be at least the bound.
    Higher,
    /// Times, stalls, memory: the ratio must be at most the bound.
    Lower,
}

/// The goal of a row as a ratio rserver/redis (issue 5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Direction.
    pub better: Better,
    /// Bound on the ratio.
    pub ratio: f64,
}

impl Target {
    /// The ratio must be at least `ratio`.
    pub fn at_least(ratio: f64) -> Target {
        Target {
            better: Better::Higher,
            ratio,
        }
    }

    /// The ratio must be at most `ratio`.
    pub fn at_most(ratio: f64) -> Target {
        Target {
            better: Better::Lower,
            ratio,
        }
    }

    fn is_met(self, ratio: f64) -> bool {
        match self.better {
            Better::Higher => ratio >= self.ratio,
            Better::Lower => ratio <= self.ratio,
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What was measured, in words.
    pub test: String,
    /// How to print the two values.
    pub unit: Unit,
    /// rserver's median.
    pub rserver: Measured,
    /// redis-server's median.
    pub redis: Measured,
    /// The target, if the row has one (others are for information).
    pub target: Option<Target>,
}

impl Row {
    /// rserver / redis, when both have a value.
    pub fn ratio(&self) -> Option<f64> {
        let (rserver, redis) = (self.rserver.value()?, self.redis.value()?);
        (redis > 0.0).then(|| rserver / redis)
    }

    /// Whether the target is met; `None` without a target or without a ratio.
    pub fn met(&self) -> Option<bool> {
        Some(self.target?.is_met(self.ratio()?))
    }
}

/// A group of rows with the notes that explain them.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Heading.
    pub title: String,
    /// How the numbers were obtained, one paragraph.
    pub method: String,
    /// The table rows.
    pub rows: Vec<Row>,
    /// Exclusions, failures and caveats.
    pub notes: Vec<String>,
}

impl Section {
    /// An empty section.
    pub fn new(title: impl Into<String>, method: impl Into<String>) -> Section {
        Section {
            title: title.into(),
            method: method.into(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds `row`, and a note for each failed side.
    pub fn push(&mut self, row: Row) {
        for (name, measured) in [("rserver", &row.rserver), ("redis-server", &row.redis)] {
            if let Measured::Failed(error) = measured {
                self.notes
                    .push(format!("{}: {name} failed: {error}", row.test));
            }
        }
        self.rows.push(row);
    }
}

/// Everything `docs/bench.md` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// `label: value` lines about the machine, versions and run settings.
    pub context: Vec<(String, String)>,
    /// The sections in the order they ran.
    pub sections: Vec<Section>,
}

impl Report {
    /// The rows whose target is missed, as `test (ratio)` phrases.
    pub fn missed_targets(&self) -> Vec<String> {
        self.sections
            .iter()
            .flat_map(|section| &section.rows)
            .filter(|row| row.met() == Some(false))
            .map(|row| format!("{} ({})", row.test, format_ratio(row.ratio())))
            .collect()
    }
}

/// The report as an aligned plain-text table for the terminal.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    for (label, value) in &report.context {
        writeln!(out, "{label}: {value}").expect("write to String");
    }
    let header = ["test", "rserver", "redis", "ratio", "target", "met?"];
    for section in &report.sections {
        let mut lines = vec![header.map(str::to_string).to_vec()];
        lines.extend(section.rows.iter().map(|row| cells(row, false).to_vec()));
        let widths: Vec<usize> = (0..header.len())
            .map(|column| {
                lines
                    .iter()
                    .map(|line| line[column].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        writeln!(out, "\n== {} ==", section.title).expect("write to String");
        for line in &lines {
            let mut text = String::new();
            for (column, cell) in line.iter().enumerate() {
                let padding = widths[column] - cell.chars().count();
                if column == 0 {
                    text.push_str(cell);
                    text.push_str(&" ".repeat(padding));
                } else {
                    text.push_str("  ");
                    text.push_str(&" ".repeat(padding));
                    text.push_str(cell);
                }
            }
            writeln!(out, "{}", text.trim_end()).expect("write to String");
        }
        for note in &section.notes {
            writeln!(out, "  note: {note}").expect("write to String");
        }
    }
    out
}

/// The report as the markdown of `docs/bench.md`.
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    let mut line = |text: &str| {
        out.push_str(text);
        out.push('\n');
    };
    line("# Benchmark: rserver vs redis-server 7.0");
    line("");
    line(
        "Written by `cargo xtask bench` (issue 5); regenerate it rather than editing it. \
         Each number is the median of alternating rounds on the same machine, and the ratio is rserver / redis-server, \
         so noise from other work on a shared machine hits both sides alike.",
    );
    line("");
    line("| | |");
    line("|---|---|");
    for (label, value) in &report.context {
        line(&format!("| {label} | {} |", escape(value)));
    }
    let missed = report.missed_targets();
    line("");
    if missed.is_empty() {
        line("**Targets:** every target with a measurement is met.");
    } else {
        line(&format!(
            "**Targets missed:** {}.",
            escape(&missed.join("; "))
        ));
    }
    for section in &report.sections {
        line("");
        line(&format!("## {}", section.title));
        line("");
        line(&section.method);
        line("");
        line("| test | rserver | redis | ratio | target | met? |");
        line("|---|--:|--:|--:|:-:|:-:|");
        for row in &section.rows {
            let cells = cells(row, true).map(|cell| escape(&cell));
            line(&format!("| {} |", cells.join(" | ")));
        }
        if !section.notes.is_empty() {
            line("");
            for note in &section.notes {
                line(&format!("- {}", escape(note)));
            }
        }
    }
    out
}

/// The six cells of a row; `markdown` makes a missed target bold.
fn cells(row: &Row, markdown: bool) -> [String; 6] {
    let target = match row.target {
        None => "—".to_string(),
        Some(Target {
            better: Better::Higher,
            ratio,
        }) => format!("≥ {ratio:.1}×"),
        Some(Target {
            better: Better::Lower,
            ratio,
        }) => format!("≤ {ratio:.1}×"),
    };
    let met = match (row.target, row.met()) {
        (None, _) => "—".to_string(),
        (Some(_), None) => "n/a".to_string(),
        (Some(_), Some(true)) => "yes".to_string(),
        (Some(_), Some(false)) if markdown => "**NO**".to_string(),
        (Some(_), Some(false)) => "NO".to_string(),
    };
    [
        row.test.clone(),
        format_measured(&row.rserver, row.unit),
        format_measured(&row.redis, row.unit),
        format_ratio(row.ratio()),
        target,
        met,
    ]
}

fn format_measured(measured: &Measured, unit: Unit) -> String {
    match measured {
        Measured::Value(value) => format_value(*value, unit),
        Measured::Unsupported => "n/a (unsupported)".to_string(),
        Measured::Failed(_) => "failed (see notes)".to_string(),
    }
}

/// A value with its unit, e.g. `157,480 req/s`, `0.912 s`, `4.10 ms`, `104.3 B/key`.
pub fn format_value(value: f64, unit: Unit) -> String {
    match unit {
        Unit::RequestsPerSecond => format!("{} req/s", thousands(value)),
        Unit::Seconds => format!("{value:.3} s"),
        Unit::Milliseconds => format!("{value:.2} ms"),
        Unit::Bytes => format!("{} B", thousands(value)),
        Unit::BytesPerKey => format!("{value:.1} B/key"),
    }
}

fn format_ratio(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "—".to_string(), |ratio| format!("{ratio:.2}×"))
}

/// `1234567.8` → `1,234,568`.
pub fn thousands(value: f64) -> String {
    let rounded = value.round();
    let digits = format!("{}", rounded.abs() as u64);
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if rounded < 0.0 {
        grouped.insert(0, '-');
    }
    grouped
}

/// Keeps a `|` inside a value from ending a markdown table cell.
fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(rserver: Measured, redis: Measured, target: Option<Target>) -> Row {
        Row {
            test: "set (pipeline 1)".to_string(),
            unit: Unit::RequestsPerSecond,
            rserver,
            redis,
            target,
        }
    }

    #[test]
    fn ratio_and_target() {
        let faster = row(
            Measured::Value(150.0),
            Measured::Value(100.0),
            Some(Target::at_least(1.0)),
        );
        assert_eq!(faster.ratio(), Some(1.5));
        assert_eq!(faster.met(), Some(true));
        let bigger = Row {
            target: Some(Target::at_most(1.3)),
            ..faster.clone()
        };
        assert_eq!(bigger.met(), Some(false));
        let unsupported = row(
            Measured::Unsupported,
            Measured::Value(1.0),
            Some(Target::at_least(1.0)),
        );
        assert_eq!(unsupported.ratio(), None);
        assert_eq!(unsupported.met(), None);
        assert_eq!(
            row(Measured::Value(1.0), Measured::Value(1.0), None).met(),
            None
        );
    }

    #[test]
    fn medians_of_rounds_or_the_first_failure() {
        assert_eq!(
            Measured::from_rounds(&[Ok(3.0), Ok(1.0), Ok(2.0)]),
            Measured::Value(2.0)
        );
        assert_eq!(
            Measured::from_rounds(&[Ok(3.0), Err("boom".to_string())]),
            Measured::Failed("boom".to_string())
        );
    }

    #[test]
    fn formats_values() {
        assert_eq!(
            format_value(1_234_567.8, Unit::RequestsPerSecond),
            "1,234,568 req/s"
        );
        assert_eq!(format_value(999.0, Unit::Bytes), "999 B");
        assert_eq!(format_value(0.9123, Unit::Seconds), "0.912 s");
        assert_eq!(format_value(104.26, Unit::BytesPerKey), "104.3 B/key");
    }

    #[test]
    fn markdown_marks_missed_targets_and_unsupported_tests() {
        let mut section = Section::new("Throughput", "method");
        section.push(row(
            Measured::Value(50.0),
            Measured::Value(100.0),
            Some(Target::at_least(1.0)),
        ));
        section.push(Row {
            test: "lpush (pipeline 1)".to_string(),
            ..row(Measured::Unsupported, Measured::Value(100.0), None)
        });
        let report = Report {
            context: vec![("machine".to_string(), "2 CPUs".to_string())],
            sections: vec![section],
        };
        let markdown = render_markdown(&report);
        assert!(
            markdown
                .contains("| set (pipeline 1) | 50 req/s | 100 req/s | 0.50× | ≥ 1.0× | **NO** |"),
            "{markdown}"
        );
        assert!(
            markdown.contains("| lpush (pipeline 1) | n/a (unsupported) | 100 req/s | — | — | — |"),
            "{markdown}"
        );
        assert!(
            markdown.contains("**Targets missed:** set (pipeline 1) (0.50×)."),
            "{markdown}"
        );
        let text = render_text(&report);
        assert!(text.contains("NO"), "{text}");
    }
}

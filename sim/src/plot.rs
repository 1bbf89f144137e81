//! SVG figures, drawn with plotters.

use std::path::Path;

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::Error;

/// One bar: its label, the value and the spread drawn around it, and the
/// group it is coloured by.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Under the bar.
    pub label: String,
    /// Its height.
    pub value: f64,
    /// Half the error bar.
    pub spread: f64,
    /// Bars of a group share a colour and a legend entry.
    pub group: String,
}

/// What a bar chart says around its bars.
#[derive(Debug, Clone)]
pub struct BarChart<'a> {
    /// The title.
    pub title: &'a str,
    /// The x axis' description.
    pub x_label: &'a str,
    /// The y axis' description, with its unit.
    pub y_label: &'a str,
    /// The bars, left to right.
    pub bars: Vec<Bar>,
    /// How to print a bar's value above it.
    pub value_format: fn(f64) -> String,
}

/// Distinct, colour-blind-safe colours (Okabe and Ito).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
];

fn plot_error(path: &Path, error: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("{}: drawing failed: {error}", path.display()))
}

/// Draws `chart` as an SVG at `path`: one bar per entry with its error bar
/// and its value printed above, coloured and listed in a legend by group.
pub fn bar_chart(chart: &BarChart<'_>, path: &Path) -> Result<(), Error> {
    let failed = |error: &dyn std::fmt::Display| plot_error(path, error);
    let bars = &chart.bars;
    let width = 160 + 70 * u32::try_from(bars.len()).unwrap_or(u32::MAX / 70);
    let root = SVGBackend::new(path, (width.max(900), 720)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| failed(&e))?;
    let top = bars
        .iter()
        .map(|bar| bar.value + bar.spread)
        .fold(0.0, f64::max)
        * 1.18;
    let mut plot = ChartBuilder::on(&root)
        .caption(chart.title, ("sans-serif", 26))
        .margin(24)
        .x_label_area_size(150)
        .y_label_area_size(90)
        // A segmented range includes its end: 0..n-1 gives n slots.
        .build_cartesian_2d(
            (0..bars.len().saturating_sub(1)).into_segmented(),
            0.0..top.max(1e-9),
        )
        .map_err(|e| failed(&e))?;
    plot.configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_desc(chart.x_label)
        .y_desc(chart.y_label)
        .axis_desc_style(("sans-serif", 20))
        .label_style(("sans-serif", 16))
        // The mesh centres rotated labels on their tick, half of them inside
        // the plot; the labels are drawn below instead, a word a line.
        .x_labels(bars.len())
        .x_label_formatter(&|_| String::new())
        .draw()
        .map_err(|e| failed(&e))?;

    let mut groups: Vec<&str> = Vec::new();
    for bar in bars {
        if !groups.contains(&bar.group.as_str()) {
            groups.push(&bar.group);
        }
    }
    for (index, group) in groups.iter().enumerate() {
        let color = PALETTE[index % PALETTE.len()];
        plot.draw_series(
            bars.iter()
                .enumerate()
                .filter(|(_, bar)| bar.group == *group)
                .map(|(at, bar)| {
                    let mut rectangle = Rectangle::new(
                        [
                            (SegmentValue::Exact(at), 0.0),
                            (SegmentValue::Exact(at + 1), bar.value),
                        ],
                        color.filled(),
                    );
                    rectangle.set_margin(0, 0, 8, 8);
                    rectangle
                }),
        )
        .map_err(|e| failed(&e))?
        .label(*group)
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.filled()));
    }
    // Error bars: a line from value - spread to value + spread, capped.
    for (at, bar) in bars.iter().enumerate().filter(|(_, bar)| bar.spread > 0.0) {
        let (low, high) = ((bar.value - bar.spread).max(0.0), bar.value + bar.spread);
        let x = SegmentValue::CenterOf(at);
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(x.clone(), low), (x, high)],
            BLACK.stroke_width(1),
        )))
        .map_err(|e| failed(&e))?;
        for y in [low, high] {
            let cap = EmptyElement::at((SegmentValue::CenterOf(at), y))
                + PathElement::new(vec![(-6, 0), (6, 0)], BLACK.stroke_width(1));
            plot.plotting_area().draw(&cap).map_err(|e| failed(&e))?;
        }
    }
    plot.draw_series(bars.iter().enumerate().map(|(at, bar)| {
        Text::new(
            (chart.value_format)(bar.value),
            (
                SegmentValue::CenterOf(at),
                bar.value + bar.spread + top * 0.015,
            ),
            ("sans-serif", 14)
                .into_font()
                .into_text_style(&root)
                .pos(Pos::new(HPos::Center, VPos::Bottom)),
        )
    }))
    .map_err(|e| failed(&e))?;
    let label_style = ("sans-serif", 15)
        .into_font()
        .into_text_style(&root)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (at, bar) in bars.iter().enumerate() {
        let (x, y) = plot.backend_coord(&(SegmentValue::CenterOf(at), 0.0));
        for (line, word) in bar.label.split_whitespace().enumerate() {
            let y = y + 10 + 18 * i32::try_from(line).unwrap_or(0);
            root.draw(&Text::new(word.to_owned(), (x, y), label_style.clone()))
                .map_err(|e| failed(&e))?;
        }
    }
    plot.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .draw()
        .map_err(|e| failed(&e))?;
    root.present().map_err(|e| failed(&e))?;
    Ok(())
}

//! SVG figures, drawn with plotters: bar charts (clustered, with error
//! bars) and line charts (optionally on a log x axis).

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::Error;

/// One bar: its label, the value and the spread drawn around it, and the
/// series it is coloured by.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Under the bar, a word a line; may be empty.
    pub label: String,
    /// Its height.
    pub value: f64,
    /// Half the error bar; 0 for none.
    pub spread: f64,
    /// Printed above the bar.
    pub annotation: String,
    /// Bars of a series share a colour and a legend entry.
    pub series: String,
}

/// Bars drawn side by side, under one label.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Under the cluster; may be empty.
    pub label: String,
    /// Its bars, left to right.
    pub bars: Vec<Bar>,
}

/// A bar chart and what it says around its bars.
#[derive(Debug, Clone)]
pub struct BarChart<'a> {
    /// The title.
    pub title: &'a str,
    /// The x axis' description.
    pub x_label: &'a str,
    /// The y axis' description, with its unit.
    pub y_label: &'a str,
    /// The clusters, left to right.
    pub clusters: Vec<Cluster>,
    /// A series' colour; `None` takes [`PALETTE`] in order of appearance.
    pub color_of: Option<fn(&str) -> RGBColor>,
}

/// A colour lightened towards white by `amount` (0 to 1).
#[must_use]
pub fn lighter(color: RGBColor, amount: f64) -> RGBColor {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a channel in 0..=255"
    )]
    let blend =
        |channel: u8| (f64::from(channel) + (255.0 - f64::from(channel)) * amount).round() as u8;
    RGBColor(blend(color.0), blend(color.1), blend(color.2))
}

/// Distinct, colour-blind-safe colours (Okabe and Ito), then more.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
    RGBColor(128, 128, 128),
    RGBColor(148, 103, 189),
];

/// A value-axis tick with no more decimals than the axis' span needs:
/// "250", not "250.0"; "0.25" on an axis that tops out below one.
fn tick_label(value: f64, top: f64) -> String {
    let decimals = match top {
        t if t >= 20.0 => 0,
        t if t >= 2.0 => 1,
        _ => 2,
    };
    format!("{value:.decimals$}")
}

/// Rough width of one character of the 16 px sans-serif labels, in pixels;
/// plotters cannot measure text in an SVG it has not rendered.
const LABEL_CHAR_WIDTH: f64 = 9.0;

/// Pixels per bar: wide enough that the longest word of any bar label
/// (labels are drawn a word a line) does not run into its neighbour's.
fn slot_width(placed: &[(f64, &Bar)]) -> f64 {
    let longest = placed
        .iter()
        .flat_map(|(_, bar)| bar.label.split_whitespace())
        .map(|word| word.chars().count())
        .max()
        .unwrap_or(0);
    #[expect(clippy::cast_precision_loss, reason = "a word length")]
    let needed = longest as f64 * LABEL_CHAR_WIDTH + 12.0;
    needed.max(44.0)
}

/// A title's font size: 24 px, smaller when the title would not fit.
fn caption_size(title: &str, width: u32) -> u32 {
    #[expect(clippy::cast_precision_loss, reason = "a title length")]
    let at_24 = title.chars().count() as f64 * 24.0 * 0.55;
    let room = f64::from(width.saturating_sub(60));
    if at_24 <= room {
        24
    } else {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a font size between 12 and 24"
        )]
        let size = (24.0 * room / at_24).floor().max(12.0) as u32;
        size
    }
}

fn failed(path: &Path, error: &dyn std::fmt::Display) -> Error {
    Error::Invalid(format!("{}: drawing failed: {error}", path.display()))
}

/// Creates the directory a figure goes in.
fn create_parent(path: &Path) -> Result<(), Error> {
    match path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        Some(parent) => std::fs::create_dir_all(parent).map_err(|error| Error::Write {
            path: parent.to_owned(),
            error,
        }),
        None => Ok(()),
    }
}

/// The distinct series of `names`, in first-seen order.
fn series_order<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut order: Vec<&str> = Vec::new();
    for name in names {
        if !order.contains(&name) {
            order.push(name);
        }
    }
    order
}

/// Draws `chart` as an SVG at `path`: bars in clusters with a gap between
/// clusters, each with its error bar and its annotation above, coloured and
/// listed in a legend by series; bar labels under the bars (a word a line),
/// cluster labels under those.
pub fn bar_chart(chart: &BarChart<'_>, path: &Path) -> Result<(), Error> {
    create_parent(path)?;
    let err = |error: &dyn std::fmt::Display| failed(path, error);
    // Bar `j` of cluster `c` spans [x, x + 1), clusters one slot apart.
    let mut placed: Vec<(f64, &Bar)> = Vec::new();
    let mut centres: Vec<(f64, &str)> = Vec::new();
    let mut x = 0.5;
    for cluster in &chart.clusters {
        let start = x;
        for bar in &cluster.bars {
            placed.push((x, bar));
            x += 1.0;
        }
        centres.push(((start + x) / 2.0, &cluster.label));
        x += 1.0;
    }
    let right = x - 0.5;
    let label_lines = placed
        .iter()
        .map(|(_, bar)| bar.label.split_whitespace().count())
        .max()
        .unwrap_or(0);
    let has_cluster_labels = centres.iter().any(|(_, label)| !label.is_empty());
    let label_area =
        70 + 18 * u32::try_from(label_lines).unwrap_or(8) + if has_cluster_labels { 28 } else { 0 };
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a pixel width"
    )]
    let width = (180.0 + slot_width(&placed) * right).max(900.0) as u32;
    let root = SVGBackend::new(path, (width, 560 + label_area)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let title_size = caption_size(chart.title, width);
    let top = placed
        .iter()
        .map(|(_, bar)| bar.value + bar.spread)
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.2;
    let mut plot = ChartBuilder::on(&root)
        .caption(chart.title, ("sans-serif", title_size))
        .margin(24)
        .x_label_area_size(label_area)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..right, 0.0..top)
        .map_err(|e| err(&e))?;
    plot.configure_mesh()
        .disable_x_mesh()
        .set_tick_mark_size(LabelAreaPosition::Bottom, 0)
        .light_line_style(WHITE)
        .x_desc(chart.x_label)
        .y_desc(chart.y_label)
        .axis_desc_style(("sans-serif", 20))
        .label_style(("sans-serif", 16))
        // Bar and cluster labels are drawn below by hand, a word a line.
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&|value| tick_label(*value, top))
        .draw()
        .map_err(|e| err(&e))?;

    for (index, series) in series_order(placed.iter().map(|(_, bar)| bar.series.as_str()))
        .into_iter()
        .enumerate()
    {
        let color = chart
            .color_of
            .map_or(PALETTE[index % PALETTE.len()], |color_of| color_of(series));
        plot.draw_series(
            placed
                .iter()
                .filter(|(_, bar)| bar.series == series)
                .map(|&(x, bar)| {
                    Rectangle::new([(x + 0.08, 0.0), (x + 0.92, bar.value)], color.filled())
                }),
        )
        .map_err(|e| err(&e))?
        .label(series)
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.filled()));
    }
    for &(x, bar) in placed.iter().filter(|(_, bar)| bar.spread > 0.0) {
        let (low, high) = ((bar.value - bar.spread).max(0.0), bar.value + bar.spread);
        let centre = x + 0.5;
        let whisker = [
            vec![(centre, low), (centre, high)],
            vec![(centre - 0.15, low), (centre + 0.15, low)],
            vec![(centre - 0.15, high), (centre + 0.15, high)],
        ];
        plot.draw_series(
            whisker
                .into_iter()
                .map(|line| PathElement::new(line, BLACK.stroke_width(1))),
        )
        .map_err(|e| err(&e))?;
    }
    let above = ("sans-serif", 12)
        .into_font()
        .into_text_style(&root)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    plot.draw_series(placed.iter().map(|&(x, bar)| {
        Text::new(
            bar.annotation.clone(),
            (x + 0.5, bar.value + bar.spread + top * 0.012),
            above.clone(),
        )
    }))
    .map_err(|e| err(&e))?;

    let below = |size| {
        ("sans-serif", size)
            .into_font()
            .into_text_style(&root)
            .pos(Pos::new(HPos::Center, VPos::Top))
    };
    for &(x, bar) in &placed {
        let (px, py) = plot.backend_coord(&(x + 0.5, 0.0));
        for (line, word) in bar.label.split_whitespace().enumerate() {
            let y = py + 10 + 18 * i32::try_from(line).unwrap_or(0);
            root.draw(&Text::new(word.to_owned(), (px, y), below(15)))
                .map_err(|e| err(&e))?;
        }
    }
    for &(x, label) in &centres {
        let (px, py) = plot.backend_coord(&(x, 0.0));
        let y = py + 14 + 18 * i32::try_from(label_lines).unwrap_or(0);
        root.draw(&Text::new(label.to_owned(), (px, y), below(18)))
            .map_err(|e| err(&e))?;
    }
    plot.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .draw()
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// One line of a line chart.
#[derive(Debug, Clone)]
pub struct Line {
    /// Its legend entry.
    pub name: String,
    /// Its points, by x.
    pub points: Vec<(f64, f64)>,
}

/// One panel of a line chart.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Above the panel.
    pub title: String,
    /// The y axis' description.
    pub y_label: String,
    /// The lines.
    pub lines: Vec<Line>,
}

/// Line charts side by side sharing an x axis and a title.
#[derive(Debug, Clone)]
pub struct LineChart<'a> {
    /// Above every panel.
    pub title: &'a str,
    /// The x axis' description, with its unit.
    pub x_label: &'a str,
    /// How to print an x tick.
    pub x_format: fn(f64) -> String,
    /// Whether the x axis is logarithmic.
    pub log_x: bool,
    /// The y range, shared by the panels.
    pub y_range: (f64, f64),
    /// The panels, left to right.
    pub panels: Vec<Panel>,
    /// Where a legend inside the panels sits: a corner the lines leave
    /// empty (rising curves leave the upper left, falling ones the upper
    /// right).
    pub legend_at: SeriesLabelPosition,
}

/// Draws `chart` as an SVG at `path`: one panel per entry, one line with
/// markers per series, the same colour for a series in every panel.
pub fn line_chart(chart: &LineChart<'_>, path: &Path) -> Result<(), Error> {
    create_parent(path)?;
    let err = |error: &dyn std::fmt::Display| failed(path, error);
    let panels = u32::try_from(chart.panels.len().max(1)).unwrap_or(1);
    let names = series_order(
        chart
            .panels
            .iter()
            .flat_map(|panel| panel.lines.iter().map(|line| line.name.as_str())),
    );
    // A few series fit in a legend inside each panel; more (every policy of
    // the zoo) get a column of their own on the right, so no curve is hidden.
    let side_legend = names.len() > INSET_LEGEND_MAX;
    let legend_width = if side_legend { SIDE_LEGEND_WIDTH } else { 0 };
    let width = 640 * panels + 40 + legend_width;
    let height = 620.max(SIDE_LEGEND_ROW * u32::try_from(names.len()).unwrap_or(u32::MAX) + 120);
    let canvas = SVGBackend::new(path, (width, height)).into_drawing_area();
    canvas.fill(&WHITE).map_err(|e| err(&e))?;
    let titled = canvas
        .titled(
            chart.title,
            ("sans-serif", caption_size(chart.title, width)),
        )
        .map_err(|e| err(&e))?;
    let (root, legend) = titled.split_horizontally(width - legend_width);
    // On a log axis, x is drawn as log10(x), and ticks stand at the data's
    // own x values (the cache sizes run), labelled exactly.
    let to_axis = |x: f64| if chart.log_x { x.log10() } else { x };
    let mut ticks: Vec<f64> = chart
        .panels
        .iter()
        .flat_map(|panel| {
            panel
                .lines
                .iter()
                .flat_map(|line| line.points.iter().map(|point| point.0))
        })
        .collect();
    ticks.sort_by(f64::total_cmp);
    ticks.dedup();
    let (low, high) = match (ticks.first(), ticks.last()) {
        (Some(&low), Some(&high)) => (to_axis(low), to_axis(high)),
        _ => (0.0, 1.0),
    };
    let pad = ((high - low) * 0.06).max(0.05);
    for (area, panel) in root
        .split_evenly((1, chart.panels.len().max(1)))
        .iter()
        .zip(&chart.panels)
    {
        let mut plot = ChartBuilder::on(area)
            .caption(&panel.title, ("sans-serif", 20))
            .margin(24)
            .x_label_area_size(80)
            .y_label_area_size(80)
            .build_cartesian_2d(low - pad..high + pad, chart.y_range.0..chart.y_range.1)
            .map_err(|e| err(&e))?;
        plot.configure_mesh()
            .disable_x_mesh()
            // Ticks stand at the data's x values, drawn below.
            .set_tick_mark_size(LabelAreaPosition::Bottom, 0)
            .x_desc(chart.x_label)
            .y_desc(&panel.y_label)
            .axis_desc_style(("sans-serif", 18))
            .label_style(("sans-serif", 15))
            .x_label_formatter(&|_| String::new())
            .light_line_style(RGBColor(238, 238, 238))
            .draw()
            .map_err(|e| err(&e))?;
        let (y_low, y_high) = chart.y_range;
        // At most eight labels fit under a panel; the grid shows every size.
        let every = ticks.len().div_ceil(8).max(1);
        for (index, &tick) in ticks.iter().enumerate() {
            let x = to_axis(tick);
            plot.draw_series(std::iter::once(PathElement::new(
                vec![(x, y_low), (x, y_high)],
                RGBColor(225, 225, 225).stroke_width(1),
            )))
            .map_err(|e| err(&e))?;
            if index % every != 0 {
                continue;
            }
            let (px, py) = plot.backend_coord(&(x, y_low));
            let style = ("sans-serif", 14)
                .into_font()
                .into_text_style(&canvas)
                .pos(Pos::new(HPos::Center, VPos::Top));
            // backend_coord is in the whole canvas's pixels.
            canvas
                .draw(&Text::new((chart.x_format)(tick), (px, py + 8), style))
                .map_err(|e| err(&e))?;
        }
        for line in &panel.lines {
            let index = names
                .iter()
                .position(|name| *name == line.name)
                .unwrap_or(0);
            let color = PALETTE[index % PALETTE.len()];
            let points: Vec<(f64, f64)> =
                line.points.iter().map(|&(x, y)| (to_axis(x), y)).collect();
            let series = plot
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(|e| err(&e))?;
            if !side_legend {
                series.label(line.name.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            }
            for &point in &points {
                draw_marker(plot.plotting_area(), point, index, color).map_err(|e| err(&e))?;
            }
        }
        if !side_legend {
            plot.configure_series_labels()
                .position(chart.legend_at.clone())
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK)
                .label_font(("sans-serif", 15))
                .draw()
                .map_err(|e| err(&e))?;
        }
    }
    if side_legend {
        for (index, name) in names.iter().enumerate() {
            let color = PALETTE[index % PALETTE.len()];
            let y = 70 + i32::try_from(index).unwrap_or(i32::MAX / 64) * SIDE_LEGEND_ROW as i32;
            legend
                .draw(&PathElement::new(
                    vec![(8, y), (40, y)],
                    color.stroke_width(2),
                ))
                .map_err(|e| err(&e))?;
            draw_marker(&legend, (24, y), index, color).map_err(|e| err(&e))?;
            let style = ("sans-serif", 15)
                .into_font()
                .into_text_style(&legend)
                .pos(Pos::new(HPos::Left, VPos::Center));
            legend
                .draw(&Text::new((*name).to_owned(), (48, y), style))
                .map_err(|e| err(&e))?;
        }
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// Series up to this many are listed in a legend inside each panel.
const INSET_LEGEND_MAX: usize = 10;

/// Width of the legend column for more series than that, in pixels.
const SIDE_LEGEND_WIDTH: u32 = 180;

/// Height of one entry of that column, in pixels.
const SIDE_LEGEND_ROW: u32 = 24;

/// Draws the `index`-th series' point marker at `at`: the palette's
/// colours come round again every ten series, so each round has its own
/// shape (a circle, a triangle, a square, a cross).
fn draw_marker<CT: CoordTranslate>(
    area: &DrawingArea<SVGBackend<'_>, CT>,
    at: CT::From,
    index: usize,
    color: RGBColor,
) -> Result<(), String>
where
    CT::From: Clone,
{
    let drawn = match (index / PALETTE.len()) % 4 {
        0 => area.draw(&Circle::new(at, 4, color.filled())),
        1 => area.draw(&TriangleMarker::new(at, 6, color.filled())),
        2 => {
            area.draw(&(EmptyElement::at(at) + Rectangle::new([(-4, -4), (4, 4)], color.filled())))
        }
        _ => area.draw(&Cross::new(at, 5, color.stroke_width(2))),
    };
    drawn.map_err(|error| error.to_string())
}

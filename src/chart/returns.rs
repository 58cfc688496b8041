//! R_tra per episode: the raw points (at most [`MAX_DOTS`] a series) and their running mean.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{axes, legend, Series, Style, PALETTE};

/// Most raw points drawn per series; the running mean uses every value.
const MAX_DOTS: usize = 400;
/// Window of the running mean.
const SMOOTH: usize = 50;

/// The mean of the last `SMOOTH` values at each index.
pub fn running_mean(values: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(values.len());
    let mut sum = 0.0;
    for (i, v) in values.iter().enumerate() {
        sum += v;
        if i >= SMOOTH {
            sum -= values[i - SMOOTH];
        }
        out.push(sum / (i + 1).min(SMOOTH) as f64);
    }
    out
}

/// R_tra per episode: faint dots for single episodes, a bold line for the running mean
/// over the last 50 episodes, one colour per policy, with a legend.
pub fn draw_episode_returns<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &[Series],
    y_label: &str,
    style: Style,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let px = |v: f64| style.px(v);
    if series.iter().all(|s| s.values.is_empty()) {
        // Nothing run yet: say what will appear here, rather than an empty grid.
        root.fill(&WHITE)?;
        let (w, h) = root.dim_in_pixel();
        let font = ("sans-serif", px(15.0))
            .into_font()
            .color(&RGBColor(91, 101, 115));
        let text = "Pick a preset, or your own settings, and press Run: the curves appear here.";
        let (tw, _) = root.estimate_text_size(text, &font)?;
        root.draw(&Text::new(
            text,
            ((w as i32 - tw as i32) / 2, h as i32 / 2),
            font,
        ))?;
        return root.present();
    }
    let n = series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let y_max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(1.0f64, f64::max)
        * 1.05;
    let mut chart = axes(root, n as f64, y_max, "episode", y_label, style)?;
    for (k, s) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let stride = (s.values.len() / MAX_DOTS).max(1);
        chart.draw_series(
            s.values
                .iter()
                .enumerate()
                .step_by(stride)
                .map(|(i, v)| Circle::new((i as f64, *v), px(1.5), colour.mix(0.25).filled())),
        )?;
        chart
            .draw_series(LineSeries::new(
                running_mean(&s.values)
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (i as f64, v)),
                colour.stroke_width(px(2.5)),
            ))?
            .label(format!("{} (running mean of {SMOOTH})", s.label))
            .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 16, y + 4)], colour.filled()));
    }
    if !series.is_empty() {
        legend(&mut chart, SeriesLabelPosition::UpperRight, style)?;
    }
    root.present()
}

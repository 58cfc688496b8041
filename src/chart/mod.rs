//! Charts drawn with plotters on any backend: a canvas in the page, SVG in the CLI and
//! in tests. The same code makes both, so what the CLI writes is what the page shows.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

mod agreement;
mod curves;
mod returns;
mod svg;

pub use agreement::{agreement_of, draw_agreement, AgreementBars, AGREEMENT_LABELS};
pub use curves::{curves_of, draw_learning_curves, overlay_curves, Curve, OFFLINE_AXIS, ONLINE_AXIS};
pub use returns::{draw_episode_returns, running_mean};
pub use svg::{agreement_svg, episode_returns_svg, learning_curves_svg, ChartError};

/// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), then
/// two of Paul Tol's muted scheme: one per method, so the paper presets' nine methods
/// never share a colour.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(120, 120, 120),
    RGBColor(0, 0, 0),
    RGBColor(136, 34, 85),
    RGBColor(68, 170, 153),
];

/// One line of a chart: a label and one value per episode.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub values: Vec<f64>,
}

/// Sizes in device pixels (multiply by `devicePixelRatio` on HiDPI screens).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub pixel_ratio: f64,
}

impl Default for Style {
    fn default() -> Self {
        Self { pixel_ratio: 1.0 }
    }
}

impl Style {
    /// A size in CSS pixels, in device pixels.
    pub fn px(&self, v: f64) -> u32 {
        (v * self.pixel_ratio).round() as u32
    }
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A white chart area from 0 to `x_max` × 0 to `y_max` with the playground's grid,
/// labels and fonts.
pub(crate) fn axes<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    x_max: f64,
    y_max: f64,
    x_desc: &str,
    y_desc: &str,
    style: Style,
) -> Result<Chart<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .margin(style.px(10.0))
        .margin_right(style.px(24.0))
        .x_label_area_size(style.px(36.0))
        .y_label_area_size(style.px(52.0))
        .build_cartesian_2d(0f64..x_max, 0f64..y_max)?;
    chart
        .configure_mesh()
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        // One light line between labelled ones (plotters' default is up to 10): a calmer
        // grid, and a tenth of the canvas calls on every redraw.
        .max_light_lines(1)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| {
            if y_max < 10.0 {
                format!("{y:.1}")
            } else {
                format!("{y:.0}")
            }
        })
        .label_style(("sans-serif", style.px(13.0)))
        .axis_desc_style(("sans-serif", style.px(14.0)))
        .draw()?;
    Ok(chart)
}

pub(crate) fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    position: SeriesLabelPosition,
    style: Style,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .label_font(("sans-serif", style.px(13.0)))
        .draw()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn running_mean_window() {
        let v: Vec<f64> = (0..60).map(|i| i as f64).collect();
        let m = running_mean(&v);
        assert_eq!(m[0], 0.0);
        assert_eq!(m[3], 1.5);
        assert_eq!(m[59], (10..60).sum::<usize>() as f64 / 50.0);
    }

    #[test]
    fn svg_names_every_series_and_draws_lines() {
        let s = vec![
            Series {
                label: "Random".into(),
                values: vec![1.0, 3.0, 2.0],
            },
            Series {
                label: "Most popular".into(),
                values: vec![4.0, 4.5, 5.0],
            },
        ];
        let svg = episode_returns_svg(&s, "R_tra", (640, 360)).unwrap();
        assert!(
            svg.contains("Random (running mean of 50)") && svg.contains("Most popular"),
            "legend missing"
        );
        assert!(svg.matches("<polyline").count() >= 2, "one line per series");
    }

    #[test]
    fn agreement_bars_one_per_source_and_seed() {
        let rows = vec![
            AgreementBars {
                seed: 7,
                values: [0.6, 0.45, -0.1],
            },
            AgreementBars {
                seed: 8,
                values: [0.7, 0.5, 0.2],
            },
        ];
        let svg = agreement_svg(&rows, (480, 260)).unwrap();
        for l in AGREEMENT_LABELS {
            assert!(svg.contains(l), "legend {l}");
        }
        assert!(
            svg.contains("seed 7") && svg.contains("seed 8"),
            "{}",
            svg.split("<text")
                .skip(1)
                .map(|t| t.split(">").nth(1).unwrap_or(""))
                .collect::<Vec<_>>()
                .join("|")
        );
        // 6 bars + 3 legend swatches (+ the background).
        assert!(
            svg.matches("<rect").count() >= 9,
            "{}",
            svg.matches("<rect").count()
        );
    }

    #[test]
    fn learning_curves_have_bands_and_reference_lines() {
        let c = vec![
            Curve {
                label: "Offline A2C".into(),
                points: vec![(0.0, 10.0, 1.0), (100.0, 20.0, 2.0), (200.0, 25.0, 1.5)],
                markers: vec![150.0],
                colour: 0,
                imported: false,
                online: false,
            },
            Curve {
                label: "Random".into(),
                points: vec![(0.0, 12.0, 0.5)],
                markers: Vec::new(),
                colour: 1,
                imported: false,
                online: false,
            },
        ];
        let svg = learning_curves_svg(&c, "R_tra", (640, 360)).unwrap();
        assert!(
            svg.contains("Offline A2C") && svg.contains("Random (no training)"),
            "legend"
        );
        assert!(svg.contains("<polygon"), "a std band");
        assert!(svg.contains(OFFLINE_AXIS) && !svg.contains(ONLINE_AXIS));
    }

    #[test]
    fn offline_and_online_learners_get_their_own_x_axis() {
        let curve = |label: &str, online: bool, n: usize, colour: usize| Curve {
            label: label.into(),
            points: (0..n)
                .map(|i| (250.0 * i as f64, 10.0 + i as f64, 1.0))
                .collect(),
            markers: Vec::new(),
            colour,
            imported: false,
            online,
        };
        let both = [
            curve("iALP", false, 5, 0),
            curve("A-iALP_ft", true, 5, 1),
            curve("Random", false, 1, 2),
        ];
        let svg = learning_curves_svg(&both, "R_tra", (900, 400)).unwrap();
        assert!(
            svg.contains(OFFLINE_AXIS) && svg.contains(ONLINE_AXIS),
            "two panels"
        );
        assert_eq!(svg.matches("Random (no training)").count(), 1, "named once");
        assert_eq!(svg.matches("<polygon").count(), 2, "a band per learner");
        let online_only = learning_curves_svg(&both[1..], "R_tra", (900, 400)).unwrap();
        assert!(online_only.contains(ONLINE_AXIS) && !online_only.contains(OFFLINE_AXIS));
    }
}

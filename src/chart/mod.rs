//! Charts drawn with plotters on any backend: a canvas in the page, SVG in the CLI and
//! in tests. The same code makes both, so what the CLI writes is what the page shows.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

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
fn axes<'a, DB: DrawingBackend>(
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

fn legend<'a, DB: DrawingBackend + 'a>(
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

/// One learning curve: `(training episodes, mean, std)` per evaluation; a single point
/// (a method that does not learn) is drawn as a horizontal reference line.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub label: String,
    pub points: Vec<(f64, f64, f64)>,
    /// x positions of events on the curve (A-iALP_ap's repairs), drawn as ▼.
    pub markers: Vec<f64>,
    /// Index into [`PALETTE`].
    pub colour: usize,
    /// An imported run laid over the current one: a dashed line, no band.
    pub imported: bool,
    /// Its x counts online episodes on the ground truth (users who felt them), not
    /// training episodes in the user-model world: drawn in the online panel.
    pub online: bool,
}

/// The learning curves of `results`: mean ± std over seeds per method, with
/// A-iALP_ap's repairs (of every seed) as markers.
pub fn curves_of(results: &crate::experiment::Results) -> Vec<Curve> {
    results
        .mean_curves()
        .into_iter()
        .enumerate()
        .map(|(k, (m, variant, pts))| Curve {
            colour: k,
            imported: false,
            online: m.learning().is_online(),
            label: match &variant {
                None => m.label().into(),
                Some(v) => format!("{} · {v}", m.label()),
            },
            points: pts
                .iter()
                .map(|(x, s)| (*x as f64, s.mean, s.std))
                .collect(),
            markers: results
                .runs
                .iter()
                .filter(|r| r.method == m && r.variant == variant)
                .flat_map(|r| r.repairs.iter().map(|x| x.online_episode as f64))
                .collect(),
        })
        .collect()
}

/// The curves of an imported results file, to lay over `current`: each in the colour of
/// the same method now (or a colour not in use), labelled "(imported)".
pub fn overlay_curves(current: &[Curve], imported: &crate::experiment::Results) -> Vec<Curve> {
    let mut used: Vec<usize> = current.iter().map(|c| c.colour).collect();
    curves_of(imported)
        .into_iter()
        .map(|mut c| {
            c.colour = match current.iter().find(|x| x.label == c.label) {
                Some(x) => x.colour,
                None => {
                    let free = (0..PALETTE.len()).find(|k| !used.contains(k)).unwrap_or(0);
                    used.push(free);
                    free
                }
            };
            c.label = format!("{} (imported)", c.label);
            c.imported = true;
            c
        })
        .collect()
}

/// The curve's mean at `x`, linearly interpolated.
fn mean_at(points: &[(f64, f64, f64)], x: f64) -> f64 {
    match points.windows(2).find(|w| w[0].0 <= x && x <= w[1].0) {
        Some(w) if w[1].0 > w[0].0 => w[0].1 + (w[1].1 - w[0].1) * (x - w[0].0) / (w[1].0 - w[0].0),
        Some(w) => w[0].1,
        None => points.last().map_or(0.0, |p| p.1),
    }
}

/// The x-axis of offline learners: training episodes in the user-model world.
pub const OFFLINE_AXIS: &str = "offline training episodes (user-model world)";
/// The x-axis of online learners: episodes since deployment, on the ground truth.
pub const ONLINE_AXIS: &str = "online episodes after deployment (ground truth: users)";

/// Learning curves with a ±1 std band over seeds, one colour per method, in two panels
/// when both kinds are present: offline learners against their training episodes in the
/// user-model world (left), online learners against the episodes real users lived
/// through since deployment (right), on one y scale. The two x-axes count different
/// things, so they are never one axis. Methods that do not learn are dashed horizontal
/// lines across each panel.
pub fn draw_learning_curves<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    curves: &[Curve],
    y_label: &str,
    style: Style,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let fixed = |c: &&Curve| c.points.len() == 1;
    let offline: Vec<&Curve> = curves.iter().filter(|c| !fixed(c) && !c.online).collect();
    let online: Vec<&Curve> = curves.iter().filter(|c| !fixed(c) && c.online).collect();
    let flat: Vec<&Curve> = curves.iter().filter(fixed).collect();
    let with = |learners: &[&Curve]| -> Vec<Curve> {
        learners
            .iter()
            .chain(flat.iter())
            .map(|c| (*c).clone())
            .collect()
    };
    // One y scale for both panels, with head-room for the longer legend.
    let rows = offline.len().max(online.len()) + flat.len();
    let y_max = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.1 + p.2))
        .fold(1.0f64, f64::max)
        * (1.1 + 0.06 * rows as f64);
    let panels = match (offline.is_empty(), online.is_empty()) {
        (false, false) => vec![(with(&offline), OFFLINE_AXIS), (with(&online), ONLINE_AXIS)],
        (false, true) => vec![(with(&offline), OFFLINE_AXIS)],
        (true, false) => vec![(with(&online), ONLINE_AXIS)],
        (true, true) => vec![(with(&[]), "training episodes")],
    };
    root.fill(&WHITE)?;
    let areas = if panels.len() == 2 {
        let (w, _) = root.dim_in_pixel();
        let (left, right) = root.split_horizontally(w / 2);
        vec![left, right]
    } else {
        vec![root.clone()]
    };
    // The reference lines are named in the first panel's legend only.
    for (k, ((curves, x_label), area)) in panels.iter().zip(&areas).enumerate() {
        draw_panel(area, curves, x_label, y_label, y_max, k == 0, style)?;
    }
    root.present()
}

/// One panel of [`draw_learning_curves`]; `name_fixed`: whether the legend names the
/// reference lines (the left panel only, when there are two).
fn draw_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    curves: &[Curve],
    x_label: &str,
    y_label: &str,
    y_max: f64,
    name_fixed: bool,
    style: Style,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let px = |v: f64| style.px(v);
    let x_max = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.0))
        .fold(1.0f64, f64::max);
    let mut chart = axes(root, x_max, y_max, x_label, y_label, style)?;
    for c in curves {
        let colour = PALETTE[c.colour % PALETTE.len()];
        let legend = move |(x, y): (i32, i32)| {
            Rectangle::new([(x, y - 4), (x + 16, y + 4)], colour.filled())
        };
        if let [(_, mean, _)] = c.points.as_slice() {
            let (mean, dash) = (*mean, px(8.0).max(1) as f64);
            let segments = (0..(x_max / (2.0 * dash * x_max / 600.0)).ceil() as usize).map(|i| {
                let step = 2.0 * dash * x_max / 600.0;
                let a = i as f64 * step;
                vec![(a, mean), ((a + step / 2.0).min(x_max), mean)]
            });
            for (i, seg) in segments.enumerate() {
                let s = chart.draw_series(LineSeries::new(seg, colour.stroke_width(px(2.0))))?;
                if i == 0 && name_fixed {
                    s.label(format!("{} (no training)", c.label)).legend(legend);
                }
            }
            continue;
        }
        if c.imported {
            chart
                .draw_series(DashedLineSeries::new(
                    c.points.iter().map(|p| (p.0, p.1)),
                    px(7.0),
                    px(5.0),
                    colour.stroke_width(px(2.0)),
                ))?
                .label(c.label.clone())
                .legend(move |(x, y): (i32, i32)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
            continue;
        }
        let upper = c.points.iter().map(|p| (p.0, p.1 + p.2));
        let lower = c.points.iter().rev().map(|p| (p.0, (p.1 - p.2).max(0.0)));
        chart.draw_series(std::iter::once(Polygon::new(
            upper.chain(lower).collect::<Vec<_>>(),
            colour.mix(0.18).filled(),
        )))?;
        chart
            .draw_series(LineSeries::new(
                c.points.iter().map(|p| (p.0, p.1)),
                colour.stroke_width(px(2.5)),
            ))?
            .label(c.label.clone())
            .legend(legend);
        chart.draw_series(
            c.points
                .iter()
                .map(|p| Circle::new((p.0, p.1), px(3.0), colour.filled())),
        )?;
        chart.draw_series(
            c.markers.iter().map(|x| {
                TriangleMarker::new((*x, mean_at(&c.points, *x)), px(6.0), BLACK.filled())
            }),
        )?;
    }
    if !curves.is_empty() {
        legend(&mut chart, SeriesLabelPosition::UpperLeft, style)?;
    }
    Ok(())
}

/// One group of the agreement chart: a seed, and Spearman ρ with the truth of the LLM's
/// labels, of `R_φ` and of the user model `R̂`.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementBars {
    pub seed: u64,
    pub values: [f64; 3],
}

/// The names of the three bars, in order.
pub const AGREEMENT_LABELS: [&str; 3] = ["LLM labels", "R_φ (learnt)", "R̂ (user model)"];

/// The agreement rows of `results` (one per distillation).
pub fn agreement_of(results: &crate::experiment::Results) -> Vec<AgreementBars> {
    results
        .distillations
        .iter()
        .map(|d| AgreementBars {
            seed: d.seed,
            values: [
                d.agreement.llm.spearman,
                d.agreement.reward_model.spearman,
                d.agreement.user_model.spearman,
            ],
        })
        .collect()
}

/// Grouped bars: per seed, how well the LLM's labels, `R_φ` and `R̂` rank held-out
/// candidates like the ground truth does (Spearman ρ; 1 = same order, 0 = unrelated).
pub fn draw_agreement<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: &[AgreementBars],
    style: Style,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let px = |v: f64| style.px(v);
    root.fill(&WHITE)?;
    let lowest = rows
        .iter()
        .flat_map(|r| r.values)
        .fold(0.0f64, f64::min)
        .max(-1.0);
    let y_min = if lowest < 0.0 {
        (lowest * 10.0).floor() / 10.0
    } else {
        0.0
    };
    let n = rows.len().max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .margin(px(10.0))
        .margin_right(px(16.0))
        .x_label_area_size(px(30.0))
        .y_label_area_size(px(44.0))
        .build_cartesian_2d(0f64..n, y_min..1.25f64)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .x_labels(0)
        .y_desc("Spearman ρ with the truth")
        .y_label_formatter(&|y| format!("{y:.1}"))
        .label_style(("sans-serif", px(12.0)))
        .axis_desc_style(("sans-serif", px(13.0)))
        .draw()?;
    // Each group's seed, above its bars.
    chart.draw_series(rows.iter().enumerate().map(|(k, r)| {
        Text::new(
            format!("seed {}", r.seed),
            (k as f64 + 0.15, 1.12),
            ("sans-serif", px(12.0))
                .into_font()
                .color(&RGBColor(90, 100, 115)),
        )
    }))?;
    for (b, label) in AGREEMENT_LABELS.iter().enumerate() {
        let colour = PALETTE[[0, 2, 6][b]];
        chart
            .draw_series(rows.iter().enumerate().map(|(k, r)| {
                let x0 = k as f64 + 0.15 + 0.24 * b as f64;
                let v = r.values[b];
                Rectangle::new([(x0, v.min(0.0)), (x0 + 0.22, v.max(0.0))], colour.filled())
            }))?
            .label(*label)
            .legend(move |(x, y): (i32, i32)| {
                Rectangle::new([(x, y - 4), (x + 16, y + 4)], colour.filled())
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .label_font(("sans-serif", px(12.0)))
        .draw()?;
    root.present()
}

/// The agreement chart as an SVG document (tests).
pub fn agreement_svg(rows: &[AgreementBars], size: (u32, u32)) -> Result<String, String> {
    svg(size, |root| draw_agreement(root, rows, Style::default()))
}

/// Draws with `draw` into an SVG document of `size` pixels.
fn svg(
    size: (u32, u32),
    draw: impl FnOnce(
        &DrawingArea<SVGBackend, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<std::io::Error>>,
) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Learning curves as an SVG document (the CLI's `curves.svg`, the page's export).
pub fn learning_curves_svg(
    curves: &[Curve],
    y_label: &str,
    size: (u32, u32),
) -> Result<String, String> {
    svg(size, |root| {
        draw_learning_curves(root, curves, y_label, Style::default())
    })
}

/// R_tra per episode as an SVG document (the page's export, tests).
pub fn episode_returns_svg(
    series: &[Series],
    y_label: &str,
    size: (u32, u32),
) -> Result<String, String> {
    svg(size, |root| {
        draw_episode_returns(root, series, y_label, Style::default())
    })
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

//! Learning curves: R_tra at each evaluation, mean ± std over seeds, offline and online
//! phases side by side, with an imported run drawn over the current one.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{axes, legend, Style, PALETTE};

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

//! The agreement chart: per seed, Spearman ρ with the truth of the LLM's labels, of
//! `R_φ` and of the user model `R̂`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Style, PALETTE};

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

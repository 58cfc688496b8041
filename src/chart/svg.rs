//! The charts as SVG documents: the CLI's `curves.svg`, the page's exports, the tests.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::agreement::{draw_agreement, AgreementBars};
use super::curves::{draw_learning_curves, Curve};
use super::returns::draw_episode_returns;
use super::{Series, Style};

/// A chart that plotters could not draw (its backend's error, as text).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ChartError(pub String);

/// The agreement chart as an SVG document (tests).
pub fn agreement_svg(rows: &[AgreementBars], size: (u32, u32)) -> Result<String, ChartError> {
    svg(size, |root| draw_agreement(root, rows, Style::default()))
}

/// Draws with `draw` into an SVG document of `size` pixels.
fn svg(
    size: (u32, u32),
    draw: impl FnOnce(
        &DrawingArea<SVGBackend, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<std::io::Error>>,
) -> Result<String, ChartError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root).map_err(|e| ChartError(e.to_string()))?;
    }
    Ok(out)
}

/// Learning curves as an SVG document (the CLI's `curves.svg`, the page's export).
pub fn learning_curves_svg(
    curves: &[Curve],
    y_label: &str,
    size: (u32, u32),
) -> Result<String, ChartError> {
    svg(size, |root| {
        draw_learning_curves(root, curves, y_label, Style::default())
    })
}

/// R_tra per episode as an SVG document (the page's export, tests).
pub fn episode_returns_svg(
    series: &[Series],
    y_label: &str,
    size: (u32, u32),
) -> Result<String, ChartError> {
    svg(size, |root| {
        draw_episode_returns(root, series, y_label, Style::default())
    })
}

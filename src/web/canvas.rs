//! Drawing the core's charts on an HTML canvas, sharp on HiDPI screens.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use crate::chart::{
    draw_agreement, draw_episode_returns, draw_learning_curves, AgreementBars, Curve, Series, Style,
};

/// Sizes the canvas's backing store to its CSS size × `devicePixelRatio` and returns a
/// drawing area on it with the matching style.
fn prepare(
    canvas: &HtmlCanvasElement,
) -> Result<(DrawingArea<CanvasBackend, Shift>, Style), String> {
    let ratio = web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .unwrap_or(1.0)
        .max(1.0);
    let (w, h) = (
        canvas.client_width().max(300) as f64,
        canvas.client_height().max(200) as f64,
    );
    let (pw, ph) = ((w * ratio).round() as u32, (h * ratio).round() as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    }
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or("this browser gave no 2D canvas context")?;
    Ok((backend.into_drawing_area(), Style { pixel_ratio: ratio }))
}

/// R_tra per episode (fixed policies). Returns an error text instead of panicking.
pub fn draw_returns(
    canvas: &HtmlCanvasElement,
    series: &[Series],
    y_label: &str,
) -> Result<(), String> {
    let (root, style) = prepare(canvas)?;
    draw_episode_returns(&root, series, y_label, style).map_err(|e| e.to_string())
}

/// Learning curves with seed bands.
pub fn draw_curves(
    canvas: &HtmlCanvasElement,
    curves: &[Curve],
    y_label: &str,
) -> Result<(), String> {
    let (root, style) = prepare(canvas)?;
    draw_learning_curves(&root, curves, y_label, style).map_err(|e| e.to_string())
}

/// The LLM's (and R_φ's, R̂'s) agreement with the truth, per seed.
pub fn draw_agreement_bars(
    canvas: &HtmlCanvasElement,
    rows: &[AgreementBars],
) -> Result<(), String> {
    let (root, style) = prepare(canvas)?;
    draw_agreement(&root, rows, style).map_err(|e| e.to_string())
}

/// Draws a sample of each chart on a canvas that is never shown (see `App::rendered`).
pub fn warm_up() {
    use wasm_bindgen::JsCast;
    let Some(canvas) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok())
    else {
        return;
    };
    canvas.set_width(600);
    canvas.set_height(340);
    let curve = |label: &str, colour: usize, imported: bool, n: usize| Curve {
        online: colour == 1,
        label: label.into(),
        points: (0..n)
            .map(|i| (100.0 * i as f64, 20.0 + i as f64, 2.0))
            .collect(),
        markers: if imported { Vec::new() } else { vec![150.0] },
        colour,
        imported,
    };
    let curves = [
        curve("a", 0, false, 5),
        curve("b", 1, false, 5),
        curve("d", 3, false, 1),
        curve("c", 2, true, 5),
    ];
    let _ = draw_curves(&canvas, &curves, "R_tra");
    let series = [Series {
        label: "a".into(),
        values: vec![1.0, 2.0, 3.0],
    }];
    let _ = draw_returns(&canvas, &series, "R_tra");
    let rows = [AgreementBars {
        seed: 1,
        values: [0.5, 0.4, -0.1],
    }];
    let _ = draw_agreement_bars(&canvas, &rows);
}

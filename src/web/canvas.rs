//! Drawing the core's charts on an HTML canvas, sharp on HiDPI screens.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use crate::chart::{draw_episode_returns, Series, Style};

/// Sizes the canvas's backing store to its CSS size × `devicePixelRatio` and draws.
/// Returns an error text instead of panicking.
pub fn draw_returns(canvas: &HtmlCanvasElement, series: &[Series], y_label: &str) -> Result<(), String> {
    let ratio = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).max(1.0);
    let (w, h) = (canvas.client_width().max(300) as f64, canvas.client_height().max(200) as f64);
    let (pw, ph) = ((w * ratio).round() as u32, (h * ratio).round() as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    }
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("this browser gave no 2D canvas context")?;
    let root = backend.into_drawing_area();
    draw_episode_returns(&root, series, y_label, Style { pixel_ratio: ratio }).map_err(|e| e.to_string())
}

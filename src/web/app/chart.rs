//! The live chart (learning curves, or every episode of fixed policies), the agreement
//! bars, their exports, and a results.json laid over the chart.

use super::*;

/// Chart exports and the overlay.
pub enum ChartMsg {
    ExportChart(&'static str),
    ImportResults(Vec<web_sys::File>),
    ResultsImported(String, Result<String, String>),
    ClearOverlay,
}

impl App {
    pub(super) fn on_chart(&mut self, ctx: &Context<App>, msg: ChartMsg) -> bool {
        match msg {
            ChartMsg::ImportResults(files) => {
                read_first_file(ctx, files, crate::limits::RESULTS_FILE_BYTES, ChartMsg::ResultsImported);
                return false;
            }
            ChartMsg::ResultsImported(name, text) => {
                match text.and_then(|t| Results::from_json(&t).map_err(|e| e.to_string())) {
                    Ok(r) => {
                        let n = r.summary.iter().map(|s| s.seeds).max().unwrap_or(0);
                        self.overlay_status = Some(Ok(format!(
                            "{name}: {} on {} ({} method(s), {n} seed(s)), drawn dashed over the chart",
                            r.world.preset.label(),
                            r.config.env.data.label(),
                            r.config.methods.len()
                        )));
                        self.overlay = Some((name, r));
                    }
                    Err(e) => {
                        // The current overlay, if any, is kept.
                        self.overlay_status = Some(Err(format!("{name}: {e}")));
                    }
                }
            }
            ChartMsg::ClearOverlay => {
                self.overlay = None;
                self.overlay_status = None;
            }
            ChartMsg::ExportChart(kind) => {
                if let Err(e) = self.export_chart(kind) {
                    self.error = Some(e);
                }
                return false;
            }
        }
        true
    }

    /// Draws the chart and the agreement bars, when what they show has changed.
    pub(super) fn draw_charts(&mut self) {
        if let (Some(c), Some(r)) = (
            self.agreement_canvas.cast::<HtmlCanvasElement>(),
            &self.results,
        ) {
            let rows = crate::chart::agreement_of(r);
            let key = chart_key(&c, &rows);
            if key != self.drawn[1] {
                self.drawn[1] = key;
                if let Err(e) = crate::web::canvas::draw_agreement_bars(&c, &rows) {
                    web_sys::console::warn_1(&format!("agreement chart: {e}").into());
                }
                let _ = c.set_attribute("data-bars", &(3 * rows.len()).to_string());
            }
        } else {
            self.drawn[1] = 0; // no canvas: draw the next one afresh
        }
        let Some(canvas) = self.canvas.cast::<HtmlCanvasElement>() else {
            self.drawn[0] = 0;
            return;
        };
        let learning = self.shows_curves();
        let drawn = if learning {
            // Learning curves: R_tra per evaluation, mean ± std over seeds.
            let curves = self.curves();
            let points = curves.iter().map(|c| c.points.len()).sum::<usize>();
            let key = chart_key(&canvas, &curves);
            if key == self.drawn[0] {
                return; // nothing new to draw
            }
            self.drawn[0] = key;
            (
                crate::web::canvas::draw_curves(&canvas, &curves, "R_tra (mean ± std over seeds)"),
                points,
            )
        } else {
            // Only fixed policies: every episode of the first run's evaluation.
            let series = self.episode_series();
            let points = series.iter().map(|s| s.values.len()).sum::<usize>();
            let key = chart_key(&canvas, &series);
            if key == self.drawn[0] {
                return;
            }
            self.drawn[0] = key;
            (
                crate::web::canvas::draw_returns(&canvas, &series, "R_tra (cumulative reward)"),
                points,
            )
        };
        if let (Err(e), _) = &drawn {
            web_sys::console::warn_1(&format!("chart: {e}").into());
        }
        let _ = canvas.set_attribute("data-points", &drawn.1.to_string());
        let _ = canvas.set_attribute("data-kind", if learning { "curves" } else { "episodes" });
        let overlaid = self
            .overlay
            .as_ref()
            .map(|(_, r)| crate::chart::curves_of(r).len())
            .unwrap_or(0);
        let _ = canvas.set_attribute("data-overlay", &overlaid.to_string());
    }

    /// Whether the chart shows learning curves (else every episode of fixed policies).
    pub(super) fn shows_curves(&self) -> bool {
        let learns = |r: &Results| {
            r.config
                .methods
                .iter()
                .any(|m| m.learning() != Learning::Fixed)
        };
        self.results.as_deref().is_some_and(learns) || self.overlay.is_some()
    }

    /// The current run's curves, plus the imported ones.
    pub(super) fn curves(&self) -> Vec<Curve> {
        let mut curves: Vec<Curve> = self
            .results
            .as_deref()
            .map(crate::chart::curves_of)
            .unwrap_or_default();
        if let Some((_, r)) = &self.overlay {
            let extra = crate::chart::overlay_curves(&curves, r);
            curves.extend(extra);
        }
        curves
    }

    /// Every episode of the first run's evaluation, per method (fixed policies only).
    fn episode_series(&self) -> Vec<Series> {
        self.results
            .iter()
            .flat_map(|r| {
                r.runs.iter().filter(|run| run.run == 0).map(|run| Series {
                    label: run.method.label().into(),
                    values: run.episode_returns.clone(),
                })
            })
            .collect()
    }

    /// The chart as a PNG (the canvas, at its device resolution) or an SVG (redrawn).
    pub(super) fn export_chart(&self, kind: &str) -> Result<(), String> {
        if kind == "agreement-png" {
            return canvas_png(
                &self.agreement_canvas,
                "no agreement chart to export",
                "ialp-agreement.png",
            );
        }
        if kind == "agreement-svg" {
            let rows = self
                .results
                .as_deref()
                .map(crate::chart::agreement_of)
                .unwrap_or_default();
            let svg = crate::chart::agreement_svg(&rows, (800, 400)).map_err(|e| e.to_string())?;
            return crate::web::llm::download("ialp-agreement.svg", "image/svg+xml", &svg);
        }
        if kind == "png" {
            return canvas_png(&self.canvas, "no chart to export", "ialp-chart.png");
        }
        let size = (1200, 640);
        let svg = if self.shows_curves() {
            crate::chart::learning_curves_svg(&self.curves(), "R_tra (mean ± std over seeds)", size)
        } else {
            let series = self.episode_series();
            crate::chart::episode_returns_svg(&series, "R_tra (cumulative reward)", size)
        }
        .map_err(|e| e.to_string())?;
        crate::web::llm::download("ialp-chart.svg", "image/svg+xml", &svg)
    }

    /// Chart exports and the results overlay.
    pub(super) fn view_chart_tools(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        html! {
            <div class="buttons chart-tools">
                <button id="export-png" onclick={link.callback(|_| ChartMsg::ExportChart("png"))}>{"Chart as PNG"}</button>
                <button id="export-svg" onclick={link.callback(|_| ChartMsg::ExportChart("svg"))}>{"Chart as SVG"}</button>
                <label for="import-results" class="button-like" title="Draw a results.json (from this page or `ialp run`) dashed over the chart">{"Overlay a results.json"}</label>
                <input id="import-results" type="file" accept=".json,application/json" class="visually-hidden"
                    onchange={link.callback(|e: Event| ChartMsg::ImportResults(chosen_file(&e, true)))} />
                if self.overlay.is_some() {
                    <button id="clear-overlay" onclick={link.callback(|_| ChartMsg::ClearOverlay)}>{"Remove overlay"}</button>
                }
                { status_line("overlay-message", &self.overlay_status) }
            </div>
        }
    }
}

/// A hash of what a canvas would draw and at what size.
pub(super) fn chart_key(canvas: &HtmlCanvasElement, data: &impl std::fmt::Debug) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{data:?}").hash(&mut h);
    (canvas.client_width(), canvas.client_height()).hash(&mut h);
    web_sys::window()
        .map(|w| w.device_pixel_ratio().to_bits())
        .hash(&mut h);
    h.finish().max(1)
}

/// Downloads what `canvas` shows as a PNG, at its device resolution.
fn canvas_png(canvas: &NodeRef, missing: &str, file: &str) -> Result<(), String> {
    let canvas = canvas.cast::<HtmlCanvasElement>().ok_or(missing)?;
    let url = canvas
        .to_data_url()
        .map_err(|_| "the browser refused to export the chart")?;
    crate::web::llm::download_url(file, &url)
}

//! The page: settings on the left, the live chart and the results table on the right.
//! Work is done in chunks of about 15 ms with a yield to the browser in between, so the
//! page stays responsive and Stop acts at once.

use std::sync::Arc;

use gloo::timers::future::TimeoutFuture;
use web_sys::{HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::chart::Series;
use crate::env::coat::{CoatFile, CoatFiles};
use crate::env::{synthetic, Mode, Preset, Window, World};
use crate::experiment::form::ConfigForm;
use crate::experiment::{build_world, DataSource, Simulation};
use crate::policy::PolicyKind;

/// Wall-clock budget of one chunk of simulation before yielding to the browser.
const CHUNK_MS: f64 = 15.0;

pub enum Msg {
    Preset(String),
    Data(String),
    Scale(String),
    Seed(String),
    Mode(String),
    Episodes(String),
    LeaveN(String),
    LeaveTau(String),
    Window(String),
    Policy(PolicyKind, bool),
    Files(Vec<web_sys::File>),
    FilesRead(Vec<(String, Result<String, String>)>),
    Run,
    Stop,
    Chunk(u64),
}

/// Real Coat files picked by the user, and what came of loading them.
#[derive(Default)]
struct RealData {
    files: CoatFiles,
    names: Vec<String>,
    world: Option<Arc<World>>,
    /// `Ok(summary)` or `Err(what is wrong)`.
    status: Option<Result<String, String>>,
}

pub struct App {
    form: ConfigForm,
    real: RealData,
    sim: Option<Simulation>,
    running: bool,
    /// Identifies the current run, so chunks of a stopped run are ignored.
    run_id: u64,
    error: Option<String>,
    started_ms: f64,
    elapsed_ms: f64,
    canvas: NodeRef,
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(_ctx: &Context<Self>) -> Self {
        Self {
            form: ConfigForm::default(),
            real: RealData::default(),
            sim: None,
            running: false,
            run_id: 0,
            error: None,
            started_ms: 0.0,
            elapsed_ms: 0.0,
            canvas: NodeRef::default(),
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Preset(s) => {
                if let Some(p) = Preset::from_id(&s) {
                    self.form.set_preset(p);
                }
            }
            Msg::Data(s) => {
                self.form.data = if s == "real" { DataSource::Real } else { DataSource::Synthetic };
            }
            Msg::Scale(s) => self.form.scale = s,
            Msg::Seed(s) => self.form.seed = s,
            Msg::Mode(s) => self.form.mode = Mode::from_id(&s).unwrap_or_default(),
            Msg::Episodes(s) => self.form.episodes = s,
            Msg::LeaveN(s) => self.form.leave_n = s,
            Msg::LeaveTau(s) => self.form.leave_tau = s,
            Msg::Window(s) => {
                self.form.window = if s == "peer_compatible" { Window::PeerCompatible } else { Window::Intended }
            }
            Msg::Policy(p, on) => {
                self.form.policies.retain(|q| *q != p);
                if on {
                    self.form.policies.push(p);
                    self.form.policies.sort_by_key(|q| PolicyKind::ALL.iter().position(|x| x == q));
                }
            }
            Msg::Files(files) => {
                ctx.link().send_future(async move {
                    let mut out = Vec::new();
                    for f in files {
                        let name = f.name();
                        let text = gloo::file::futures::read_as_text(&gloo::file::File::from(f))
                            .await
                            .map_err(|e| format!("could not read {name}: {e}"));
                        out.push((name, text));
                    }
                    Msg::FilesRead(out)
                });
                return false;
            }
            Msg::FilesRead(files) => self.add_real_files(files),
            Msg::Run => self.start(ctx),
            Msg::Stop => {
                self.running = false;
                self.run_id += 1;
            }
            Msg::Chunk(id) => {
                if id != self.run_id || !self.running {
                    return false;
                }
                self.chunk(ctx);
            }
        }
        true
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first: bool) {
        let Some(canvas) = self.canvas.cast::<HtmlCanvasElement>() else { return };
        let series: Vec<Series> = match &self.sim {
            Some(sim) => sim
                .episodes()
                .map(|(k, eps)| Series { label: k.label().into(), values: eps.iter().map(|e| e.r_tra()).collect() })
                .collect(),
            None => Vec::new(),
        };
        let points: usize = series.iter().map(|s| s.values.len()).sum();
        if let Err(e) = super::canvas::draw_returns(&canvas, &series, "R_tra (cumulative reward)") {
            web_sys::console::warn_1(&format!("chart: {e}").into());
        }
        let _ = canvas.set_attribute("data-points", &points.to_string());
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        html! {
            <>
            <header class="top">
                <h1>{"iALP Playground"}</h1>
                <p class="tagline">{"Recommendation as a game of patience: a policy recommends, a simulated user rates and may leave. "}
                    <span class="badge" title="The paper's body and code are not public: see the footer">{"a reconstruction"}</span></p>
            </header>
            <main class="layout">
                { self.view_controls(ctx) }
                { self.view_results() }
            </main>
            <footer class="foot">
                <p>{"Method: "}<em>{"Large Language Model driven Policy Exploration for Recommender Systems"}</em>
                   {" (Wang, Karatzoglou, Arapakis, Jose; WSDM 2025; arXiv 2501.13816). Only the abstract is public; this playground is our reconstruction of it. "}
                   {"The environments follow the conventions of DORL (SIGIR'23) and EasyRL4Rec (SIGIR'24): quit rules, max_turn = 30, FB / NX_0 / NX_10 modes. "}
                   {"Real Coat data: Schnabel et al., ICML 2016."}</p>
            </footer>
            </>
        }
    }
}

fn input_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}
fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

impl App {
    fn add_real_files(&mut self, files: Vec<(String, Result<String, String>)>) {
        let mut problems = Vec::new();
        for (name, text) in files {
            match text {
                Err(e) => problems.push(e),
                Ok(text) => match self.real.files.add(&name, text) {
                    Some(_) => {
                        if !self.real.names.contains(&name) {
                            self.real.names.push(name);
                        }
                    }
                    None if name.ends_with("_map.txt") => {}
                    None => problems.push(format!("{name}: not a Coat file (ignored)")),
                },
            }
        }
        self.real.world = None;
        let missing = self.real.files.missing();
        self.real.status = Some(if !problems.is_empty() {
            Err(problems.join("; "))
        } else if !missing.is_empty() {
            Err(format!(
                "still missing: {}",
                missing.iter().map(|f| f.file_name()).collect::<Vec<_>>().join(", ")
            ))
        } else {
            match self.real.files.load() {
                Ok(w) => {
                    let s = format!("loaded: {} users × {} items, {} logged ratings", w.n_users(), w.n_items(), w.log.len());
                    self.real.world = Some(Arc::new(w));
                    Ok(s)
                }
                Err(e) => Err(e.to_string()),
            }
        });
        if self.real.world.is_some() {
            self.form.data = DataSource::Real;
        }
    }

    fn start(&mut self, ctx: &Context<Self>) {
        self.error = None;
        self.run_id += 1;
        let config = match self.form.to_config() {
            Ok(c) => c,
            Err(e) => {
                self.error = Some(format!("Please fix a setting: {e}"));
                return;
            }
        };
        let world = match (config.data(), &self.real.world) {
            (DataSource::Real, Some(w)) => Ok(w.clone()),
            (DataSource::Real, None) => Err(match &self.real.status {
                Some(Err(e)) => format!("The real Coat files could not be used: {e}"),
                _ => format!(
                    "Choose the five real Coat files first ({}), or switch to synthetic data.",
                    CoatFile::ALL.iter().map(|f| f.file_name()).collect::<Vec<_>>().join(", ")
                ),
            }),
            (DataSource::Synthetic, _) => build_world(&config, None).map(Arc::new).map_err(|e| e.to_string()),
        };
        match world {
            Ok(w) => {
                self.sim = Some(Simulation::new(config, w));
                self.running = true;
                self.started_ms = now_ms();
                self.elapsed_ms = 0.0;
                let id = self.run_id;
                ctx.link().send_future(async move {
                    TimeoutFuture::new(0).await;
                    Msg::Chunk(id)
                });
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn chunk(&mut self, ctx: &Context<Self>) {
        let Some(sim) = self.sim.as_mut() else { return };
        let t0 = now_ms();
        let mut progress = sim.progress();
        while !progress.finished() && now_ms() - t0 < CHUNK_MS {
            progress = sim.advance(64);
        }
        self.elapsed_ms = now_ms() - self.started_ms;
        if progress.finished() {
            self.running = false;
        } else {
            let id = self.run_id;
            ctx.link().send_future(async move {
                TimeoutFuture::new(0).await;
                Msg::Chunk(id)
            });
        }
    }

    fn view_controls(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let f = &self.form;
        let (default_scale, default_n, default_tau) = f.defaults();
        let real = f.data == DataSource::Real;
        let shape = synthetic::shape(f.preset, f.scale.trim().parse().unwrap_or(default_scale));
        html! {
            <section class="controls" aria-label="Settings">
                <h2>{"Settings"}</h2>
                <label for="preset">{"Environment"}</label>
                <select id="preset" onchange={link.callback(|e: Event| Msg::Preset(select_value(&e)))}>
                    { for Preset::ALL.iter().map(|p| html!{ <option value={p.id()} selected={*p == f.preset}>{p.label()}</option> }) }
                </select>

                <label for="data-source">{"Data"}</label>
                <select id="data-source" onchange={link.callback(|e: Event| Msg::Data(select_value(&e)))}>
                    <option value="synthetic" selected={!real}>{"Synthetic world (built in)"}</option>
                    <option value="real" selected={real} disabled={f.preset != Preset::Coat}>{"Real Coat files"}</option>
                </select>
                if real {
                    <label for="coat-files">{"Coat files (select all five at once)"}</label>
                    <input id="coat-files" type="file" multiple=true accept=".ascii,.txt"
                        onchange={link.callback(|e: Event| {
                            let input: HtmlInputElement = e.target_unchecked_into();
                            let mut out = Vec::new();
                            if let Some(list) = input.files() {
                                for i in 0..list.length() {
                                    if let Some(f) = list.get(i) { out.push(f); }
                                }
                            }
                            Msg::Files(out)
                        })} />
                    <p class="hint">{"train.ascii, test.ascii, pseudo_gt_rating_matrix.ascii, user_features.ascii, item_features.ascii (from the DORL / RL4Rec repositories)."}</p>
                    { match &self.real.status {
                        Some(Ok(s)) => html!{ <p id="coat-status" class="ok">{s}</p> },
                        Some(Err(e)) => html!{ <p id="coat-status" class="bad" role="alert">{e}</p> },
                        None => html!{},
                    } }
                } else {
                    <label for="scale">{format!("World size (× real; {} users × {} items)", shape.0, shape.1)}</label>
                    <input id="scale" type="text" inputmode="decimal" placeholder={default_scale.to_string()} value={f.scale.clone()}
                        oninput={link.callback(|e: InputEvent| Msg::Scale(e.target_unchecked_into::<HtmlInputElement>().value()))} />
                }

                <label for="seed">{"Seed"}</label>
                <input id="seed" type="text" inputmode="numeric" value={f.seed.clone()}
                    onchange={link.callback(|e: Event| Msg::Seed(input_value(&e)))} />

                <label for="mode">{"Evaluation mode"}</label>
                <select id="mode" onchange={link.callback(|e: Event| Msg::Mode(select_value(&e)))}>
                    { for Mode::ALL.iter().map(|m| html!{ <option value={m.id()} selected={*m == f.mode}>{m.label()}</option> }) }
                </select>

                <label for="episodes">{"Episodes per policy"}</label>
                <input id="episodes" type="text" inputmode="numeric" value={f.episodes.clone()}
                    onchange={link.callback(|e: Event| Msg::Episodes(input_value(&e)))} />

                <fieldset>
                    <legend>{"Quit rule"}</legend>
                    <label for="leave-n">{"Window N"}</label>
                    <input id="leave-n" type="text" inputmode="numeric" placeholder={default_n.to_string()} value={f.leave_n.clone()}
                        onchange={link.callback(|e: Event| Msg::LeaveN(input_value(&e)))} />
                    <label for="leave-tau">{ if f.preset == Preset::KuaiRec { "Threshold τ (tag count)" } else { "Threshold τ (item distance)" } }</label>
                    <input id="leave-tau" type="text" inputmode="decimal" placeholder={default_tau} value={f.leave_tau.clone()}
                        onchange={link.callback(|e: Event| Msg::LeaveTau(input_value(&e)))} />
                    <label for="window">{"Window"}</label>
                    <select id="window" onchange={link.callback(|e: Event| Msg::Window(select_value(&e)))}>
                        <option value="intended" selected={f.window == Window::Intended}>{"last min(N, t) items (intended)"}</option>
                        <option value="peer_compatible" selected={f.window == Window::PeerCompatible}>{"peer-compatible (DORL/EasyRL4Rec slice)"}</option>
                    </select>
                </fieldset>

                <fieldset>
                    <legend>{"Policies"}</legend>
                    { for PolicyKind::ALL.iter().map(|p| {
                        let p = *p;
                        let id = format!("policy-{}", p.id());
                        html!{
                            <label class="check" for={id.clone()}>
                                <input id={id} type="checkbox" checked={f.policies.contains(&p)}
                                    onchange={link.callback(move |e: Event| Msg::Policy(p, e.target_unchecked_into::<HtmlInputElement>().checked()))} />
                                {p.label()}
                            </label>
                        }
                    }) }
                </fieldset>

                <div class="buttons">
                    <button id="run" class="primary" onclick={link.callback(|_| Msg::Run)}>{ if self.sim.is_some() { "Run again" } else { "Run" } }</button>
                    <button id="stop" disabled={!self.running} onclick={link.callback(|_| Msg::Stop)}>{"Stop"}</button>
                </div>
                if let Some(e) = &self.error {
                    <p id="error" class="bad" role="alert">{e}</p>
                }
            </section>
        }
    }

    fn view_results(&self) -> Html {
        let (progress, status) = match &self.sim {
            None => (0.0, "Choose settings and press Run.".to_string()),
            Some(sim) => {
                let p = sim.progress();
                let per = sim.config().policies().len().max(1);
                let state = if self.running { "running" } else if p.finished() { "finished" } else { "stopped" };
                (
                    p.fraction(),
                    format!(
                        "{state}: {} / {} episodes per policy · {:.1} s",
                        p.done / per,
                        p.total / per,
                        self.elapsed_ms / 1000.0
                    ),
                )
            }
        };
        html! {
            <section class="results" aria-label="Results">
                <div class="progress-row">
                    <progress id="progress" max="1" value={progress.to_string()} aria-label="progress"></progress>
                    <span id="status" aria-live="polite">{status}</span>
                </div>
                <canvas id="chart" ref={self.canvas.clone()} role="img"
                    aria-label="R_tra per episode for each policy, with a running mean"></canvas>
                { self.view_table() }
                <section class="explain">
                    <h2>{"What you are looking at"}</h2>
                    <p>{"Each episode, a simulated user arrives and the policy recommends one item per step. The user's reward for an item comes from the environment's ground-truth matrix R[u, i] (a rating, or a watch ratio for KuaiRec). A user who is shown an item too similar to one of the last N items (item distance below τ, or a tag seen more than τ times) loses patience and leaves; the episode also ends after 30 steps (NX_10: after exactly 10)."}</p>
                    <p>{"R_tra is the reward collected over a whole episode, R_each the reward per step, Length the number of steps. A policy that only chases the highest ratings bores users, who leave early; a good one balances relevance and variety. Random and Most popular are the simplest baselines; the learnt policies of iALP come next."}</p>
                </section>
            </section>
        }
    }

    fn view_table(&self) -> Html {
        let Some(sim) = &self.sim else { return html! {} };
        let world = sim.world();
        let rows = sim.summaries();
        html! {
            <table id="results">
                <caption>{format!(
                    "{} · {} · {} users × {} items · mean ± std over episodes",
                    world.preset.label(),
                    sim.config().settings.mode.label(),
                    world.n_users(),
                    world.n_items()
                )}</caption>
                <thead><tr><th scope="col">{"Policy"}</th><th scope="col">{"Episodes"}</th><th scope="col">{"R_tra"}</th><th scope="col">{"R_each"}</th><th scope="col">{"Length"}</th><th scope="col">{"Coverage"}</th><th scope="col">{"MCD"}</th></tr></thead>
                <tbody>
                { for rows.iter().map(|s| html!{
                    <tr data-policy={s.policy.clone()}>
                        <th scope="row">{PolicyKind::from_id(&s.policy).map(|p| p.label()).unwrap_or("?")}</th>
                        <td>{s.episodes}</td>
                        <td class="r-tra">{s.r_tra.to_string()}</td>
                        <td class="r-each">{s.r_each.to_string()}</td>
                        <td class="length">{s.length.to_string()}</td>
                        <td>{format!("{:.3}", s.coverage)}</td>
                        <td>{format!("{:.3}", s.mcd)}</td>
                    </tr>
                }) }
                </tbody>
            </table>
        }
    }
}

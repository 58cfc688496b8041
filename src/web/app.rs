//! The page: settings on the left, the live chart and the results table on the right.
//! Work is done in chunks of about 15 ms with a yield to the browser in between, so the
//! page stays responsive and Stop acts at once.

use std::sync::Arc;

use gloo::timers::future::TimeoutFuture;
use web_sys::{HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::chart::{Curve, Series};
use crate::env::coat::{CoatFile, CoatFiles};
use crate::env::{synthetic, Mode, Preset, Window, World};
use crate::experiment::form::ConfigForm;
use crate::experiment::{build_world, DataSource, Experiment, LlmTicket, Results};
use crate::ialp::distill::LlmOutcome;
use crate::llm::prompt::DEFAULT_TEMPLATE;
use crate::llm::{LlmCache, Provider};
use crate::policy::{Learning, Method};

/// Wall-clock budget of one chunk of simulation before yielding to the browser.
const CHUNK_MS: f64 = 15.0;

pub enum Msg {
    LoadPreset(String),
    Preset(String),
    Data(String),
    Scale(String),
    Seed(String),
    Mode(String),
    EvalEpisodes(String),
    Seeds(String),
    OfflineEpisodes(String),
    OnlineEpisodes(String),
    EvalEvery(String),
    A2cLearningRate(String),
    A2cEntropy(String),
    LeaveN(String),
    LeaveTau(String),
    Window(String),
    Method(Method, bool),
    LlmProvider(String),
    LlmBaseUrl(String),
    LlmModel(String),
    LlmNoise(String),
    LlmMaxCalls(String),
    LlmConcurrent(String),
    LlmTimeout(String),
    LlmCasesPerRequest(String),
    LlmTemplate(String),
    LlmTemplateReset,
    IalpLambda(String),
    IalpStates(String),
    Key(String),
    RememberKey(bool),
    ForgetKey,
    LlmAnswer(u64, LlmTicket, LlmOutcome),
    CacheExport,
    CacheImport(Vec<web_sys::File>),
    CacheImported(Result<String, String>),
    ExportResults(&'static str),
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
    sim: Option<Experiment>,
    /// The latest results of `sim` (recomputed after each chunk).
    results: Option<Results>,
    running: bool,
    /// Identifies the current run, so chunks of a stopped run are ignored.
    run_id: u64,
    error: Option<String>,
    started_ms: f64,
    elapsed_ms: f64,
    canvas: NodeRef,
    /// The API key: in memory only, unless the user asked to remember it.
    key: String,
    remember_key: bool,
    /// LLM answers kept between runs (and in localStorage).
    cache: LlmCache,
    /// What happened to the last cache import or save.
    cache_status: Option<Result<String, String>>,
    llm_in_flight: usize,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(_ctx: &Context<Self>) -> Self {
        let remembered = super::llm::remembered_key();
        Self {
            form: ConfigForm::default(),
            real: RealData::default(),
            sim: None,
            results: None,
            running: false,
            run_id: 0,
            error: None,
            started_ms: 0.0,
            elapsed_ms: 0.0,
            canvas: NodeRef::default(),
            remember_key: remembered.is_some(),
            key: remembered.unwrap_or_default(),
            cache: super::llm::load_cache(),
            cache_status: None,
            llm_in_flight: 0,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::LoadPreset(name) => {
                match crate::experiment::presets::find(&name).map(|p| p.config(None)) {
                    Some(Ok(c)) => {
                        self.form = ConfigForm::from_config(c.raw());
                        self.error = None;
                    }
                    Some(Err(e)) => self.error = Some(format!("Preset {name}: {e}")),
                    None => {}
                }
            }
            Msg::Preset(s) => {
                if let Some(p) = Preset::from_id(&s) {
                    self.form.set_preset(p);
                }
            }
            Msg::Data(s) => {
                self.form.data = if s == "real" {
                    DataSource::Real
                } else {
                    DataSource::Synthetic
                };
            }
            Msg::Scale(s) => self.form.scale = s,
            Msg::Seed(s) => self.form.seed = s,
            Msg::Mode(s) => self.form.mode = Mode::from_id(&s).unwrap_or_default(),
            Msg::EvalEpisodes(s) => self.form.eval_episodes = s,
            Msg::Seeds(s) => self.form.seeds = s,
            Msg::OfflineEpisodes(s) => self.form.offline_episodes = s,
            Msg::OnlineEpisodes(s) => self.form.online_episodes = s,
            Msg::EvalEvery(s) => self.form.eval_every = s,
            Msg::A2cLearningRate(s) => self.form.a2c_learning_rate = s,
            Msg::A2cEntropy(s) => self.form.a2c_entropy_weight = s,
            Msg::LeaveN(s) => self.form.leave_n = s,
            Msg::LeaveTau(s) => self.form.leave_tau = s,
            Msg::Window(s) => {
                self.form.window = if s == "peer_compatible" {
                    Window::PeerCompatible
                } else {
                    Window::Intended
                }
            }
            Msg::Method(p, on) => {
                self.form.methods.retain(|q| *q != p);
                if on {
                    self.form.methods.push(p);
                    self.form
                        .methods
                        .sort_by_key(|q| Method::ALL.iter().position(|x| x == q));
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
            Msg::LlmProvider(s) => {
                self.form.llm_provider = Provider::from_id(&s).unwrap_or_default()
            }
            Msg::LlmBaseUrl(s) => self.form.llm_base_url = s,
            Msg::LlmModel(s) => self.form.llm_model = s,
            Msg::LlmNoise(s) => self.form.llm_oracle_noise = s,
            Msg::LlmMaxCalls(s) => self.form.llm_max_calls = s,
            Msg::LlmConcurrent(s) => self.form.llm_max_concurrent = s,
            Msg::LlmTimeout(s) => self.form.llm_timeout_secs = s,
            Msg::LlmCasesPerRequest(s) => self.form.llm_cases_per_request = s,
            Msg::LlmTemplate(s) => self.form.llm_template = s,
            Msg::LlmTemplateReset => self.form.llm_template = DEFAULT_TEMPLATE.to_string(),
            Msg::IalpLambda(s) => self.form.ialp_lambda = s,
            Msg::IalpStates(s) => self.form.ialp_states = s,
            Msg::Key(k) => {
                self.key = k.trim().to_string();
                if self.remember_key {
                    super::llm::remember_key(Some(&self.key));
                }
            }
            Msg::RememberKey(on) => {
                self.remember_key = on;
                super::llm::remember_key(on.then_some(self.key.as_str()));
            }
            Msg::ForgetKey => {
                self.key.clear();
                self.remember_key = false;
                super::llm::remember_key(None);
            }
            Msg::LlmAnswer(id, ticket, outcome) => {
                if id != self.run_id {
                    return false; // an answer to a stopped run
                }
                self.llm_in_flight = self.llm_in_flight.saturating_sub(1);
                if let Some(sim) = self.sim.as_mut() {
                    sim.give_llm_answer(&ticket, outcome);
                }
                return false; // the next chunk re-renders
            }
            Msg::CacheExport => {
                let text = self.current_cache().to_json();
                if let Err(e) =
                    super::llm::download("ialp-llm-cache.json", "application/json", &text)
                {
                    self.cache_status = Some(Err(e));
                }
            }
            Msg::CacheImport(files) => {
                ctx.link().send_future(async move {
                    let Some(f) = files.into_iter().next() else {
                        return Msg::CacheImported(Err("no file chosen".into()));
                    };
                    let name = f.name();
                    match gloo::file::futures::read_as_text(&gloo::file::File::from(f)).await {
                        Ok(t) => Msg::CacheImported(Ok(t)),
                        Err(e) => Msg::CacheImported(Err(format!("could not read {name}: {e}"))),
                    }
                });
                return false;
            }
            Msg::CacheImported(text) => {
                self.cache_status = Some(text.and_then(|t| LlmCache::from_json(&t).map_err(|e| e.to_string())).map(|c| {
                    let total = c.len();
                    let added = self.cache.merge(c);
                    let saved = super::llm::save_cache(&self.cache).err().map(|e| format!(" ({e})")).unwrap_or_default();
                    format!("imported {added} new answers ({total} in the file); the cache now holds {}{saved}", self.cache.len())
                }));
            }
            Msg::ExportResults(kind) => {
                if let Some(r) = &self.results {
                    let done = match kind {
                        "csv" => super::llm::download("ialp-results.csv", "text/csv", &r.to_csv()),
                        _ => super::llm::download(
                            "ialp-results.json",
                            "application/json",
                            &r.to_json(),
                        ),
                    };
                    if let Err(e) = done {
                        self.error = Some(e);
                    }
                }
            }
            Msg::Run => self.start(ctx),
            Msg::Stop => {
                self.running = false;
                self.run_id += 1;
                self.keep_cache();
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
        let Some(canvas) = self.canvas.cast::<HtmlCanvasElement>() else {
            return;
        };
        let results = self.results.as_ref();
        let learning = results.is_some_and(|r| {
            r.config
                .methods
                .iter()
                .any(|m| m.learning() != Learning::Fixed)
        });
        let drawn = if learning {
            // Learning curves: R_tra per evaluation, mean ± std over seeds.
            let curves: Vec<Curve> = results.map(crate::chart::curves_of).unwrap_or_default();
            let points = curves.iter().map(|c| c.points.len()).sum::<usize>();
            (
                super::canvas::draw_curves(
                    &canvas,
                    &curves,
                    "R_tra per evaluation (mean ± std over seeds)",
                ),
                points,
            )
        } else {
            // Only fixed policies: every episode of the first run's evaluation.
            let series: Vec<Series> = results
                .map(|r| {
                    r.runs
                        .iter()
                        .filter(|run| run.run == 0)
                        .map(|run| Series {
                            label: run.method.label().into(),
                            values: run.episode_returns.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let points = series.iter().map(|s| s.values.len()).sum::<usize>();
            (
                super::canvas::draw_returns(&canvas, &series, "R_tra (cumulative reward)"),
                points,
            )
        };
        if let (Err(e), _) = &drawn {
            web_sys::console::warn_1(&format!("chart: {e}").into());
        }
        let _ = canvas.set_attribute("data-points", &drawn.1.to_string());
        let _ = canvas.set_attribute("data-kind", if learning { "curves" } else { "episodes" });
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
                { self.view_results(ctx) }
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

/// A labelled text box whose committed value becomes `msg(value)`.
fn text_field(
    link: &yew::html::Scope<App>,
    id: &'static str,
    label: &str,
    value: &str,
    placeholder: String,
    msg: fn(String) -> Msg,
) -> Html {
    html! {
        <>
        <label for={id}>{label.to_string()}</label>
        <input id={id} type="text" inputmode="decimal" placeholder={placeholder} value={value.to_string()}
            onchange={link.callback(move |e: Event| msg(input_value(&e)))} />
        </>
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
                missing
                    .iter()
                    .map(|f| f.file_name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        } else {
            match self.real.files.load() {
                Ok(w) => {
                    let s = format!(
                        "loaded: {} users × {} items, {} logged ratings",
                        w.n_users(),
                        w.n_items(),
                        w.log.len()
                    );
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
        let world =
            match (config.data(), &self.real.world) {
                (DataSource::Real, Some(w)) => Ok(w.clone()),
                (DataSource::Real, None) => {
                    Err(match &self.real.status {
                        Some(Err(e)) => format!("The real Coat files could not be used: {e}"),
                        _ => format!(
                    "Choose the five real Coat files first ({}), or switch to synthetic data.",
                    CoatFile::ALL.iter().map(|f| f.file_name()).collect::<Vec<_>>().join(", ")
                ),
                    })
                }
                (DataSource::Synthetic, _) => build_world(&config, None)
                    .map(Arc::new)
                    .map_err(|e| e.to_string()),
            };
        let llm = &config.raw().llm;
        let local = ["http://localhost", "http://127.0.0.1", "http://[::1]"]
            .iter()
            .any(|p| llm.base_url().starts_with(p));
        if config.methods().contains(&Method::Ialp)
            && llm.provider.is_remote()
            && self.key.is_empty()
            && !local
        {
            self.error = Some(format!(
                "iALP asks {} for ratings: enter your API key in the LLM panel (it stays in this page), or choose the heuristic stand-in or the oracle, which need no key.",
                llm.provider.label()
            ));
            return;
        }
        match world {
            Ok(w) => {
                self.llm_in_flight = 0;
                let exp = Experiment::new(config, w).with_cache(self.cache.clone());
                self.results = Some(exp.results());
                self.sim = Some(exp);
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
        let remote = sim.config().raw().llm.provider.is_remote();
        while !sim.is_finished() && sim.halted().is_none() && now_ms() - t0 < CHUNK_MS {
            if remote && sim.waiting_for_llm() {
                break;
            }
            sim.advance(256);
        }
        // Prompts the provider must answer: sent from here, at most max_concurrent at once.
        let waiting = remote && sim.waiting_for_llm();
        if waiting {
            let llm = sim.config().raw().llm.clone();
            let room = llm.max_concurrent.saturating_sub(self.llm_in_flight);
            for ticket in sim.take_llm_requests(room) {
                self.llm_in_flight += 1;
                let (llm, key, id) = (llm.clone(), self.key.clone(), self.run_id);
                ctx.link().send_future(async move {
                    let outcome = super::llm::ask(llm, key, ticket.request.prompt.clone()).await;
                    Msg::LlmAnswer(id, ticket, outcome)
                });
            }
        }
        self.results = Some(sim.results());
        self.elapsed_ms = now_ms() - self.started_ms;
        if sim.is_finished() || sim.halted().is_some() {
            self.running = false;
            self.keep_cache();
        } else {
            let id = self.run_id;
            ctx.link().send_future(async move {
                // While answers are on their way, look again a little later.
                TimeoutFuture::new(if waiting { 50 } else { 0 }).await;
                Msg::Chunk(id)
            });
        }
    }

    /// The run's answers plus the ones kept from before.
    fn current_cache(&self) -> LlmCache {
        let mut c = self.cache.clone();
        if let Some(sim) = &self.sim {
            c.merge(sim.cache().clone());
        }
        c
    }

    /// Keeps the run's answers for the next run and in localStorage.
    fn keep_cache(&mut self) {
        let c = self.current_cache();
        if c.len() != self.cache.len() {
            self.cache = c;
            if let Err(e) = super::llm::save_cache(&self.cache) {
                self.cache_status = Some(Err(e));
            }
        }
    }

    fn view_llm_settings(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let f = &self.form;
        let p = f.llm_provider;
        html! {
            <fieldset id="llm-settings">
                <legend>{"iALP · who plays the user"}</legend>
                <label for="llm-provider">{"Ratings from"}</label>
                <select id="llm-provider" onchange={link.callback(|e: Event| Msg::LlmProvider(select_value(&e)))}>
                    { for Provider::ALL.iter().map(|q| html!{ <option value={q.id()} selected={*q == p}>{q.label()}</option> }) }
                </select>
                if p == Provider::Oracle {
                    <p class="hint warn">{"The oracle peeks at the ground truth and adds noise: a teaching tool for “how much does the LLM's quality matter?”, not a method."}</p>
                    { text_field(link, "llm-noise", "Oracle noise σ (rating points)", &f.llm_oracle_noise, String::new(), Msg::LlmNoise) }
                } else if p == Provider::Heuristic {
                    <p class="hint">{"Reads only the prompt's text: scores candidates by attributes shared with what the user liked, plus noise. No key, no network."}</p>
                }
                if p.is_remote() {
                    { text_field(link, "llm-base-url", "Base URL", &f.llm_base_url, p.default_base_url().to_string(), Msg::LlmBaseUrl) }
                    if p == Provider::OpenAi {
                        <p class="hint">{"Also OpenRouter (https://openrouter.ai/api/v1), Groq (https://api.groq.com/openai/v1), Ollama (http://localhost:11434/v1, started with OLLAMA_ORIGINS=*) or LM Studio (http://localhost:1234/v1)."}</p>
                    }
                    { text_field(link, "llm-model", "Model", &f.llm_model, p.default_model().to_string(), Msg::LlmModel) }
                    <label for="llm-key">{"API key"}</label>
                    <input id="llm-key" type="password" autocomplete="off" spellcheck="false" value={self.key.clone()}
                        placeholder="kept in this page only"
                        onchange={link.callback(|e: Event| Msg::Key(input_value(&e)))} />
                    <label class="check" for="llm-remember">
                        <input id="llm-remember" type="checkbox" checked={self.remember_key}
                            onchange={link.callback(|e: Event| Msg::RememberKey(e.target_unchecked_into::<HtmlInputElement>().checked()))} />
                        {"Remember on this device"}
                    </label>
                    if self.remember_key {
                        <p class="hint warn">{"Stored unencrypted in this browser's localStorage: anyone using this browser profile can read it."}</p>
                    }
                    <button id="llm-forget" onclick={link.callback(|_| Msg::ForgetKey)} disabled={self.key.is_empty() && !self.remember_key}>{"Forget key"}</button>
                    <p class="hint">{"The key is sent only to the provider above, never in the URL, results, exports, the cache or logs."}</p>
                    { text_field(link, "llm-max-calls", "Most requests per distillation", &f.llm_max_calls, String::new(), Msg::LlmMaxCalls) }
                    { text_field(link, "llm-concurrent", "Requests at once", &f.llm_max_concurrent, String::new(), Msg::LlmConcurrent) }
                    { text_field(link, "llm-timeout", "Timeout per request (s)", &f.llm_timeout_secs, String::new(), Msg::LlmTimeout) }
                }
                { text_field(link, "ialp-states", "States to rate", &f.ialp_states, String::new(), Msg::IalpStates) }
                { text_field(link, "llm-cases", "States per request", &f.llm_cases_per_request, String::new(), Msg::LlmCasesPerRequest) }
                { text_field(link, "ialp-lambda", "λ: weight of R_φ in the reward (0 = Offline A2C)", &f.ialp_lambda, String::new(), Msg::IalpLambda) }
                <details id="llm-template-box">
                    <summary>{"Prompt template"}</summary>
                    <p class="hint">{"Placeholders: {domain}, {n_cases}, {cases} (required: the users, their recent ratings and the candidates with ids)."}</p>
                    <textarea id="llm-template" rows="9" aria-label="Prompt template" value={f.llm_template.clone()}
                        onchange={link.callback(|e: Event| Msg::LlmTemplate(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()))} />
                    <button onclick={link.callback(|_| Msg::LlmTemplateReset)}>{"Reset template"}</button>
                </details>
                <div class="buttons">
                    <span id="llm-cache-status" class="hint">{format!("Answer cache: {} answers, kept in this browser", self.current_cache().len())}</span>
                    <button id="llm-cache-export" onclick={link.callback(|_| Msg::CacheExport)}>{"Export cache"}</button>
                    <label for="llm-cache-import" class="button-like">{"Import cache"}</label>
                    <input id="llm-cache-import" type="file" accept=".json,application/json" class="visually-hidden"
                        onchange={link.callback(|e: Event| {
                            let input: HtmlInputElement = e.target_unchecked_into();
                            let out = input.files().and_then(|l| l.get(0)).into_iter().collect();
                            Msg::CacheImport(out)
                        })} />
                </div>
                { match &self.cache_status {
                    Some(Ok(s)) => html!{ <p id="llm-cache-message" class="ok">{s}</p> },
                    Some(Err(e)) => html!{ <p id="llm-cache-message" class="bad" role="alert">{e}</p> },
                    None => html!{},
                } }
            </fieldset>
        }
    }

    fn view_llm(&self) -> Html {
        let Some(sim) = &self.sim else {
            return html! {};
        };
        if !sim.config().methods().contains(&Method::Ialp) {
            return html! {};
        }
        let results = self.results.as_ref();
        let stats = sim.llm_stats().unwrap_or_default();
        let source = sim.config().raw().llm.describe();
        html! {
            <section id="llm-panel" aria-label="LLM distillation">
                <h2>{"LLM distillation"}</h2>
                <p class="hint">{format!("Ratings from: {source}")}</p>
                <dl id="llm-stats" class="counters">
                    <div><dt>{"requests"}</dt><dd data-k="requests">{stats.requests}</dd></div>
                    <div><dt>{"calls"}</dt><dd data-k="calls">{stats.calls}</dd></div>
                    <div><dt>{"retries"}</dt><dd data-k="retries">{stats.retries}</dd></div>
                    <div><dt>{"from cache"}</dt><dd data-k="cache_hits">{stats.cache_hits}</dd></div>
                    <div><dt>{"failed"}</dt><dd data-k="failures">{stats.failures}</dd></div>
                    <div><dt>{"unparsable"}</dt><dd data-k="unparsable">{stats.unparsable}</dd></div>
                    <div><dt>{"ratings kept"}</dt><dd data-k="labels">{stats.labels}</dd></div>
                    <div><dt>{"dropped"}</dt><dd data-k="dropped" title={format!("{:?}", stats.dropped)}>{stats.dropped.total()}</dd></div>
                    <div><dt>{"tokens"}</dt><dd data-k="tokens">{stats.prompt_tokens + stats.completion_tokens}</dd></div>
                </dl>
                if let Some(r) = results.filter(|r| !r.distillations.is_empty()) {
                    <table id="llm-agreement">
                        <caption>{"Agreement with the ground truth on held-out states (Spearman ρ / NDCG@5, per seed)"}</caption>
                        <thead><tr><th scope="col">{"Seed"}</th><th scope="col">{"States"}</th><th scope="col">{"LLM labels"}</th><th scope="col">{"R_φ (learnt)"}</th><th scope="col">{"R̂ (user model)"}</th><th scope="col">{"Calls"}</th></tr></thead>
                        <tbody>
                        { for r.distillations.iter().map(|d| {
                            let a = &d.agreement;
                            let f = |x: &crate::ialp::Agreement| format!("{:.2} / {:.2}", x.spearman, x.ndcg5);
                            html!{ <tr><th scope="row">{d.seed}</th><td>{a.llm.states}</td><td class="agree-llm">{f(&a.llm)}</td><td class="agree-rphi">{f(&a.reward_model)}</td><td>{f(&a.user_model)}</td><td>{d.stats.calls}</td></tr> }
                        }) }
                        </tbody>
                    </table>
                }
            </section>
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
                <label for="preset-load">{"Start from a preset"}</label>
                <select id="preset-load" onchange={link.callback(|e: Event| Msg::LoadPreset(select_value(&e)))}>
                    <option value="" selected=true>{"— your own settings —"}</option>
                    { for crate::experiment::presets::PRESETS.iter().map(|p| html!{ <option value={p.name}>{p.title}</option> }) }
                </select>
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

                { text_field(link, "seed", "Seed", &f.seed, String::new(), Msg::Seed) }

                <label for="mode">{"Evaluation mode"}</label>
                <select id="mode" onchange={link.callback(|e: Event| Msg::Mode(select_value(&e)))}>
                    { for Mode::ALL.iter().map(|m| html!{ <option value={m.id()} selected={*m == f.mode}>{m.label()}</option> }) }
                </select>

                <fieldset>
                    <legend>{"Budget"}</legend>
                    { text_field(link, "seeds", "Seeds (runs per method)", &f.seeds, String::new(), Msg::Seeds) }
                    { text_field(link, "eval-episodes", "Episodes per evaluation", &f.eval_episodes, String::new(), Msg::EvalEpisodes) }
                    { text_field(link, "offline-episodes", "Offline training episodes (user model)", &f.offline_episodes, String::new(), Msg::OfflineEpisodes) }
                    { text_field(link, "online-episodes", "Online training episodes (ground truth)", &f.online_episodes, String::new(), Msg::OnlineEpisodes) }
                    { text_field(link, "eval-every", "Evaluate every … training episodes", &f.eval_every, String::new(), Msg::EvalEvery) }
                </fieldset>

                <fieldset>
                    <legend>{"Quit rule"}</legend>
                    { text_field(link, "leave-n", "Window N", &f.leave_n, default_n.to_string(), Msg::LeaveN) }
                    { text_field(link, "leave-tau", { if f.preset == Preset::KuaiRec { "Threshold τ (tag count)" } else { "Threshold τ (item distance)" } }, &f.leave_tau, default_tau, Msg::LeaveTau) }
                    <label for="window">{"Window"}</label>
                    <select id="window" onchange={link.callback(|e: Event| Msg::Window(select_value(&e)))}>
                        <option value="intended" selected={f.window == Window::Intended}>{"last min(N, t) items (intended)"}</option>
                        <option value="peer_compatible" selected={f.window == Window::PeerCompatible}>{"peer-compatible (DORL/EasyRL4Rec slice)"}</option>
                    </select>
                </fieldset>

                <fieldset>
                    <legend>{"Methods"}</legend>
                    { for Method::ALL.iter().map(|p| {
                        let p = *p;
                        let id = format!("method-{}", p.id());
                        html!{
                            <label class="check" for={id.clone()}>
                                <input id={id} type="checkbox" checked={f.methods.contains(&p)}
                                    onchange={link.callback(move |e: Event| Msg::Method(p, e.target_unchecked_into::<HtmlInputElement>().checked()))} />
                                {p.label()}
                            </label>
                        }
                    }) }
                </fieldset>

                { self.view_llm_settings(ctx) }

                <fieldset>
                    <legend>{"A2C"}</legend>
                    { text_field(link, "a2c-lr", "Learning rate (Adam)", &f.a2c_learning_rate, String::new(), Msg::A2cLearningRate) }
                    { text_field(link, "a2c-entropy", "Entropy bonus weight", &f.a2c_entropy_weight, String::new(), Msg::A2cEntropy) }
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

    fn view_results(&self, ctx: &Context<Self>) -> Html {
        let (progress, status) = match &self.sim {
            None => (0.0, "Choose settings and press Run.".to_string()),
            Some(sim) => {
                let p = sim.progress();
                let state = if sim.halted().is_some() {
                    "stopped (see the message)"
                } else if self.running && sim.waiting_for_llm() {
                    "waiting for the LLM"
                } else if self.running {
                    "running"
                } else if sim.is_finished() {
                    "finished"
                } else {
                    "stopped"
                };
                let now = match sim.current() {
                    Some((m, run)) if self.running => {
                        format!(" · {} (seed {})", m.label(), sim.config().run_seed(run))
                    }
                    _ => String::new(),
                };
                (
                    p.fraction(),
                    format!(
                        "{state}: {} / {} episodes{now} · {:.1} s",
                        p.done,
                        p.total,
                        self.elapsed_ms / 1000.0
                    ),
                )
            }
        };
        html! {
            <section class="results" aria-label="Results">
                <div class="progress-row">
                    <progress id="progress" max="1" value={progress.to_string()} aria-label="progress"></progress>
                    <span id="status" aria-live="polite" data-run={self.run_id.to_string()}>{status}</span>
                </div>
                <canvas id="chart" ref={self.canvas.clone()} role="img"
                    aria-label="R_tra per episode for each policy, with a running mean"></canvas>
                if let Some(why) = self.sim.as_ref().and_then(|s| s.halted()) {
                    <p id="halted" class="bad" role="alert">{format!("{why} Everything finished before this point is kept below.")}</p>
                }
                { self.view_table(ctx) }
                { self.view_llm() }
                <details id="provenance" class="explain">
                    <summary>{"Paper or reconstruction? Where every part and constant comes from"}</summary>
                    <p class="hint">{"Only the paper's abstract is public. Everything else follows METHOD.md (after DORL and EasyRL4Rec, the public code the paper builds on) or is our own choice, with the constants below."}</p>
                    <table>
                        <thead><tr><th scope="col">{"Component"}</th><th scope="col">{"Source"}</th><th scope="col">{"Constants, and where they came from"}</th></tr></thead>
                        <tbody>
                        { for crate::experiment::provenance::PROVENANCE.iter().map(|(c, src, k)| html!{
                            <tr data-source={src.id()}><td class="left">{*c}</td><td class="left">{src.label()}</td><td class="left">{*k}</td></tr>
                        }) }
                        </tbody>
                    </table>
                </details>
                <section class="explain">
                    <h2>{"What you are looking at"}</h2>
                    <p>{"Each episode, a simulated user arrives and the policy recommends one item per step. The user's reward for an item comes from the environment's ground-truth matrix R[u, i] (a rating, or a watch ratio for KuaiRec). A user who is shown an item too similar to one of the last N items (item distance below τ, or a tag seen more than τ times) loses patience and leaves; the episode also ends after 30 steps (NX_10: after exactly 10)."}</p>
                    <p>{"R_tra is the reward collected over a whole episode, R_each the reward per step, Length the number of steps. A policy that only chases the highest ratings bores users, who leave early; a good one balances relevance and variety."}</p>
                    <p>{"Learning methods are evaluated on the ground truth before training and every few hundred training episodes: the chart shows R_tra per evaluation with a band of ± one standard deviation over seeds; methods that do not learn are dashed lines. Online A2C learns on the real users (the ground truth) and is the reference; Offline A2C only ever sees the user model fitted to the biased log, and how far it falls short is the distribution shift iALP and A-iALP address. iALP pre-trains the same A2C in the same user-model world, but its reward mixes in R_φ, learnt from ratings an LLM (or a stand-in) gave while playing the users: the LLM panel counts the calls and shows how well those ratings, and R_φ, agree with the truth. A-iALP deploys iALP's policy on the real users and keeps learning: A-iALP_ft by plain fine-tuning, A-iALP_ap with a frozen anchor (iALP's policy), a detector that rolls back when users fare worse than under the anchor (▼ on the curve), and exploration among the items R_φ prefers. The table's last columns say how users fared while a method learned online: the first 100 episodes (a safe start) and the total reward."}</p>
                </section>
            </section>
        }
    }

    /// The exact config and, once complete, the results' fingerprint: `ialp run` on the
    /// same config prints the same digest.
    fn view_reproduce(&self, results: &Results) -> Html {
        let config = serde_json::to_string_pretty(&results.config).unwrap_or_default();
        html! {
            <details id="reproduce">
                <summary>{"Reproduce this run"}</summary>
                <p class="hint">{"Save this config as config.json and run "}<code>{"ialp run config.json --json"}</code>
                    {" (add --real-dir DIR for real data): it prints the same digest."}</p>
                if results.complete {
                    <p class="hint">{"Results digest: "}<code id="digest">{results.digest()}</code></p>
                }
                <pre id="config-json">{config}</pre>
            </details>
        }
    }

    fn view_table(&self, ctx: &Context<Self>) -> Html {
        let (Some(sim), Some(results)) = (&self.sim, &self.results) else {
            return html! {};
        };
        let world = sim.world();
        let um = results.user_models.first().map(|r| {
            format!(
                "User model (seed {}): RMSE {:.3} on the log{}, {:.3} on the whole ground truth.",
                sim.config().run_seed(0),
                r.train_rmse,
                r.held_out_rmse
                    .map(|h| format!(", {h:.3} on held-out random ratings"))
                    .unwrap_or_default(),
                r.truth_rmse
            )
        });
        let online = results
            .config
            .methods
            .iter()
            .any(|m| m.learning().is_online());
        let repairs: Vec<String> = results
            .runs
            .iter()
            .flat_map(|r| r.repairs.iter().map(move |x| (r, x)))
            .map(|(r, x)| format!(
                "{} seed {}: repaired after online episode {}: the last episodes' mean return {:.2} fell below the anchor's {:.2} by more than {:.0} %; rolled back to iALP's policy, KL weight now {:.2}.",
                r.method.label(), r.seed, x.online_episode, x.moving_average, x.anchor_return, 100.0 * results.config.adapt.margin, x.kl_weight
            ))
            .collect();
        html! {
            <>
            <table id="results">
                <caption>{format!(
                    "{} · {} · {} users × {} items · {} episodes per evaluation · mean ± std over seeds of each run's last evaluation",
                    world.preset.label(),
                    sim.config().settings.mode.label(),
                    world.n_users(),
                    world.n_items(),
                    sim.config().eval_episodes()
                )}</caption>
                <thead><tr><th scope="col">{"Method"}</th><th scope="col">{"Seeds"}</th><th scope="col">{"R_tra"}</th><th scope="col">{"R_each"}</th><th scope="col">{"Length"}</th><th scope="col">{"Coverage"}</th><th scope="col">{"MCD"}</th>
                    if online { <th scope="col" title="Mean R_tra of the first 100 online episodes: how safe the start is">{"First 100 online"}</th><th scope="col" title="Reward users received over all online episodes">{"Users' total reward"}</th> }
                </tr></thead>
                <tbody>
                { for results.config.methods.iter().map(|m| match results.summary.iter().find(|s| s.method == *m) {
                    Some(s) => html!{
                        <tr data-method={m.id()}>
                            <th scope="row">{method_label(*m, results)}</th>
                            <td class="seeds">{s.seeds}</td>
                            <td class="r-tra" title={seeds_of(results, *m)}><a href="#reproduce">{s.r_tra.to_string()}</a></td>
                            <td class="r-each">{s.r_each.to_string()}</td>
                            <td class="length">{s.length.to_string()}</td>
                            <td>{format!("{:.3}", s.coverage.mean)}</td>
                            <td>{format!("{:.3}", s.mcd.mean)}</td>
                            if online {
                                <td class="first-k">{s.first_k.map(|x| x.to_string()).unwrap_or_else(|| "–".into())}</td>
                                <td class="online-total">{s.online_total.map(|x| format!("{:.0} ± {:.0}", x.mean, x.std)).unwrap_or_else(|| "–".into())}</td>
                            }
                        </tr>
                    },
                    None => html!{
                        <tr data-method={m.id()} class="pending"><th scope="row">{m.label()}</th><td class="seeds">{"0"}</td><td colspan={if online { "7" } else { "5" }}>{"not finished yet"}</td></tr>
                    },
                }) }
                </tbody>
            </table>
            if let Some(um) = um { <p id="user-model" class="hint">{um}</p> }
            if !repairs.is_empty() {
                <details id="repairs" open=true>
                    <summary>{format!("A-iALP_ap repaired its policy {} time(s) (▼ on the curve)", repairs.len())}</summary>
                    <ul>{ for repairs.iter().map(|r| html!{ <li>{r}</li> }) }</ul>
                </details>
            }
            <div class="buttons">
                <button id="export-json" onclick={ctx.link().callback(|_| Msg::ExportResults("json"))}>{"Download results.json"}</button>
                <button id="export-csv" onclick={ctx.link().callback(|_| Msg::ExportResults("csv"))}>{"Download results.csv"}</button>
            </div>
            { self.view_reproduce(results) }
            </>
        }
    }
}

/// A method's name in tables; iALP says who rated (the oracle says it peeks).
fn method_label(m: Method, results: &Results) -> String {
    match (m, results.config.llm.provider) {
        (Method::Ialp, Provider::Oracle) => format!(
            "iALP (oracle σ = {}: peeks at the truth)",
            results.config.llm.oracle_noise
        ),
        (Method::Ialp, Provider::Heuristic) => "iALP (heuristic stand-in)".into(),
        (Method::Ialp, p) => format!("iALP ({})", p.id()),
        (m, _) => m.label().into(),
    }
}

/// How a table row was made: each seed's final R_tra, and where the config is.
fn seeds_of(results: &Results, m: Method) -> String {
    let per: Vec<String> = results
        .runs
        .iter()
        .filter(|r| r.method == m && r.finished)
        .filter_map(|r| {
            r.last
                .as_ref()
                .map(|l| format!("seed {}: {:.2}", r.seed, l.r_tra.mean))
        })
        .collect();
    format!(
        "{} — mean ± sample std over these seeds; the exact config is under “Reproduce this run”",
        per.join(", ")
    )
}

//! The page: settings on the left, the live chart and the results table on the right.
//! Training runs in a worker (`trainer.rs`); the page sends it Start, Pause, Step, Stop
//! and Speed, and draws the snapshots it streams back, so the page never freezes.
//!
//! One file per panel, each with its own message type (a `Msg` variant wraps it), its
//! handler and its view: settings, all_settings, llm_panel, consent, run_bar, chart,
//! results, policies, inspector, links; widgets and explain hold what they share.
//!
//! A panel that only shows what it is given is a component with `Properties`: the run
//! bar (`RunBar`), the results table (`ResultsTable`), the LLM settings and the
//! distillation panel (`LlmSettings`, `Distillation`), All settings (`AllSettings`) and
//! "Embed this" (`Embed`). It gets `Rc` data and small values, and speaks through
//! `Callback`s; state only it reads (open or closed, what it last refused, the embed's
//! options) is its own. What several panels read stays in the one `App` below, its
//! fields grouped by the panel that writes them.
//!
//! Every box, select and checkbox of the config is a row of `experiment/form.rs`; its
//! one message is `SettingsMsg::Edit(SettingId, text)`.

use std::rc::Rc;
use std::sync::Arc;

use web_sys::{HtmlCanvasElement, HtmlInputElement};
use yew::prelude::*;

use crate::chart::{Curve, Series};
use crate::env::real::coat::{CoatFile, CoatFiles};
use crate::env::{synthetic, Mode, Preset, Window, World};
use crate::experiment::form::{ConfigForm, SettingId};
use crate::experiment::embed::Layout;
use crate::experiment::share;
use crate::experiment::{build_world, DataSource, ExperimentConfig, Results, ValidConfig};
use crate::ialp::Estimate;
use crate::llm::key::{is_loopback, KeyRing};
use crate::llm::prompt::DEFAULT_TEMPLATE;
use crate::llm::{ApiKey, KeyBinding, LlmCache, LlmConfig, Provider};
use crate::methods::{Learning, Method};
use crate::web::protocol::{FromTrainer, RunState, Speed, StartRun, ToTrainer, Update};
use crate::web::worker::TrainerHandle;

mod all_settings;
mod chart;
mod consent;
mod data_panel;
mod explain;
mod inspector;
mod links;
mod llm_panel;
mod policies;
mod results;
mod run_bar;
mod saved_run;
mod settings;
mod widgets;

use all_settings::AllSettings;
use chart::ChartMsg;
use consent::{Consent, ConsentMsg};
use data_panel::{DataMsg, LoadedData};
use explain::Explanations;
use inspector::{Inspector, InspectorMsg};
use links::{location, page_address, set_fragment, LinkMsg};
use llm_panel::LlmMsg;
use policies::PolicyMsg;
use results::ResultsMsg;
use run_bar::{Control, RunMsg};
use saved_run::{Saved, SavedMsg};
use settings::{RealData, SettingsMsg};
use widgets::{choice_box, chosen_file, input_value, read_first_file, select_value, setting_box, status_line};

/// The page's messages: one variant per panel, each wrapping that panel's own type.
macro_rules! panel_messages {
    ($($(#[$doc:meta])* $variant:ident($panel:ty),)*) => {
        pub enum Msg {
            $($(#[$doc])* $variant($panel),)*
        }
        $(impl From<$panel> for Msg {
            fn from(m: $panel) -> Self {
                Msg::$variant(m)
            }
        })*
    };
}

panel_messages! {
    Settings(SettingsMsg),
    /// Real data sets: loading in the worker, Coat by URL.
    Data(DataMsg),
    Llm(LlmMsg),
    /// The estimate panel before a remote run.
    Consent(ConsentMsg),
    /// The run bar, and what the worker streams back.
    Run(RunMsg),
    /// The run kept for a resume after a reload or a crash.
    Saved(SavedMsg),
    Chart(ChartMsg),
    Results(ResultsMsg),
    Policy(PolicyMsg),
    Inspector(InspectorMsg),
    Link(LinkMsg),
}

/// The page's state. Each panel's handler changes its own group of fields; the run's
/// snapshot (`run`, `results`) is read by every panel and written only by the run bar.
pub struct App {
    // Settings (settings.rs).
    /// Shared with the panels that show it; changed through `form_mut`.
    form: Rc<ConfigForm>,
    real: RealData,
    /// The MovieLens / KuaiRec data set the worker holds (data_panel.rs).
    data: LoadedData,

    // The run (run_bar.rs).
    /// The training worker (`None` if it could not start: the error says why).
    trainer: Option<TrainerHandle>,
    /// The latest snapshot of the current run.
    run: Option<Update>,
    /// The latest results (the snapshot's, kept when a run fails to start), shared with
    /// the panels that show them.
    results: Option<Rc<Results>>,
    /// Identifies the current run, so snapshots of an abandoned run are ignored.
    run_id: u64,
    /// The page's one error line, under the run bar: any panel may set it.
    error: Option<String>,
    speed: Speed,
    link: yew::html::Scope<App>,
    /// The run kept in IndexedDB for a resume (saved_run.rs).
    saved: Saved,

    // The LLM: keys and answers (llm_panel.rs); a remote run waiting for the user's
    // Start (consent.rs).
    /// The API keys, each bound to a provider and origin: in memory only, unless the
    /// user asked to remember them.
    keys: KeyRing,
    remember_key: bool,
    consent: Option<Consent>,
    /// LLM answers kept between runs (and in localStorage).
    cache: LlmCache,
    /// What happened to the last cache import or save.
    cache_status: Option<Result<String, String>>,
    /// The stored cache could not be read (it was kept aside): what the page says.
    cache_problem: Option<String>,
    /// Whether the kept answers have been read (a run waits for them: `pending_start`).
    cache_loaded: bool,
    pending_start: Option<bool>,
    _storage_listener: Option<gloo::events::EventListener>,

    // Links (links.rs).
    /// Problems with the link's fragment (bad values use defaults); the query string's
    /// are in `layout.problems`.
    link_problems: Vec<String>,
    layout: Layout,
    /// The link to this config, shown for copying.
    share_url: Option<String>,
    share_status: Option<Result<String, String>>,
    /// Kept so the listener lives as long as the page.
    _hash_listener: Option<gloo::events::EventListener>,

    // The chart (chart.rs).
    canvas: NodeRef,
    agreement_canvas: NodeRef,
    /// What each canvas last drew (a hash of its data and size): most snapshots change
    /// no curve, and redrawing is the main thread's biggest cost during a run.
    drawn: [u64; 2],
    /// An imported results file laid over the chart: (file name, results).
    overlay: Option<(String, Results)>,
    overlay_status: Option<Result<String, String>>,

    // The inspector (inspector.rs).
    inspector: Inspector,

    // Policies (policies.rs).
    /// A policy file loaded for method `imported`: (file name, the policy, its JSON).
    imported: Option<(String, crate::experiment::PolicyFile, String)>,
    policy_status: Option<Result<String, String>>,
    /// Which trained policy "Download policy" exports: (method, run index).
    policy_pick: Option<(Method, usize)>,
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let remembered = crate::web::llm::remembered_keys();
        let link = ctx.link().clone();
        let failed = ctx.link().clone();
        let (trainer, error) = match TrainerHandle::spawn(
            move |m| link.send_message(RunMsg::Trainer(m)),
            move |e| failed.send_message(RunMsg::WorkerFailed(e)),
        ) {
            Ok(t) => (Some(t), None),
            Err(e) => (None, Some(e)),
        };
        let query = location().and_then(|l| l.search().ok()).unwrap_or_default();
        let layout = Layout::from_query(&query);
        let hash_link = ctx.link().clone();
        let hash_listener = web_sys::window().map(|w| {
            gloo::events::EventListener::new(&w, "hashchange", move |_| {
                hash_link.send_message(LinkMsg::HashChanged)
            })
        });
        let storage_link = ctx.link().clone();
        let storage_listener = web_sys::window().map(|w| {
            gloo::events::EventListener::new(&w, "storage", move |e| {
                use wasm_bindgen::JsCast;
                let key = e.dyn_ref::<web_sys::StorageEvent>().and_then(|e| e.key());
                if key.as_deref() == Some(crate::web::llm::CACHE_TOUCHED) {
                    storage_link.send_message(LlmMsg::StoredCacheChanged)
                }
            })
        });
        ctx.link().send_future(async {
            let (cache, problem) = crate::web::llm::load_cache().await;
            LlmMsg::CacheLoaded(cache, problem)
        });
        let mut app = Self {
            form: Rc::default(),
            real: RealData::default(),
            data: LoadedData::restored(),
            trainer,
            run: None,
            results: None,
            run_id: 0,
            error,
            speed: Speed::default(),
            link_problems: Vec::new(),
            layout,
            share_url: None,
            share_status: None,
            overlay: None,
            overlay_status: None,
            inspector: Inspector::default(),
            imported: None,
            policy_status: None,
            policy_pick: None,
            _hash_listener: hash_listener,
            link: ctx.link().clone(),
            canvas: NodeRef::default(),
            agreement_canvas: NodeRef::default(),
            drawn: [0; 2],
            remember_key: remembered.is_some(),
            keys: remembered.unwrap_or_else(KeyRing::new),
            consent: None,
            cache: LlmCache::new(),
            cache_status: None,
            cache_problem: None,
            cache_loaded: false,
            pending_start: None,
            _storage_listener: storage_listener,
            saved: Saved::default(),
        };
        app.look_for_saved_run();
        app.read_link();
        if app.layout.autorun {
            ctx.link().send_message(RunMsg::Control(Control::Run));
        }
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Settings(m) => self.on_settings(ctx, m),
            Msg::Data(m) => self.on_data(ctx, m),
            Msg::Llm(m) => self.on_llm(ctx, m),
            Msg::Consent(m) => self.on_consent(ctx, m),
            Msg::Run(m) => self.on_run(ctx, m),
            Msg::Saved(m) => self.on_saved(ctx, m),
            Msg::Chart(m) => self.on_chart(ctx, m),
            Msg::Results(m) => self.on_results(ctx, m),
            Msg::Policy(m) => self.on_policy(ctx, m),
            Msg::Inspector(m) => self.on_inspector(ctx, m),
            Msg::Link(m) => self.on_link(ctx, m),
        }
    }

    fn rendered(&mut self, _ctx: &Context<Self>, first: bool) {
        if first {
            // Draw every kind of chart once, off screen, while the page is idle: the
            // browser compiles the drawing code now instead of in the middle of the first
            // run (that first draw was the one task near 50 ms, BENCHMARKS.md).
            gloo::timers::callback::Timeout::new(0, crate::web::canvas::warm_up).forget();
        }
        self.draw_charts();
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let shows = |p: &str| self.layout.shows(p);
        html! {
            <>
            if shows("header") {
            <header class="top">
                <h1>{"iALP Playground"}</h1>
                <p class="tagline">{"Recommendation as a game of patience: a policy recommends, a simulated user rates and may leave. "}
                    <span class="badge" title="The paper's body and code are not public: see the footer">{"a reconstruction"}</span></p>
            </header>
            }
            <main class={classes!("layout", self.layout.embed.then_some("embed"), (!shows("settings")).then_some("no-settings"))}>
                if shows("settings") { { self.view_controls(ctx) } }
                { self.view_results(ctx) }
            </main>
            if shows("explain") {
            <footer class="foot">
                <p>{"Method: "}<em>{"Large Language Model driven Policy Exploration for Recommender Systems"}</em>
                   {" (Wang, Karatzoglou, Arapakis, Jose; WSDM 2025; arXiv 2501.13816). Only the abstract is public; this playground is our reconstruction of it. "}
                   {"The environments follow the conventions of DORL (SIGIR'23) and EasyRL4Rec (SIGIR'24): quit rules, max_turn = 30, FB / NX_0 / NX_10 modes. "}
                   {"Real Coat data: Schnabel et al., ICML 2016."}</p>
            </footer>
            }
            </>
        }
    }
}

impl App {
    /// The form, to change it (copied first if a panel still shows the old one).
    pub(super) fn form_mut(&mut self) -> &mut ConfigForm {
        Rc::make_mut(&mut self.form)
    }

    /// The form now shows `c`.
    pub(super) fn show_config(&mut self, c: &ExperimentConfig) {
        self.form = Rc::new(ConfigForm::from_config(c));
    }

    pub(super) fn view_results(&self, ctx: &Context<Self>) -> Html {
        let shows = |p: &str| self.layout.shows(p);
        html! {
            <section class="results" aria-label="Results">
                { self.view_consent(ctx) }
                { self.view_saved(ctx) }
                if !self.link_problems.is_empty() || !self.layout.problems.is_empty() {
                    <div id="link-problems" class="bad" role="alert">
                        <p>{"Some values in this link could not be used; their defaults are used instead:"}</p>
                        <ul>{ for self.layout.problems.iter().chain(&self.link_problems).map(|p| html!{ <li>{p}</li> }) }</ul>
                    </div>
                }
                if shows("bar") { { self.view_bar(ctx) } }
                <canvas id="chart" ref={self.canvas.clone()} role="img" hidden={!shows("chart")}
                    aria-label="R_tra per episode for each policy, with a running mean"></canvas>
                if shows("chart") { { self.view_chart_tools(ctx) } }
                if let Some(why) = self.results.as_ref().and_then(|r| r.halted.as_ref()) {
                    <p id="halted" class="bad" role="alert">{format!("{why} Everything finished before this point is kept below.")}</p>
                }
                if shows("table") { { self.view_table(ctx) } }
                if shows("inspector") { { self.view_inspector(ctx) } }
                if shows("llm") { { self.view_llm() } }
                if self.layout.embed {
                    <p class="hint embed-link"><a href={format!("{}{}", page_address().split('?').next().unwrap_or_default(), location().and_then(|l| l.hash().ok()).unwrap_or_default())} target="_blank" rel="noopener">{"Open in the full iALP Playground ↗"}</a></p>
                }
                if shows("explain") { <Explanations /> }
            </section>
        }
    }
}

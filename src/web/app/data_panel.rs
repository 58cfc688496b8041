//! Real data sets in the page: MovieLens-1M and KuaiRec 2.0 picked or dropped as their
//! archive or loose files and loaded *in the worker* (streamed there, never copied to
//! the page), with a progress bar; Coat also fetched from a URL. The worker keeps the
//! loaded data set for the session: every run cuts its world from it without parsing
//! again, and a failed load leaves the previous one in place.

use super::*;
use crate::env::real::LoadProgress;
use crate::web::protocol::DataSummary;

pub enum DataMsg {
    Picked(Vec<web_sys::File>),
    Progress(u64, LoadProgress),
    Loaded(Box<DataSummary>),
    Failed(u64, String),
    CoatUrl(String),
    FetchCoat,
    /// Adds the Coat URL's host to what the page may connect to, and reloads.
    AllowCoatHost,
}

/// What the worker holds, and the load under way.
#[derive(Default)]
pub(super) struct LoadedData {
    load_id: u64,
    /// The files of the load under way.
    pending: Vec<web_sys::File>,
    /// The last data set loaded: its files (to load again into a new worker) and summary.
    pub(super) kept: Option<(Vec<web_sys::File>, DataSummary)>,
    /// Whether the current worker holds `kept`.
    pub(super) in_worker: bool,
    progress: Option<LoadProgress>,
    status: Option<Result<String, String>>,
    coat_url: String,
    /// The Coat URL's host, when the page's security policy does not allow it yet.
    blocked: Option<String>,
}

impl LoadedData {
    /// Nothing loaded; the Coat URL typed before a reload in this tab, if any.
    pub(super) fn restored() -> Self {
        Self {
            coat_url: crate::web::csp::session_get(COAT_URL_KEY).unwrap_or_default(),
            ..Self::default()
        }
    }
}

/// Where the Coat URL is kept for this tab's session (so "Allow and reload" keeps it).
pub(super) const COAT_URL_KEY: &str = "ialp-coat-url";

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

impl App {
    pub(super) fn on_data(&mut self, ctx: &Context<App>, msg: DataMsg) -> bool {
        match msg {
            DataMsg::Picked(files) if files.is_empty() => return false,
            DataMsg::Picked(files) => {
                if self.form.preset() == Preset::Coat {
                    return self.on_settings(ctx, SettingsMsg::Files(files));
                }
                self.data.pending = files.clone();
                self.send_load(files);
            }
            DataMsg::Progress(load, p) => {
                if load != self.data.load_id {
                    return false;
                }
                self.data.progress = Some(p);
            }
            DataMsg::Loaded(s) => {
                if s.load != self.data.load_id {
                    return false;
                }
                self.data.progress = None;
                self.data.in_worker = true;
                self.data.status = Some(Ok(format!(
                    "loaded {}: {} users × {} items, {} logged ratings · digest {} · {:.1} s · {:.0} MB of worker memory",
                    s.preset.label(),
                    s.users,
                    s.items,
                    s.log,
                    s.digest,
                    s.ms / 1000.0,
                    s.memory_bytes as f64 / 1e6
                )));
                let files = std::mem::take(&mut self.data.pending);
                self.data.kept = Some((files, *s));
                self.form_mut().set_data(DataSource::Real);
            }
            DataMsg::Failed(load, message) => {
                if load != self.data.load_id {
                    return false;
                }
                self.data.progress = None;
                let before = match &self.data.kept {
                    Some((_, s)) => format!(
                        " The data loaded before ({}, {} users × {} items) is still loaded.",
                        s.preset.label(),
                        s.users,
                        s.items
                    ),
                    None => String::new(),
                };
                self.data.status = Some(Err(format!("{message}.{before}")));
            }
            DataMsg::CoatUrl(u) => {
                self.data.coat_url = u;
                return false;
            }
            DataMsg::FetchCoat => {
                let base = self.data.coat_url.trim().trim_end_matches('/').to_string();
                if base.is_empty() {
                    self.real.status = Some(Err("type the address of a folder holding the five Coat files first".into()));
                    return true;
                }
                match crate::llm::key::origin_of(&base) {
                    Err(e) => {
                        self.real.status = Some(Err(format!("{base}: {e}")));
                        return true;
                    }
                    Ok(origin) if !crate::web::csp::allows(&origin) => {
                        self.data.blocked = Some(origin.clone());
                        self.real.status = Some(Err(format!("This page connects only to hosts you allowed (its security policy); {origin} is not one of them yet. Allow it (the page reloads with your settings), then fetch again.")));
                        return true;
                    }
                    Ok(_) => self.data.blocked = None,
                }
                self.real.status = Some(Ok(format!("fetching the Coat files from {base}/ …")));
                // The address stays in this page's session, so the reload keeps it.
                crate::web::csp::session_set(COAT_URL_KEY, &base);
                ctx.link().send_future(async move {
                    let mut out = Vec::new();
                    for f in crate::env::real::coat::CoatFile::ALL {
                        let url = format!("{base}/{}", f.file_name());
                        let got = match gloo_net::http::Request::get(&url).send().await {
                            // Streamed with a byte counter: never more than the limit held.
                            Ok(r) if r.ok() => crate::web::body::read_text(&r, crate::limits::COAT_FILE_BYTES)
                                .await
                                .map_err(|e| format!("{url}: {e}")),
                            Ok(r) => Err(format!("{url}: the server answered {} {}", r.status(), r.status_text())),
                            Err(e) => Err(format!(
                                "{url} could not be fetched ({e}): is the address right, and does its server allow cross-origin requests (CORS)?"
                            )),
                        };
                        out.push((f.file_name().to_string(), got));
                    }
                    SettingsMsg::FilesRead(out)
                });
            }
            DataMsg::AllowCoatHost => {
                let Some(origin) = self.data.blocked.clone() else { return false };
                crate::web::csp::session_set(COAT_URL_KEY, self.data.coat_url.trim());
                if let Err(e) = crate::web::csp::allow_and_reload(&origin) {
                    self.real.status = Some(Err(e));
                }
            }
        }
        true
    }

    /// Sends `files` to the worker to load (a new worker first, if it had crashed).
    pub(super) fn send_load(&mut self, files: Vec<web_sys::File>) {
        if !self.ensure_trainer() {
            return;
        }
        self.data.load_id += 1;
        self.data.in_worker = false;
        self.data.status = None;
        self.data.progress = Some(LoadProgress { stage: "starting".into(), done: 0, total: 1 });
        let msg = ToTrainer::LoadData { load: self.data.load_id, preset: self.form.preset() };
        if let Some(t) = &self.trainer {
            t.send_with_files(&msg, &files);
        }
    }

    /// Before a real-data run: the worker must hold the data set (a new worker after a
    /// crash gets it again). `Err` says what to do.
    pub(super) fn ensure_data(&mut self, preset: Preset) -> Result<(), String> {
        let Some((files, s)) = &self.data.kept else {
            return Err(match &self.data.status {
                Some(Err(e)) => format!("The {} files could not be used: {e}", preset.label()),
                _ => format!(
                    "Load the {} files first ({}: {}), or switch to synthetic data.",
                    preset.label(),
                    crate::env::real::where_to_get(preset),
                    crate::env::real::expected_files(preset).join(", ")
                ),
            });
        };
        if s.preset != preset {
            return Err(format!(
                "The loaded data is {}; this run asks for {}: load its files, or switch to synthetic data.",
                s.preset.label(),
                preset.label()
            ));
        }
        if !self.data.in_worker {
            let files = files.clone();
            self.data.pending = files.clone();
            self.send_load(files);
        }
        Ok(())
    }

    pub(super) fn view_data_loader(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let preset = self.form.preset();
        let on_drop = link.callback(|e: DragEvent| {
            e.prevent_default();
            let mut out = Vec::new();
            if let Some(list) = e.data_transfer().and_then(|d| d.files()) {
                for i in 0..list.length() {
                    if let Some(f) = list.get(i) {
                        out.push(f);
                    }
                }
            }
            DataMsg::Picked(out)
        });
        let on_pick = link.callback(|e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut out = Vec::new();
            if let Some(list) = input.files() {
                for i in 0..list.length() {
                    if let Some(f) = list.get(i) {
                        out.push(f);
                    }
                }
            }
            input.set_value("");
            DataMsg::Picked(out)
        });
        let names = crate::env::real::expected_files(preset).join(", ");
        html! {
            <div id="real-drop" class="drop-zone"
                ondragover={Callback::from(|e: DragEvent| e.prevent_default())}
                ondrop={on_drop}>
                <label for="real-files">{format!("{} files: the archive, or its files", preset.label())}</label>
                <input id="real-files" type="file" multiple=true accept=".zip,.dat,.csv" onchange={on_pick} />
                <p class="hint">{format!("Drop {} here, or pick it: {} (get it from {}). It is read in the background and kept for this session; nothing is uploaded.",
                    if preset == Preset::MovieLens { "ml-1m.zip" } else { "KuaiRec.zip" }, names, crate::env::real::where_to_get(preset))}</p>
                if let Some(p) = &self.data.progress {
                    <div id="real-progress" role="status">
                        <progress max={p.total.max(1).to_string()} value={p.done.min(p.total).to_string()}></progress>
                        <span>{format!(" {}: {} of {}", p.stage, mb(p.done), mb(p.total))}</span>
                    </div>
                }
                { status_line("real-status", &self.data.status) }
                if let Some((_, s)) = self.data.kept.as_ref().filter(|(_, s)| s.preset == preset && !s.report.notes.is_empty()) {
                    <details id="real-notes"><summary>{"What the load did"}</summary>
                        <ul>{ for s.report.notes.iter().map(|n| html!{ <li>{n}</li> }) }</ul>
                    </details>
                }
            </div>
        }
    }

    pub(super) fn view_coat_url(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        html! {
            <div class="coat-url">
                <label for="coat-url">{"…or fetch them from a folder on the web (a CORS-enabled copy)"}</label>
                <input id="coat-url" type="url" placeholder="https://example.org/coat/" value={self.data.coat_url.clone()}
                    oninput={link.callback(|e: InputEvent| DataMsg::CoatUrl(e.target_unchecked_into::<HtmlInputElement>().value()))} />
                <button id="coat-fetch" type="button" onclick={link.callback(|_| DataMsg::FetchCoat)}>{"Fetch"}</button>
                if let Some(origin) = &self.data.blocked {
                    <button id="coat-allow" type="button" onclick={link.callback(|_| DataMsg::AllowCoatHost)}>{format!("Allow {origin} and reload")}</button>
                }
            </div>
        }
    }
}

//! iALP's LLM: who plays the user (provider, model, key), the distillation budget, the
//! prompt template and the answer cache; and, during a run, the distillation panel.

use super::*;

/// What the LLM panel changes besides the form's llm.* and ialp.* boxes (which are
/// `SettingsMsg::Edit`): the keys and the answer cache.
pub enum LlmMsg {
    Key(String),
    RememberKey(bool),
    ForgetKey,
    /// Another tab kept answers: read them too.
    StoredCacheChanged,
    StoredCacheRead(Result<LlmCache, String>),
    /// The answers kept in this browser, read at start (and what went wrong).
    CacheLoaded(LlmCache, Option<String>),
    /// Keeping new answers failed.
    CacheSaved(Result<(), String>),
    DownloadAsideCache,
    CacheExport,
    CacheImport(Vec<web_sys::File>),
    CacheImported(Result<String, String>),
}

impl App {
    pub(super) fn on_llm(&mut self, ctx: &Context<App>, msg: LlmMsg) -> bool {
        match msg {
            LlmMsg::Key(k) => {
                // A key typed here is for the provider and host set above, and only them.
                if let Some(target) = self.form_target() {
                    self.keys.set(target, ApiKey::new(&k));
                    if self.remember_key {
                        crate::web::llm::remember_keys(Some(&self.keys));
                    }
                }
            }
            LlmMsg::RememberKey(on) => {
                self.remember_key = on;
                crate::web::llm::remember_keys(on.then_some(&self.keys));
            }
            LlmMsg::ForgetKey => {
                self.keys = KeyRing::new();
                self.remember_key = false;
                crate::web::llm::remember_keys(None);
            }
            LlmMsg::StoredCacheChanged => {
                ctx.link().send_future(async {
                    LlmMsg::StoredCacheRead(crate::web::llm::stored_cache().await)
                });
                return false;
            }
            LlmMsg::StoredCacheRead(got) => match got {
                // Every tab writes its own answers, one record each: nothing to write back.
                Ok(stored) => {
                    self.cache.merge(stored);
                }
                Err(e) => self.cache_status = Some(Err(e)),
            },
            LlmMsg::CacheLoaded(stored, problem) => {
                // Answers that came while it loaded are kept too.
                self.cache.merge(stored);
                self.cache_problem = problem;
                self.cache_loaded = true;
                if let Some(paused) = self.pending_start.take() {
                    self.start_with(paused);
                }
            }
            LlmMsg::CacheSaved(r) => {
                if let Err(e) = r {
                    self.cache_status = Some(Err(e));
                } else {
                    return false;
                }
            }
            LlmMsg::DownloadAsideCache => match crate::web::llm::aside_cache() {
                Some((name, text)) => {
                    if let Err(e) = crate::web::llm::download(
                        &format!("{name}.json"),
                        "application/json",
                        &text,
                    ) {
                        self.cache_status = Some(Err(e));
                    }
                }
                None => {
                    self.cache_status =
                        Some(Err("no unreadable cache is kept in this browser".into()))
                }
            },
            LlmMsg::CacheExport => {
                let text = self.cache.to_json();
                if let Err(e) =
                    crate::web::llm::download("ialp-llm-cache.json", "application/json", &text)
                {
                    self.cache_status = Some(Err(e));
                }
            }
            LlmMsg::CacheImport(files) => {
                read_first_file(ctx, files, crate::limits::CACHE_FILE_BYTES, |_, text| LlmMsg::CacheImported(text));
                return false;
            }
            LlmMsg::CacheImported(text) => {
                self.cache_status = Some(text.and_then(|t| LlmCache::from_json(&t).map_err(|e| e.to_string())).map(|c| {
                    let total = c.len();
                    let news = crate::web::llm::news(&self.cache, &c);
                    let added = self.cache.merge(c);
                    self.keep_answers(ctx, news);
                    format!("imported {added} new answers ({total} in the file); the cache now holds {}", self.cache.len())
                }));
            }
        }
        true
    }

    /// Keeps `news` in this browser (in the background; a failure is said in the panel).
    pub(super) fn keep_answers(
        &self,
        ctx: &Context<App>,
        news: Vec<(String, crate::llm::cache::CachedAnswer)>,
    ) {
        if !news.is_empty() {
            ctx.link().send_future(async move {
                LlmMsg::CacheSaved(crate::web::llm::save_answers(news).await)
            });
        }
    }

    /// Where the LLM panel's settings point: the key field is for this provider and
    /// origin only.
    pub(super) fn form_target(&self) -> Option<KeyBinding> {
        form_target(&self.form)
    }

    /// The LLM settings, as the settings panel shows them.
    pub(super) fn view_llm_settings(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let target = self.form_target();
        let keys = KeyView {
            key: target.as_ref().and_then(|t| self.keys.get(t)).map(|k| k.expose().to_string()).unwrap_or_default(),
            others: target.as_ref().map(|t| self.keys.others(t).iter().map(|b| b.describe()).collect()).unwrap_or_default(),
            unbound: self.keys.unbound.is_some(),
            none: self.keys.is_empty(),
            remember: self.remember_key,
        };
        html! {
            <LlmSettings form={self.form.clone()} {keys} cache_len={self.cache.len()}
                cache_status={self.cache_status.clone()} cache_problem={self.cache_problem.clone()}
                on_edit={link.callback(|(id, s): (SettingId, String)| SettingsMsg::Edit(id, s))}
                on_llm={link.callback(|m: LlmMsg| m)} />
        }
    }

    /// During a run that asks an LLM: the distillation panel.
    pub(super) fn view_llm(&self) -> Html {
        let (Some(run), Some(results)) = (&self.run, &self.results) else {
            return html! {};
        };
        if !results.config.methods.iter().any(|m| m.spec().uses_llm) {
            return html! {};
        }
        html! {
            <Distillation results={results.clone()} stats={run.llm.unwrap_or_default()}
                canvas={self.agreement_canvas.clone()}
                on_export_chart={self.link.callback(ChartMsg::ExportChart)} />
        }
    }
}

/// Where settings `f` point the LLM: a key is for this provider and origin only.
fn form_target(f: &ConfigForm) -> Option<KeyBinding> {
    let llm = LlmConfig {
        provider: f.provider(),
        base_url: Some(f.text(SettingId::LlmBaseUrl).to_string()).filter(|u| !u.trim().is_empty()),
        ..LlmConfig::default()
    };
    KeyBinding::of(&llm)
}

/// What the settings show of the keys held (never more than the key for the form's own
/// provider and host).
#[derive(Clone, PartialEq)]
pub(super) struct KeyView {
    /// The key held for the form's provider and host (the key box shows it).
    pub key: String,
    /// The other providers and hosts keys are held for, described.
    pub others: Vec<String>,
    /// A key saved by an older page, tied to no host, is held.
    pub unbound: bool,
    /// No key is held at all.
    pub none: bool,
    /// Keys are remembered on this device.
    pub remember: bool,
}

#[derive(Properties, PartialEq)]
pub(super) struct LlmSettingsProps {
    pub form: Rc<ConfigForm>,
    pub keys: KeyView,
    pub cache_len: usize,
    pub cache_status: Option<Result<String, String>>,
    pub cache_problem: Option<String>,
    /// A box of the form changed.
    pub on_edit: Callback<(SettingId, String)>,
    /// The keys and the cache.
    pub on_llm: Callback<LlmMsg>,
}

/// "iALP · who plays the user": provider, model, key, budget, template, answer cache.
#[function_component(LlmSettings)]
pub(super) fn llm_settings(props: &LlmSettingsProps) -> Html {
    let f = &*props.form;
    let p = f.provider();
    let target = form_target(f);
    let keys = &props.keys;
    let on_edit = &props.on_edit;
    let send = |m: fn(String) -> LlmMsg| {
        let on = props.on_llm.clone();
        Callback::from(move |e: Event| on.emit(m(input_value(&e))))
    };
    let click = |m: fn() -> LlmMsg| {
        let on = props.on_llm.clone();
        Callback::from(move |_: MouseEvent| on.emit(m()))
    };
    let box_of = |id: SettingId, placeholder: String| setting_box(f, id, None, placeholder, on_edit);
    let on_remember = {
        let on = props.on_llm.clone();
        Callback::from(move |e: Event| on.emit(LlmMsg::RememberKey(e.target_unchecked_into::<HtmlInputElement>().checked())))
    };
    let on_template = {
        let on = on_edit.clone();
        Callback::from(move |e: Event| on.emit((SettingId::LlmTemplate, e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value())))
    };
    let on_template_reset = {
        let on = on_edit.clone();
        Callback::from(move |_: MouseEvent| on.emit((SettingId::LlmTemplate, DEFAULT_TEMPLATE.to_string())))
    };
    let on_import = {
        let on = props.on_llm.clone();
        Callback::from(move |e: Event| on.emit(LlmMsg::CacheImport(chosen_file(&e, false))))
    };
    html! {
        <fieldset id="llm-settings">
            <legend>{"iALP · who plays the user"}</legend>
            { choice_box(SettingId::LlmProvider, html!{ <>
                { for Provider::ALL.iter().map(|q| html!{ <option value={q.id()} selected={*q == p}>{q.label()}</option> }) }
            </> }, on_edit) }
            if p == Provider::Oracle {
                <p class="hint warn">{"The oracle peeks at the ground truth and adds noise: a teaching tool for “how much does the LLM's quality matter?”, not a method."}</p>
                { box_of(SettingId::LlmOracleNoise, String::new()) }
            } else if p == Provider::Heuristic {
                <p class="hint">{"Reads only the prompt's text: scores candidates by attributes shared with what the user liked, plus noise. No key, no network."}</p>
            }
            if p.is_remote() {
                { box_of(SettingId::LlmBaseUrl, p.default_base_url().to_string()) }
                if p == Provider::OpenAi {
                    <p class="hint">{"Also OpenRouter (https://openrouter.ai/api/v1), Groq (https://api.groq.com/openai/v1), Ollama (http://localhost:11434/v1, started with OLLAMA_ORIGINS=*) or LM Studio (http://localhost:1234/v1)."}</p>
                }
                { box_of(SettingId::LlmModel, p.default_model().to_string()) }
                <label for="llm-key">{ match &target { Some(t) => format!("API key for {}", t.describe()), None => "API key".to_string() } }</label>
                <input id="llm-key" type="password" autocomplete="off" spellcheck="false" value={keys.key.clone()}
                    placeholder="kept in this page only" disabled={target.is_none()}
                    onchange={send(LlmMsg::Key)} />
                if target.is_some() && !keys.others.is_empty() {
                    <p id="llm-key-others" class="hint">{format!("Also held, never sent here: keys for {}.", keys.others.join(", "))}</p>
                }
                if keys.unbound {
                    <p class="hint warn">{"A key saved by an older version of this page is kept, tied to no host: the estimate panel asks before it is used anywhere."}</p>
                }
                <label class="check" for="llm-remember">
                    <input id="llm-remember" type="checkbox" checked={keys.remember} onchange={on_remember} />
                    {"Remember on this device"}
                </label>
                if keys.remember {
                    <p class="hint warn">{"Stored unencrypted in this browser's localStorage: anyone using this browser profile can read it."}</p>
                }
                <button id="llm-forget" onclick={click(|| LlmMsg::ForgetKey)} disabled={keys.none && !keys.remember}>{"Forget keys"}</button>
                <p class="hint">{"A key is tied to the provider and host it was typed for: it is sent there only, after you press Start in the estimate panel, and never in the URL, results, exports, the cache or logs. LLM requests never follow a redirect."}</p>
                { box_of(SettingId::LlmMaxCalls, String::new()) }
                { box_of(SettingId::LlmMaxConcurrent, String::new()) }
                { box_of(SettingId::LlmTimeoutSecs, String::new()) }
            }
            { box_of(SettingId::IalpStates, String::new()) }
            { box_of(SettingId::LlmCasesPerRequest, String::new()) }
            { box_of(SettingId::IalpLambda, String::new()) }
            <details id="llm-template-box">
                <summary>{SettingId::LlmTemplate.row().label}</summary>
                <p class="hint">{"Placeholders: {domain}, {n_cases}, {cases} (required: the users, their recent ratings and the candidates with ids)."}</p>
                <textarea id={SettingId::LlmTemplate.row().element} rows="9" aria-label={SettingId::LlmTemplate.row().label} value={f.text(SettingId::LlmTemplate).to_string()}
                    onchange={on_template} />
                <button onclick={on_template_reset}>{"Reset template"}</button>
            </details>
            <div class="buttons">
                <span id="llm-cache-status" class="hint">{format!("Answer cache: {} answers, kept in this browser", props.cache_len)}</span>
                <button id="llm-cache-export" onclick={click(|| LlmMsg::CacheExport)}>{"Export cache"}</button>
                <label for="llm-cache-import" class="button-like">{"Import cache"}</label>
                <input id="llm-cache-import" type="file" accept=".json,application/json" class="visually-hidden"
                    onchange={on_import} />
            </div>
            { status_line("llm-cache-message", &props.cache_status) }
            if let Some(p) = &props.cache_problem {
                <p id="llm-cache-problem" class="bad" role="alert">{p}</p>
                <button id="llm-cache-aside" onclick={click(|| LlmMsg::DownloadAsideCache)}>{"Download the unreadable cache"}</button>
            }
        </fieldset>
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct DistillationProps {
    pub results: Rc<Results>,
    /// The run's live counters.
    pub stats: crate::llm::LlmStats,
    /// The agreement chart's canvas (the page draws it after each render).
    pub canvas: NodeRef,
    /// "agreement-png" or "agreement-svg".
    pub on_export_chart: Callback<&'static str>,
}

/// During a run: the LLM's counters, and how its ratings and R_φ agree with the truth.
#[function_component(Distillation)]
pub(super) fn distillation(props: &DistillationProps) -> Html {
    let results = &*props.results;
    let source = results.config.llm.describe();
    let stats = props.stats;
    let export = |kind: &'static str| {
        let on = props.on_export_chart.clone();
        Callback::from(move |_: MouseEvent| on.emit(kind))
    };
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
            if !results.distillations.is_empty() {
                <canvas id="agreement-chart" ref={props.canvas.clone()} role="img"
                    aria-label="Spearman rank correlation with the ground truth of the LLM's labels, of R_φ and of the user model, per seed"></canvas>
                <div class="buttons chart-tools">
                    <button id="export-agreement-png" onclick={export("agreement-png")}>{"Agreement chart as PNG"}</button>
                    <button id="export-agreement-svg" onclick={export("agreement-svg")}>{"as SVG"}</button>
                </div>
                <div class="table-wrap">
                <table id="llm-agreement">
                    <caption>{"Agreement with the ground truth on held-out states (Spearman ρ / NDCG@5, per seed)"}</caption>
                    <thead><tr><th scope="col">{"Seed"}</th><th scope="col">{"States"}</th><th scope="col">{"LLM labels"}</th><th scope="col">{"R_φ (learnt)"}</th><th scope="col">{"R̂ (user model)"}</th><th scope="col">{"Calls"}</th></tr></thead>
                    <tbody>
                    { for results.distillations.iter().map(|d| {
                        let a = &d.agreement;
                        let f = |x: &crate::ialp::Agreement| format!("{:.2} / {:.2}", x.spearman, x.ndcg5);
                        html!{ <tr><th scope="row">{d.seed}</th><td>{a.llm.states}</td><td class="agree-llm">{f(&a.llm)}</td><td class="agree-rphi">{f(&a.reward_model)}</td><td>{f(&a.user_model)}</td><td>{d.stats.calls}</td></tr> }
                    }) }
                    </tbody>
                </table>
                </div>
            }
        </section>
    }
}

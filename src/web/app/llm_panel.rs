//! iALP's LLM: who plays the user (provider, model, key), the distillation budget, the
//! prompt template and the answer cache; and, during a run, the distillation panel.

use super::*;

/// What the LLM settings change: the form's llm.* and ialp.* fields, the keys, the cache.
pub enum LlmMsg {
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
            LlmMsg::LlmProvider(s) => {
                self.form.llm_provider = Provider::from_id(&s).unwrap_or_default()
            }
            LlmMsg::LlmBaseUrl(s) => self.form.llm_base_url = s,
            LlmMsg::LlmModel(s) => self.form.llm_model = s,
            LlmMsg::LlmNoise(s) => self.form.llm_oracle_noise = s,
            LlmMsg::LlmMaxCalls(s) => self.form.llm_max_calls = s,
            LlmMsg::LlmConcurrent(s) => self.form.llm_max_concurrent = s,
            LlmMsg::LlmTimeout(s) => self.form.llm_timeout_secs = s,
            LlmMsg::LlmCasesPerRequest(s) => self.form.llm_cases_per_request = s,
            LlmMsg::LlmTemplate(s) => self.form.llm_template = s,
            LlmMsg::LlmTemplateReset => self.form.llm_template = DEFAULT_TEMPLATE.to_string(),
            LlmMsg::IalpLambda(s) => self.form.ialp_lambda = s,
            LlmMsg::IalpStates(s) => self.form.ialp_states = s,
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
        let llm = LlmConfig {
            provider: self.form.llm_provider,
            base_url: Some(self.form.llm_base_url.clone()).filter(|u| !u.trim().is_empty()),
            ..LlmConfig::default()
        };
        KeyBinding::of(&llm)
    }

    pub(super) fn view_llm_settings(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let f = &self.form;
        let p = f.llm_provider;
        let target = self.form_target();
        html! {
            <fieldset id="llm-settings">
                <legend>{"iALP · who plays the user"}</legend>
                <label for="llm-provider">{"Ratings from"}</label>
                <select id="llm-provider" onchange={link.callback(|e: Event| LlmMsg::LlmProvider(select_value(&e)))}>
                    { for Provider::ALL.iter().map(|q| html!{ <option value={q.id()} selected={*q == p}>{q.label()}</option> }) }
                </select>
                if p == Provider::Oracle {
                    <p class="hint warn">{"The oracle peeks at the ground truth and adds noise: a teaching tool for “how much does the LLM's quality matter?”, not a method."}</p>
                    { text_field(link, "llm-noise", "Oracle noise σ (rating points)", &f.llm_oracle_noise, String::new(), LlmMsg::LlmNoise) }
                } else if p == Provider::Heuristic {
                    <p class="hint">{"Reads only the prompt's text: scores candidates by attributes shared with what the user liked, plus noise. No key, no network."}</p>
                }
                if p.is_remote() {
                    { text_field(link, "llm-base-url", "Base URL", &f.llm_base_url, p.default_base_url().to_string(), LlmMsg::LlmBaseUrl) }
                    if p == Provider::OpenAi {
                        <p class="hint">{"Also OpenRouter (https://openrouter.ai/api/v1), Groq (https://api.groq.com/openai/v1), Ollama (http://localhost:11434/v1, started with OLLAMA_ORIGINS=*) or LM Studio (http://localhost:1234/v1)."}</p>
                    }
                    { text_field(link, "llm-model", "Model", &f.llm_model, p.default_model().to_string(), LlmMsg::LlmModel) }
                    <label for="llm-key">{ match &target { Some(t) => format!("API key for {}", t.describe()), None => "API key".to_string() } }</label>
                    <input id="llm-key" type="password" autocomplete="off" spellcheck="false" value={target.as_ref().and_then(|t| self.keys.get(t)).map(|k| k.expose().to_string()).unwrap_or_default()}
                        placeholder="kept in this page only" disabled={target.is_none()}
                        onchange={link.callback(|e: Event| LlmMsg::Key(input_value(&e)))} />
                    if let Some(t) = &target {
                        if !self.keys.others(t).is_empty() {
                            <p id="llm-key-others" class="hint">{format!("Also held, never sent here: keys for {}.", self.keys.others(t).iter().map(|b| b.describe()).collect::<Vec<_>>().join(", "))}</p>
                        }
                    }
                    if self.keys.unbound.is_some() {
                        <p class="hint warn">{"A key saved by an older version of this page is kept, tied to no host: the estimate panel asks before it is used anywhere."}</p>
                    }
                    <label class="check" for="llm-remember">
                        <input id="llm-remember" type="checkbox" checked={self.remember_key}
                            onchange={link.callback(|e: Event| LlmMsg::RememberKey(e.target_unchecked_into::<HtmlInputElement>().checked()))} />
                        {"Remember on this device"}
                    </label>
                    if self.remember_key {
                        <p class="hint warn">{"Stored unencrypted in this browser's localStorage: anyone using this browser profile can read it."}</p>
                    }
                    <button id="llm-forget" onclick={link.callback(|_| LlmMsg::ForgetKey)} disabled={self.keys.is_empty() && !self.remember_key}>{"Forget keys"}</button>
                    <p class="hint">{"A key is tied to the provider and host it was typed for: it is sent there only, after you press Start in the estimate panel, and never in the URL, results, exports, the cache or logs. LLM requests never follow a redirect."}</p>
                    { text_field(link, "llm-max-calls", "Most requests per distillation", &f.llm_max_calls, String::new(), LlmMsg::LlmMaxCalls) }
                    { text_field(link, "llm-concurrent", "Requests at once", &f.llm_max_concurrent, String::new(), LlmMsg::LlmConcurrent) }
                    { text_field(link, "llm-timeout", "Timeout per request (s)", &f.llm_timeout_secs, String::new(), LlmMsg::LlmTimeout) }
                }
                { text_field(link, "ialp-states", "States to rate", &f.ialp_states, String::new(), LlmMsg::IalpStates) }
                { text_field(link, "llm-cases", "States per request", &f.llm_cases_per_request, String::new(), LlmMsg::LlmCasesPerRequest) }
                { text_field(link, "ialp-lambda", "λ: weight of R_φ in the reward (0 = Offline A2C)", &f.ialp_lambda, String::new(), LlmMsg::IalpLambda) }
                <details id="llm-template-box">
                    <summary>{"Prompt template"}</summary>
                    <p class="hint">{"Placeholders: {domain}, {n_cases}, {cases} (required: the users, their recent ratings and the candidates with ids)."}</p>
                    <textarea id="llm-template" rows="9" aria-label="Prompt template" value={f.llm_template.clone()}
                        onchange={link.callback(|e: Event| LlmMsg::LlmTemplate(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()))} />
                    <button onclick={link.callback(|_| LlmMsg::LlmTemplateReset)}>{"Reset template"}</button>
                </details>
                <div class="buttons">
                    <span id="llm-cache-status" class="hint">{format!("Answer cache: {} answers, kept in this browser", self.cache.len())}</span>
                    <button id="llm-cache-export" onclick={link.callback(|_| LlmMsg::CacheExport)}>{"Export cache"}</button>
                    <label for="llm-cache-import" class="button-like">{"Import cache"}</label>
                    <input id="llm-cache-import" type="file" accept=".json,application/json" class="visually-hidden"
                        onchange={link.callback(|e: Event| LlmMsg::CacheImport(chosen_file(&e, false)))} />
                </div>
                { status_line("llm-cache-message", &self.cache_status) }
                if let Some(p) = &self.cache_problem {
                    <p id="llm-cache-problem" class="bad" role="alert">{p}</p>
                    <button id="llm-cache-aside" onclick={link.callback(|_| LlmMsg::DownloadAsideCache)}>{"Download the unreadable cache"}</button>
                }
            </fieldset>
        }
    }

    pub(super) fn view_llm(&self) -> Html {
        let Some(run) = &self.run else {
            return html! {};
        };
        let Some(results) = self.results.as_ref() else {
            return html! {};
        };
        if !results.config.methods.iter().any(|m| m.spec().uses_llm) {
            return html! {};
        }
        let source = results.config.llm.describe();
        let results = Some(results);
        let stats = run.llm.unwrap_or_default();
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
                if results.is_some_and(|r| !r.distillations.is_empty()) {
                    <canvas id="agreement-chart" ref={self.agreement_canvas.clone()} role="img"
                        aria-label="Spearman rank correlation with the ground truth of the LLM's labels, of R_φ and of the user model, per seed"></canvas>
                    <div class="buttons chart-tools">
                        <button id="export-agreement-png" onclick={self.link.callback(|_| ChartMsg::ExportChart("agreement-png"))}>{"Agreement chart as PNG"}</button>
                        <button id="export-agreement-svg" onclick={self.link.callback(|_| ChartMsg::ExportChart("agreement-svg"))}>{"as SVG"}</button>
                    </div>
                }
                if let Some(r) = results.filter(|r| !r.distillations.is_empty()) {
                    <div class="table-wrap">
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
                    </div>
                }
            </section>
        }
    }
}

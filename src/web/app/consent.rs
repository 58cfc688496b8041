//! The estimate panel before a remote run: where the requests go, what they may cost,
//! which key; nothing is sent before the user presses Start.

use super::*;

/// The estimate panel: a key typed there, the older page's unbound key confirmed for
/// this host, Start, Cancel.
pub enum ConsentMsg {
    ConsentKey(String),
    ConsentUseUnbound(bool),
    ConsentStart,
    ConsentCancel,
    /// Adds the run's host to what the page may connect to, and reloads.
    ConsentAllowHost,
}

/// A run that would call a remote provider, waiting for the user to read the estimate
/// and press Start (nothing is sent before).
pub(super) struct Consent {
    pub(super) config: ValidConfig,
    pub(super) paused: bool,
    /// Where the requests would go.
    pub(super) target: KeyBinding,
    pub(super) estimate: Estimate,
    /// A key typed in the panel, for `target`.
    pub(super) typed: String,
    /// Use the older page's unbound key for `target`.
    pub(super) use_unbound: bool,
    pub(super) error: Option<String>,
    /// The link asked to start at once (autorun): say why it did not.
    pub(super) autorun: bool,
}

impl App {
    pub(super) fn on_consent(&mut self, _ctx: &Context<App>, msg: ConsentMsg) -> bool {
        match msg {
            ConsentMsg::ConsentKey(k) => {
                if let Some(c) = self.consent.as_mut() {
                    c.typed = k;
                }
                return false;
            }
            ConsentMsg::ConsentUseUnbound(on) => {
                if let Some(c) = self.consent.as_mut() {
                    c.use_unbound = on;
                }
            }
            ConsentMsg::ConsentCancel => self.consent = None,
            ConsentMsg::ConsentAllowHost => {
                if let Some(c) = self.consent.as_mut() {
                    // The settings go in the address bar first, so the reload keeps them.
                    super::links::set_fragment(&crate::experiment::share::to_fragment(c.config.raw()));
                    if let Err(e) = crate::web::csp::allow_and_reload(&c.target.origin) {
                        c.error = Some(e);
                    }
                }
            }
            ConsentMsg::ConsentStart => self.start_after_consent(),
        }
        true
    }

    /// The estimate panel's Start: the key for the run's host (typed now, remembered for
    /// exactly that host, or the older page's key confirmed for it), then the run.
    pub(super) fn start_after_consent(&mut self) {
        let Some(mut c) = self.consent.take() else {
            return;
        };
        // Never a key over plain http:// to another machine (a server there may need
        // none: start with the key field empty).
        let would_send = !c.typed.trim().is_empty()
            || (c.use_unbound && self.keys.unbound.is_some())
            || self.keys.get(&c.target).is_some();
        if would_send {
            if let Err(e) = crate::llm::key::key_may_travel_to(&c.target.origin) {
                c.error = Some(format!("Not sent: {e}."));
                self.consent = Some(c);
                return;
            }
        }
        let key = if !c.typed.trim().is_empty() {
            let k = ApiKey::new(&c.typed);
            self.keys.set(c.target.clone(), k.clone());
            Some(k)
        } else if c.use_unbound && self.keys.unbound.is_some() {
            let k = self.keys.unbound.take().expect("checked");
            self.keys.set(c.target.clone(), k.clone());
            Some(k)
        } else {
            self.keys.get(&c.target).cloned()
        };
        let key = match key {
            Some(k) => k,
            // A local server (Ollama, LM Studio) may need no key.
            None if is_loopback(&c.target.origin) => ApiKey::default(),
            None => {
                c.error = Some(format!(
                    "Type the API key for {} (it is sent there only), or cancel.",
                    c.target.describe()
                ));
                self.consent = Some(c);
                return;
            }
        };
        if self.remember_key {
            crate::web::llm::remember_keys(Some(&self.keys));
        }
        self.launch(c.config, c.paused, key);
    }

    /// Before a remote run: where the requests go, what they may cost, which key, and a
    /// Start button. Shown whatever the layout hides (an embed included).
    pub(super) fn view_consent(&self, ctx: &Context<Self>) -> Html {
        let Some(c) = &self.consent else {
            return html! {};
        };
        let link = ctx.link();
        let llm = &c.config.raw().llm;
        let e = &c.estimate;
        let bound = self.keys.get(&c.target).is_some();
        let others = self.keys.others(&c.target);
        let local = is_loopback(&c.target.origin);
        html! {
            <section id="llm-consent" class="consent" role="alertdialog" aria-labelledby="llm-consent-title" data-origin={c.target.origin.clone()}>
                <h2 id="llm-consent-title">{format!("Send requests to {}?", c.target.origin)}</h2>
                if c.autorun {
                    <p class="hint warn">{"This link asked to start at once. A run that calls a language model never starts without you: nothing has been sent."}</p>
                }
                if !c.target.is_default_host() {
                    <p id="llm-consent-host" class="bad">{format!("These settings name a host other than {}'s own API ({}): {}. Start only if you trust it.", llm.provider.id(), llm.provider.default_base_url(), c.target.origin)}</p>
                }
                if let Err(err) = crate::llm::key::key_may_travel_to(&c.target.origin) {
                    <p id="llm-consent-http" class="bad">{format!("{err}: a key is refused for this host.")}</p>
                }
                <p>{format!("iALP will ask {} · model ", llm.provider.label())}<code id="llm-consent-model">{llm.model()}</code>{" for ratings."}</p>
                if !e.custom.is_empty() {
                    <ul id="llm-consent-custom" class="bad">
                        { for e.custom.iter().map(|c| html!{ <li><code>{c.path}</code>{" = "}
                            if c.path == "llm.template" { {c.value.clone()} } else { <code>{c.value.clone()}</code> }
                            {" (not the provider's default: set by these settings or the link)"}</li> }) }
                    </ul>
                }
                <dl id="llm-consent-estimate" class="estimate">
                    { for e.lines().into_iter().map(|(k, v)| html!{ <><dt>{k}</dt><dd>{v}</dd></> }) }
                </dl>
                <p class="hint">{"Answers already in this browser's cache cost nothing; the estimate counts every request as new."}</p>
                if !e.raised.is_empty() {
                    <ul id="llm-consent-raised" class="bad">
                        { for e.raised.iter().map(|r| html!{ <li>{format!("{r}: above the documented default")}</li> }) }
                    </ul>
                }
                if bound {
                    <p id="llm-consent-key" class="ok">{format!("Your key for {} will be sent, there only.", c.target.describe())}</p>
                } else {
                    <p id="llm-consent-key" class="hint">{
                        if others.is_empty() {
                            format!("No key is held for {}.", c.target.describe())
                        } else {
                            format!("Your key(s) for {} will not be sent here. Type the key for {}:", others.iter().map(|b| b.describe()).collect::<Vec<_>>().join(", "), c.target.describe())
                        }
                    }</p>
                }
                <label for="consent-key">{ if bound { "Or type another key for this host" } else if local { "API key (a local server may need none)" } else { "API key for this host" } }</label>
                <input id="consent-key" type="password" autocomplete="off" spellcheck="false"
                    oninput={link.callback(|e: InputEvent| ConsentMsg::ConsentKey(e.target_unchecked_into::<HtmlInputElement>().value()))} />
                if self.keys.unbound.is_some() && !bound {
                    <label class="check" for="consent-unbound">
                        <input id="consent-unbound" type="checkbox" checked={c.use_unbound}
                            onchange={link.callback(|e: Event| ConsentMsg::ConsentUseUnbound(e.target_unchecked_into::<HtmlInputElement>().checked()))} />
                        {format!("Use the key an older version of this page saved (tied to no host) for {}", c.target.origin)}
                    </label>
                }
                if let Some(err) = &c.error {
                    <p id="llm-consent-error" class="bad" role="alert">{err}</p>
                }
                if crate::web::csp::allows(&c.target.origin) {
                    <div class="buttons">
                        <button id="consent-start" class="primary" onclick={link.callback(|_| ConsentMsg::ConsentStart)}>{format!("Start: send to {}", c.target.origin)}</button>
                        <button id="consent-cancel" onclick={link.callback(|_| ConsentMsg::ConsentCancel)}>{"Cancel"}</button>
                    </div>
                } else {
                    <p id="llm-consent-csp" class="bad">{format!("This page connects only to the providers' own APIs, servers on this machine, and hosts you allowed (its security policy); {} is not one of them. Allow it, and the page reloads with your settings (a key you did not ask it to remember must be typed again).", c.target.origin)}</p>
                    <div class="buttons">
                        <button id="consent-allow" class="primary" onclick={link.callback(|_| ConsentMsg::ConsentAllowHost)}>{format!("Allow {} and reload", c.target.origin)}</button>
                        <button id="consent-cancel" onclick={link.callback(|_| ConsentMsg::ConsentCancel)}>{"Cancel"}</button>
                    </div>
                }
            </section>
        }
    }
}

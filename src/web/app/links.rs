//! Links: every setting in the address bar's #fragment (never the key), read on load
//! and when edited by hand, copied with "Copy link".

use super::*;
use crate::experiment::embed::{self, EmbedOptions};

/// The address bar and the Share box.
pub enum LinkMsg {
    /// The URL's fragment changed (a hand-edited link): read it like a fresh link.
    HashChanged,
    CopyLink,
    LinkCopied(Result<(), String>),
}

impl App {
    pub(super) fn on_link(&mut self, ctx: &Context<App>, msg: LinkMsg) -> bool {
        match msg {
            LinkMsg::HashChanged => {
                let now = location().and_then(|l| l.hash().ok()).unwrap_or_default();
                if now.trim_start_matches('#')
                    == self
                        .form
                        .to_config()
                        .map(|c| share::to_fragment(c.raw()))
                        .unwrap_or_default()
                {
                    return false; // our own replaceState
                }
                self.read_link();
            }
            LinkMsg::CopyLink => match self.form.to_config() {
                Err(e) => self.share_status = Some(Err(format!("Fix a setting first: {e}"))),
                Ok(c) => {
                    let fragment = share::to_fragment(c.raw());
                    set_fragment(&fragment);
                    let url = format!("{}#{fragment}", page_address());
                    self.share_url = Some(url.clone());
                    let link = ctx.link().clone();
                    copy(&url, "the link below", move |r| link.send_message(LinkMsg::LinkCopied(r)));
                    self.share_status = None;
                }
            },
            LinkMsg::LinkCopied(r) => {
                self.share_status =
                    Some(r.map(|()| {
                        "Link copied: it holds every setting (never your key).".to_string()
                    }));
            }
        }
        true
    }

    /// Reads the address bar's fragment as a config: bad values are named and left at
    /// their defaults.
    pub(super) fn read_link(&mut self) {
        let hash = location().and_then(|l| l.hash().ok()).unwrap_or_default();
        if hash.trim_start_matches('#').is_empty() {
            // `?preset=NAME` without a fragment: start from that preset.
            if let Some(name) = self.layout.preset.clone() {
                match crate::experiment::presets::find(&name).map(|p| p.config(None)) {
                    Some(Ok(c)) => self.show_config(c.raw()),
                    Some(Err(e)) => self.link_problems = vec![format!("preset={name}: {e}")],
                    None => {
                        self.link_problems = vec![format!(
                            "preset={name}: no such preset (presets: {})",
                            crate::experiment::presets::PRESETS.map(|p| p.name).join(", ")
                        )]
                    }
                }
            }
            return;
        }
        let got = share::from_fragment(&hash);
        self.show_config(got.config.raw());
        self.link_problems = got.problems.iter().map(|p| p.to_string()).collect();
    }

    /// The link to these settings.
    pub(super) fn view_share(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        html! {
                <fieldset id="share">
                    <legend>{"Share"}</legend>
                    <button id="copy-link" onclick={link.callback(|_| LinkMsg::CopyLink)}>{"Copy link to these settings"}</button>
                    if let Some(url) = &self.share_url {
                        <label for="share-url">{"Link"}</label>
                        <input id="share-url" type="text" readonly=true value={url.clone()} />
                    }
                    { status_line("share-message", &self.share_status) }
                    <p class="hint">{"Every setting and the seed go in the link's #fragment, so the same link gives the same numbers. "}</p>
                    <Embed form={self.form.clone()} />
                </fieldset>
        }
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct EmbedProps {
    /// The settings the snippet shows.
    pub form: Rc<ConfigForm>,
}

/// "Embed this": the snippet, its options, a preview. All its state is its own.
#[function_component(Embed)]
pub(super) fn embed_panel(props: &EmbedProps) -> Html {
    let opts = use_state(EmbedOptions::default);
    // The preview frame's address, once asked for.
    let preview = use_state(|| None::<String>);
    let open = use_state(|| false);
    // What happened (a refused height, a copy, a setting to fix first).
    let status = use_state(|| None::<Result<String, String>>);
    // The `<iframe>` snippet for the current settings, or why there is none.
    let snippet = {
        let (form, opts) = (props.form.clone(), opts.clone());
        move || -> Result<String, String> {
            let c = form.to_config().map_err(|e| format!("Fix a setting first: {e}"))?;
            Ok(opts.snippet(&page_address(), &share::to_fragment(c.raw())))
        }
    };
    // Checking the settings on every render of a closed panel (each snapshot of a run
    // re-renders the page) would be work for nothing.
    let shown = if *open { snippet() } else { Ok(String::new()) };
    let change = |f: fn(&mut EmbedOptions, bool)| {
        let opts = opts.clone();
        Callback::from(move |e: Event| {
            let mut o = (*opts).clone();
            f(&mut o, e.target_unchecked_into::<HtmlInputElement>().checked());
            opts.set(o);
        })
    };
    let on_height = {
        let (opts, status) = (opts.clone(), status.clone());
        Callback::from(move |e: Event| {
            let h = input_value(&e);
            match h.trim().parse::<u32>() {
                Ok(px) if (embed::MIN_HEIGHT..=embed::MAX_HEIGHT).contains(&px) => {
                    opts.set(EmbedOptions { height: px, ..(*opts).clone() });
                    status.set(None);
                }
                _ => status.set(Some(Err(format!(
                    "Height: a whole number of pixels from {} to {}, got {:?}",
                    embed::MIN_HEIGHT,
                    embed::MAX_HEIGHT,
                    cut_text(&h, 20)
                )))),
            }
        })
    };
    let on_copy = {
        let status = status.clone();
        Callback::from(move |_: MouseEvent| match snippet() {
            Err(e) => status.set(Some(Err(e))),
            Ok(text) => {
                let status = status.clone();
                copy(&text, "the snippet", move |r| {
                    status.set(Some(r.map(|()| {
                        "Snippet copied: paste it into your course page's HTML.".to_string()
                    })))
                });
            }
        })
    };
    let on_preview = {
        let (form, opts, preview, status) = (props.form.clone(), opts.clone(), preview.clone(), status.clone());
        Callback::from(move |_: MouseEvent| match form.to_config() {
            Err(e) => status.set(Some(Err(format!("Fix a setting first: {e}")))),
            Ok(c) => {
                // The preview never autoruns: one run at a time on this machine.
                let o = EmbedOptions { autorun: false, ..(*opts).clone() };
                preview.set(Some(o.src(&page_address(), &share::to_fragment(c.raw()))));
            }
        })
    };
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| open.set(e.target_unchecked_into::<web_sys::HtmlDetailsElement>().open()))
    };
    html! {
        <details id="embed" open={*open} {ontoggle}>
            <summary>{"Embed this in a course page"}</summary>
            <p class="hint">{"An <iframe> of these settings, for a lesson's page: it shows the run bar, chart and table, and grows with its content."}</p>
            <label for="embed-height">{"Starting height (px)"}</label>
            <input id="embed-height" type="text" inputmode="numeric" value={opts.height.to_string()}
                onchange={on_height} />
            <label class="check"><input id="embed-autorun" type="checkbox" checked={opts.autorun}
                onchange={change(|o, on| o.autorun = on)} />
                {" Start the run when the lesson opens"}</label>
            <div class="embed-panels" role="group" aria-label="Panels the embed shows">
                { for Layout::PANELS.iter().map(|&p| {
                    let handle = opts.clone();
                    let onchange = Callback::from(move |e: Event| {
                        let mut o = (*handle).clone();
                        o.panels.retain(|q| q != p);
                        if e.target_unchecked_into::<HtmlInputElement>().checked() {
                            o.panels.push(p.to_string());
                        }
                        handle.set(o);
                    });
                    html!{
                        <label class="check"><input id={format!("embed-panel-{p}")} type="checkbox" checked={opts.panels.iter().any(|q| q == p)}
                            {onchange} />
                            {format!(" {p}")}</label>
                    }
                }) }
            </div>
            if let Ok(text) = &shown {
                <label for="embed-snippet">{"Snippet"}</label>
                <textarea id="embed-snippet" readonly=true rows="6" value={text.clone()} />
            }
            <button id="copy-snippet" onclick={on_copy}>{"Copy snippet"}</button>
            <button id="embed-preview-show" onclick={on_preview}>{ if preview.is_some() { "Update preview" } else { "Preview" } }</button>
            { status_line("embed-message", &(*status).clone().or_else(|| shown.as_ref().err().map(|e| Err(e.clone())))) }
            if let Some(src) = &*preview {
                <iframe id="embed-preview" title="Preview of the embed" src={src.clone()}
                    height={opts.height.to_string()} width="100%"></iframe>
                <p class="hint">{"The preview does not start its run (press Run in it); the pasted snippet does when asked to. The snippet's script follows the frame's height; a course page that allows no inline script keeps the starting height. Publishing: docs/PUBLISHING.md."}</p>
            }
        </details>
    }
}

/// Puts `text` on the clipboard; `done` says how it went (`what`: where to copy it from
/// by hand if the browser refuses).
fn copy(text: &str, what: &'static str, done: impl FnOnce(Result<(), String>) + 'static) {
    if let Some(clip) = web_sys::window().map(|w| w.navigator().clipboard()) {
        let promise = clip.write_text(text);
        wasm_bindgen_futures::spawn_local(async move {
            done(
                wasm_bindgen_futures::JsFuture::from(promise)
                    .await
                    .map(|_| ())
                    .map_err(|_| {
                        format!("the browser did not allow copying: select {what} and copy it")
                    }),
            )
        });
    }
}

/// At most `n` characters of `s`.
fn cut_text(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

pub(super) fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The page's address without its fragment.
pub(super) fn page_address() -> String {
    location()
        .and_then(|l| l.href().ok())
        .map(|h| h.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default()
}

/// Puts `fragment` in the address bar without a new history entry or a hashchange.
pub(super) fn set_fragment(fragment: &str) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let url = format!("{}#{fragment}", page_address());
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

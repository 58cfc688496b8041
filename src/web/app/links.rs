//! Links: every setting in the address bar's #fragment (never the key), read on load
//! and when edited by hand, copied with "Copy link".

use super::*;

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
                    if let Some(clip) = web_sys::window().map(|w| w.navigator().clipboard()) {
                        let promise = clip.write_text(&url);
                        ctx.link().send_future(async move {
                            LinkMsg::LinkCopied(
                                wasm_bindgen_futures::JsFuture::from(promise)
                                    .await
                                    .map(|_| ())
                                    .map_err(|_| "the browser did not allow copying: select the link below and copy it".to_string()),
                            )
                        });
                    }
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
            return;
        }
        let got = share::from_fragment(&hash);
        self.form = ConfigForm::from_config(got.config.raw());
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
                    <p class="hint">{"Every setting and the seed go in the link's #fragment, so the same link gives the same numbers. Embed: add ?embed=1 (see the README)."}</p>
                </fieldset>
        }
    }
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

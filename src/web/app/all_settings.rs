//! "All settings": every value of the config by its path, with its default and allowed
//! range, editable. A component: whether it is open, and the last value it refused, are
//! its own; a value it accepts goes to the page as a new config.

use std::rc::Rc;

use yew::prelude::*;

use crate::experiment::form::ConfigForm;
use crate::experiment::ValidConfig;

use super::widgets::input_value;

#[derive(Properties, PartialEq)]
pub(super) struct AllSettingsProps {
    /// The settings as the page's form holds them.
    pub form: Rc<ConfigForm>,
    /// A value typed here made this config (checked).
    pub on_config: Callback<ValidConfig>,
}

/// Every value of the config with its default and allowed range, editable.
#[function_component(AllSettings)]
pub(super) fn all_settings(props: &AllSettingsProps) -> Html {
    let open = use_state(|| false);
    // The last value refused: (its path, why).
    let error = use_state(|| None::<(String, String)>);
    // Listing every setting checks the form: only while the panel is open (each snapshot
    // of a run re-renders the page).
    let list = if *open {
        let config = props
            .form
            .to_config()
            .map(|c| c.raw().clone())
            .unwrap_or_else(|_| props.form.rest.clone());
        crate::experiment::settings::settings(&config)
    } else {
        Vec::new()
    };
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            open.set(e.target_unchecked_into::<web_sys::HtmlDetailsElement>().open())
        })
    };
    html! {
        <details id="all-settings" open={*open} {ontoggle}>
            <summary>{"All settings (every hyper-parameter)"}</summary>
            <p class="hint">{"Every value of the config, by its path in config.json and in links. Empty means the default. Each is checked as you leave the box."}</p>
            { for list.iter().map(|st| {
                let id = format!("set-{}", st.path.replace('.', "-"));
                let err = (*error).as_ref().filter(|(p, _)| p == &st.path).map(|(_, e)| e.clone());
                let hint = match &st.allowed {
                    Some(a) => format!("default {} · allowed: {a}", if st.default.is_empty() { "(the preset's)" } else { &st.default }),
                    None => format!("default {}", if st.default.is_empty() { "(none)" } else { &st.default }),
                };
                let onchange = {
                    let (path, form, error, on_config) =
                        (st.path.clone(), props.form.clone(), error.clone(), props.on_config.clone());
                    Callback::from(move |e: Event| {
                        let text = input_value(&e);
                        let base = match form.to_config() {
                            Ok(c) => c.raw().clone(),
                            Err(e) => return error.set(Some((path.clone(), format!("fix this first: {e}")))),
                        };
                        match crate::experiment::settings::with_setting(&base, &path, &text) {
                            Ok(c) => {
                                error.set(None);
                                on_config.emit(c);
                            }
                            Err(e) => error.set(Some((path.clone(), e.to_string()))),
                        }
                    })
                };
                html!{
                    <div class="setting">
                        <label for={id.clone()}>{st.path.clone()}</label>
                        <input id={id} type="text" value={st.value.clone()} aria-invalid={err.is_some().to_string()} {onchange} />
                        <span class="hint">{hint}</span>
                        if let Some(e) = err { <span class="bad" role="alert">{e}</span> }
                    </div>
                }
            }) }
        </details>
    }
}

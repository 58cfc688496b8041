//! Small pieces every panel uses: a row of the form as a labelled box or select, file
//! pickers, event values.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::experiment::form::{ConfigForm, SettingId};

/// The labelled text box of row `id` of the form's table (`label`: the page's own words
/// where they depend on other settings); its committed value goes to `on_edit`.
pub(super) fn setting_box(
    form: &ConfigForm,
    id: SettingId,
    label: Option<&str>,
    placeholder: String,
    on_edit: &Callback<(SettingId, String)>,
) -> Html {
    let row = id.row();
    let on_edit = on_edit.clone();
    html! {
        <>
        <label for={row.element}>{label.unwrap_or(row.label).to_string()}</label>
        <input id={row.element} type="text" inputmode="decimal" placeholder={placeholder} value={form.text(id).to_string()}
            onchange={Callback::from(move |e: Event| on_edit.emit((id, input_value(&e))))} />
        </>
    }
}

/// The labelled select of row `id` of the form's table, with its `options`.
pub(super) fn choice_box(id: SettingId, options: Html, on_edit: &Callback<(SettingId, String)>) -> Html {
    let row = id.row();
    let on_edit = on_edit.clone();
    html! {
        <>
        <label for={row.element}>{row.label}</label>
        <select id={row.element} onchange={Callback::from(move |e: Event| on_edit.emit((id, select_value(&e))))}>
            { options }
        </select>
        </>
    }
}

/// The file chosen in a file input (`clear`: empty the input, so the same file can be
/// chosen again).
pub(super) fn chosen_file(e: &Event, clear: bool) -> Vec<web_sys::File> {
    let input: HtmlInputElement = e.target_unchecked_into();
    let out = input.files().and_then(|l| l.get(0)).into_iter().collect();
    if clear {
        input.set_value("");
    }
    out
}

/// Reads the first of `files` as text in the background, refusing one over `limit`
/// bytes (src/limits.rs) before reading it; `done(name, text)` becomes the next message.
pub(super) fn read_first_file<C: Component, M: Into<C::Message> + 'static>(
    ctx: &Context<C>,
    files: Vec<web_sys::File>,
    limit: u64,
    done: impl FnOnce(String, Result<String, String>) -> M + 'static,
) {
    ctx.link().send_future(async move {
        let Some(f) = files.into_iter().next() else {
            return done(String::new(), Err("no file chosen".into()));
        };
        let name = f.name();
        let text = read_text(f, limit).await;
        done(name, text)
    });
}

/// A picked file's text, if it is at most `limit` bytes.
pub(super) async fn read_text(f: web_sys::File, limit: u64) -> Result<String, String> {
    let name = f.name();
    crate::limits::check_size(&name, f.size() as u64, limit).map_err(|e| e.to_string())?;
    gloo::file::futures::read_as_text(&gloo::file::File::from(f))
        .await
        .map_err(|e| format!("could not read {name}: {e}"))
}

pub(super) fn input_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

pub(super) fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

/// A status line under a control: what went well (`ok`), or what went wrong (an alert).
pub(super) fn status_line(id: &'static str, status: &Option<Result<String, String>>) -> Html {
    match status {
        Some(Ok(m)) => html! { <p id={id} class="ok">{m}</p> },
        Some(Err(e)) => html! { <p id={id} class="bad" role="alert">{e}</p> },
        None => html! {},
    }
}

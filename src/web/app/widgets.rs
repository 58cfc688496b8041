//! Small pieces every panel uses: a labelled text box, file pickers, event values.

use super::*;

/// A labelled text box whose committed value becomes `msg(value)`.
pub(super) fn text_field<M: Into<Msg> + 'static>(
    link: &yew::html::Scope<App>,
    id: &'static str,
    label: &str,
    value: &str,
    placeholder: String,
    msg: fn(String) -> M,
) -> Html {
    html! {
        <>
        <label for={id}>{label.to_string()}</label>
        <input id={id} type="text" inputmode="decimal" placeholder={placeholder} value={value.to_string()}
            onchange={link.callback(move |e: Event| msg(input_value(&e)))} />
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
pub(super) fn read_first_file<M: Into<Msg> + 'static>(
    ctx: &Context<App>,
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

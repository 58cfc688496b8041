//! Response bodies read as a stream with a byte counter: a server that sends more than a
//! limit is cut off there, never held whole (an LLM's answer, the Coat files from a URL).

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyError {
    /// More than `limit` bytes came; reading stopped there.
    TooLarge { limit: u64 },
    /// Not UTF-8 text.
    NotText,
    /// The stream failed (a dropped connection, an aborted request).
    Read(String),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::TooLarge { limit } => write!(
                f,
                "more than {} came, more than such a file may be; the rest was not read",
                crate::limits::human(*limit)
            ),
            BodyError::NotText => write!(f, "the answer is not UTF-8 text"),
            BodyError::Read(e) => write!(f, "the answer could not be read ({e})"),
        }
    }
}

/// The body of `resp` as text, at most `limit` bytes of it.
pub async fn read_text(resp: &gloo_net::http::Response, limit: u64) -> Result<String, BodyError> {
    let Some(stream) = resp.body() else {
        return Ok(String::new());
    };
    let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| BodyError::Read(js_text(&e)))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value = js_sys::Reflect::get(&chunk, &"value".into())
            .map_err(|e| BodyError::Read(js_text(&e)))?;
        let bytes: js_sys::Uint8Array = value
            .dyn_into()
            .map_err(|_| BodyError::Read("a chunk that is not bytes".into()))?;
        let n = bytes.length() as usize;
        if (buf.len() + n) as u64 > limit {
            // Tell the server to stop sending; what came is dropped.
            let _ = reader.cancel();
            return Err(BodyError::TooLarge { limit });
        }
        let start = buf.len();
        buf.resize(start + n, 0);
        bytes.copy_to(&mut buf[start..]);
    }
    String::from_utf8(buf).map_err(|_| BodyError::NotText)
}

fn js_text(e: &wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

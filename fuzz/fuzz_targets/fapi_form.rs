//! Frontend API form bodies (`application/x-www-form-urlencoded`, as
//! clerk-js sends them) decoded into each handler's form.
//!
//! Input: the `Content-Type` on the first line (empty: no header), the body
//! after it.
#![no_main]

use actix_web::ResponseError as _;
use actix_web::http::StatusCode;
use hallpass_api_actix::parse::decode_forms;
use hallpass_fuzz::fields;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let f = fields(data, 2);
    let content_type = f
        .first()
        .filter(|c| !c.is_empty())
        .map(|c| String::from_utf8_lossy(c).into_owned());
    let body = f.get(1).copied().unwrap_or_default();
    let blank = body.len() <= 64 * 1024 && body.iter().all(u8::is_ascii_whitespace);
    for result in decode_forms(content_type.as_deref(), body) {
        match result {
            Ok(()) => {}
            Err(e) => {
                // A client mistake: a 400, never a 5xx.
                assert_eq!(e.status_code(), StatusCode::BAD_REQUEST, "{e:?}");
                // An empty body is "no parameters", whatever the type says.
                assert!(!blank, "a blank body was refused: {e:?}");
            }
        }
    }
});

//! Backend API JSON bodies decoded into each route's DTO (and the JWT
//! template body converted into the use case's input).
//!
//! Input: the body.
#![no_main]

use actix_web::ResponseError as _;
use actix_web::http::StatusCode;
use hallpass_api_actix::parse::decode_json_bodies;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let trimmed = std::str::from_utf8(data).map(str::trim);
    let empty = matches!(trimmed, Ok("" | "null" | "{}"));
    for (route, result) in decode_json_bodies(data) {
        let Err(e) = result else { continue };
        // A client mistake: a 400 (body) or a 422 (a parameter), never 5xx.
        assert!(
            matches!(
                e.status_code(),
                StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY
            ),
            "{route}: {e:?}"
        );
        // Empty, `null` and `{}` mean "no parameters" for every route (the
        // template body then misses its required `name`: a 422).
        if empty {
            assert_eq!(
                e.status_code(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{route}: {e:?}"
            );
        }
    }
});

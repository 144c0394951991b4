//! Clerk's list conventions: `limit` (1–500, default 10), `offset`
//! (default 0), and `paginated=true` for `{"data", "total_count"}` instead of
//! a bare array.

use actix_web::HttpResponse;
use serde::Deserialize;

use crate::ApiError;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PageQuery {
    limit: Option<String>,
    offset: Option<String>,
    paginated: Option<String>,
}

/// A validated page request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    pub limit: u32,
    pub offset: u32,
    pub paginated: bool,
}

fn number(
    param: &'static str,
    value: Option<&str>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, ApiError> {
    let Some(text) = value.filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    text.parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            ApiError::invalid_param(
                param,
                format!(
                    "{param} must be a number between {} and {}",
                    range.start(),
                    range.end()
                ),
            )
        })
}

impl PageQuery {
    pub(crate) fn page(&self) -> Result<Page, ApiError> {
        page_of(
            self.limit.as_deref(),
            self.offset.as_deref(),
            self.paginated.as_deref(),
        )
    }
}

/// A page request from its three parameters' text, as the query gave them.
pub(crate) fn page_of(
    limit: Option<&str>,
    offset: Option<&str>,
    paginated: Option<&str>,
) -> Result<Page, ApiError> {
    Ok(Page {
        limit: number("limit", limit, 10, 1..=500)?,
        offset: number("offset", offset, 0, 0..=u32::MAX)?,
        paginated: match paginated {
            None | Some("" | "false" | "0") => false,
            Some("true" | "1") => true,
            Some(_) => {
                return Err(ApiError::invalid_param(
                    "paginated",
                    "paginated must be true or false",
                ));
            }
        },
    })
}

/// The list response in the shape the caller asked for.
pub(crate) fn respond<T: serde::Serialize>(
    page: Page,
    data: Vec<T>,
    total_count: u64,
) -> HttpResponse {
    #[derive(serde::Serialize)]
    struct Paginated<T> {
        data: Vec<T>,
        total_count: u64,
    }
    if page.paginated {
        HttpResponse::Ok().json(Paginated { data, total_count })
    } else {
        HttpResponse::Ok().json(data)
    }
}

/// `{"data", "total_count"}` whatever the caller asked: the lists whose
/// spec has only that shape (organizations, memberships).
pub(crate) fn paginated<T: serde::Serialize>(data: Vec<T>, total_count: u64) -> HttpResponse {
    respond(
        Page {
            limit: 0,
            offset: 0,
            paginated: true,
        },
        data,
        total_count,
    )
}

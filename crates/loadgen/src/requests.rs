//! The request list: one request per line, tab-separated
//! `METHOD<TAB>PATH<TAB>BODY<TAB>Header: value<TAB>…`.

use anyhow::{Context as _, anyhow, bail};
use bytes::Bytes;
use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};

/// One prepared request.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub body: Bytes,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// Parses a whole request list; blank lines are skipped.
pub fn parse(text: &str) -> anyhow::Result<Vec<Request>> {
    let requests = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| parse_line(line).with_context(|| format!("request list line {}", n + 1)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if requests.is_empty() {
        bail!("the request list is empty");
    }
    Ok(requests)
}

fn parse_line(line: &str) -> anyhow::Result<Request> {
    let mut fields = line.split('\t');
    let method = fields.next().unwrap_or_default();
    let method =
        Method::from_bytes(method.as_bytes()).map_err(|_| anyhow!("bad method {method:?}"))?;
    let path = fields.next().ok_or_else(|| anyhow!("no path"))?;
    if !path.starts_with('/') {
        bail!("the path must start with '/': {path:?}");
    }
    let body = Bytes::from(fields.next().unwrap_or_default().to_owned());
    let headers = fields
        .filter(|f| !f.is_empty())
        .map(|f| {
            let (name, value) = f
                .split_once(':')
                .ok_or_else(|| anyhow!("bad header {f:?}"))?;
            Ok((
                HeaderName::from_bytes(name.trim().as_bytes())?,
                HeaderValue::from_str(value.trim())?,
            ))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Request {
        method,
        path: path.to_owned(),
        body,
        headers,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_line_carries_method_path_body_and_headers() {
        let list = parse(
            "POST\t/v1/x?a=1\torganization_id=\tcookie: __client=abc\tOrigin: https://a.example\n\nGET\t/y\n",
        )
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].method, Method::POST);
        assert_eq!(list[0].path, "/v1/x?a=1");
        assert_eq!(&list[0].body[..], b"organization_id=");
        assert_eq!(list[0].headers[0].0, "cookie");
        assert_eq!(list[0].headers[0].1, "__client=abc");
        assert_eq!(list[0].headers[1].0, "origin");
        assert_eq!(
            (list[1].method.clone(), list[1].body.len()),
            (Method::GET, 0)
        );
    }

    #[test]
    fn malformed_lines_are_refused_with_their_number() {
        for bad in ["GET\tnoslash", "G E T\t/x", "GET\t/x\t\tno-colon", ""] {
            let err = parse(bad).unwrap_err();
            assert!(
                format!("{err:#}").contains("line 1") || format!("{err:#}").contains("empty"),
                "{bad:?}: {err:#}"
            );
        }
    }
}

//! The shortcode language of JWT-template claims.
//!
//! Parsing and evaluating shortcodes; the grammar is in the `template`
//! module's documentation.

use crate::json::{Json, JsonNumber};

/// Why a string holds a malformed shortcode. `at` is a byte offset into it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShortcodeError {
    #[error("the `{{{{` at byte {at} is never closed by `}}}}`")]
    Unclosed { at: usize },
    #[error("the shortcode at byte {at} is empty")]
    Empty { at: usize },
    #[error("an operand is missing at byte {at}")]
    MissingOperand { at: usize },
    #[error("`||` is missing between two operands at byte {at}")]
    MissingOperator { at: usize },
    #[error("the string literal at byte {at} is never closed")]
    UnterminatedString { at: usize },
    #[error(
        "unknown escape in the string literal at byte {at} (only \\\\, \\' and \\\" are allowed)"
    )]
    BadEscape { at: usize },
    #[error("`{text}` at byte {at} is not a valid number")]
    BadNumber { at: usize, text: String },
    #[error("the path at byte {at} has an empty segment")]
    EmptyPathSegment { at: usize },
    #[error("unexpected character {ch:?} at byte {at}")]
    UnexpectedChar { at: usize, ch: char },
}

/// A parsed piece of a template string.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Segment<'s> {
    Text(&'s str),
    Code(Expr<'s>),
}

/// Operands joined by `||`; never empty.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr<'s>(Vec<Operand<'s>>);

#[derive(Debug, Clone, PartialEq)]
enum Operand<'s> {
    Path(Vec<&'s str>),
    Literal(Json),
}

static NULL: Json = Json::Null;

/// Whether `s` could hold a shortcode at all.
pub(crate) fn has_shortcode(s: &str) -> bool {
    s.contains("{{")
}

/// Splits a template string into text and shortcodes.
pub(crate) fn parse(s: &str) -> Result<Vec<Segment<'_>>, ShortcodeError> {
    let mut segments = Vec::new();
    let mut lexer = Lexer { src: s, pos: 0 };
    loop {
        let start = lexer.pos;
        let rest = lexer.rest();
        let Some(offset) = rest.find("{{") else {
            if !rest.is_empty() {
                segments.push(Segment::Text(rest));
            }
            return Ok(segments);
        };
        if offset > 0 {
            segments.push(Segment::Text(lexer.slice(start, start + offset)));
        }
        lexer.pos = start + offset;
        segments.push(Segment::Code(lexer.shortcode()?));
    }
}

/// Renders one string claim value: a string that is exactly one shortcode
/// becomes that shortcode's typed value, any other string with shortcodes
/// becomes text. A string that does not parse is returned unchanged
/// (creation refuses such templates; this keeps rendering total).
pub(crate) fn render_str(s: &str, context: &Json) -> Json {
    if !has_shortcode(s) {
        return Json::str(s);
    }
    let Ok(segments) = parse(s) else {
        return Json::str(s);
    };
    match segments.as_slice() {
        [Segment::Code(expr)] => eval(expr, context).clone(),
        _ => {
            let mut out = String::with_capacity(s.len());
            for segment in &segments {
                match segment {
                    Segment::Text(text) => out.push_str(text),
                    Segment::Code(expr) => push_text(eval(expr, context), &mut out),
                }
            }
            Json::String(out)
        }
    }
}

/// The value of `expr` in `context`.
fn eval<'a>(expr: &'a Expr<'_>, context: &'a Json) -> &'a Json {
    let mut last = &NULL;
    for operand in &expr.0 {
        let value = match operand {
            Operand::Path(path) => context.get_path(path).unwrap_or(&NULL),
            Operand::Literal(value) => value,
        };
        if !matches!(value, Json::Null | Json::Bool(false)) {
            return value;
        }
        last = value;
    }
    last
}

/// How a value reads inside a longer string: strings as-is, `null`, `true`,
/// `false`, numbers as decimal text, objects and arrays as compact JSON.
fn push_text(value: &Json, out: &mut String) {
    match value {
        Json::String(s) => out.push_str(s),
        Json::Number(n) => out.push_str(&n.to_decimal_string()),
        other => other.write_compact(out),
    }
}

struct Lexer<'s> {
    src: &'s str,
    /// A byte offset, always on a character boundary.
    pos: usize,
}

fn is_segment_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '$')
}

fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\'' | '"' | '|' | '}')
}

impl<'s> Lexer<'s> {
    fn rest(&self) -> &'s str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn slice(&self, from: usize, to: usize) -> &'s str {
        self.src.get(from..to).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_whitespace(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// Parses the shortcode whose `{{` is at `self.pos`, up to its `}}`.
    fn shortcode(&mut self) -> Result<Expr<'s>, ShortcodeError> {
        let open = self.pos;
        self.pos += 2;
        let mut operands = Vec::new();
        let mut want_operand = true;
        loop {
            self.skip_whitespace();
            let at = self.pos;
            let rest = self.rest();
            if rest.is_empty() {
                return Err(ShortcodeError::Unclosed { at: open });
            }
            if rest.starts_with("}}") {
                self.pos += 2;
                if operands.is_empty() {
                    return Err(ShortcodeError::Empty { at: open });
                }
                if want_operand {
                    return Err(ShortcodeError::MissingOperand { at });
                }
                return Ok(Expr(operands));
            }
            if rest.starts_with("||") {
                if want_operand {
                    return Err(ShortcodeError::MissingOperand { at });
                }
                self.pos += 2;
                want_operand = true;
                continue;
            }
            if let Some(ch @ ('|' | '}')) = self.peek() {
                // A lone `|` or `}` (`||` and `}}` were handled above); a
                // final `}` is a `}}` cut short.
                if rest == "}" {
                    return Err(ShortcodeError::Unclosed { at: open });
                }
                return Err(ShortcodeError::UnexpectedChar { at, ch });
            }
            if !want_operand {
                return Err(ShortcodeError::MissingOperator { at });
            }
            let operand = match self.peek() {
                Some(quote @ ('\'' | '"')) => Operand::Literal(Json::String(self.string(quote)?)),
                _ => self.word()?,
            };
            operands.push(operand);
            want_operand = false;
        }
    }

    /// A quoted string literal starting at `self.pos`.
    fn string(&mut self, quote: char) -> Result<String, ShortcodeError> {
        let start = self.pos;
        let mut value = String::new();
        let mut chars = self.rest().char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            if c == quote {
                self.pos = start + i + c.len_utf8();
                return Ok(value);
            }
            if c == '\\' {
                match chars.next() {
                    Some((_, e @ ('\\' | '\'' | '"'))) => value.push(e),
                    Some(_) => return Err(ShortcodeError::BadEscape { at: start + i }),
                    None => break,
                }
            } else {
                value.push(c);
            }
        }
        Err(ShortcodeError::UnterminatedString { at: start })
    }

    /// A path, number or keyword starting at `self.pos`.
    fn word(&mut self) -> Result<Operand<'s>, ShortcodeError> {
        let start = self.pos;
        let rest = self.rest();
        let len = rest.find(ends_word).unwrap_or(rest.len());
        let word = self.slice(start, start + len);
        let Some(first) = word.chars().next() else {
            // Unreachable: `shortcode` only calls this before a word character.
            let ch = rest.chars().next().unwrap_or('}');
            return Err(ShortcodeError::UnexpectedChar { at: start, ch });
        };
        self.pos = start + len;
        if first.is_ascii_digit() || matches!(first, '-' | '+' | '.') {
            return parse_number(word).map(Operand::Literal).ok_or_else(|| {
                ShortcodeError::BadNumber {
                    at: start,
                    text: word.to_owned(),
                }
            });
        }
        match word {
            "true" => return Ok(Operand::Literal(Json::Bool(true))),
            "false" => return Ok(Operand::Literal(Json::Bool(false))),
            "null" => return Ok(Operand::Literal(Json::Null)),
            _ => {}
        }
        let mut segment_start = start;
        let mut path = Vec::new();
        for segment in word.split('.') {
            if segment.is_empty() {
                return Err(ShortcodeError::EmptyPathSegment { at: segment_start });
            }
            if let Some((i, ch)) = segment.char_indices().find(|&(_, c)| !is_segment_char(c)) {
                return Err(ShortcodeError::UnexpectedChar {
                    at: segment_start + i,
                    ch,
                });
            }
            path.push(segment);
            segment_start += segment.len() + 1;
        }
        Ok(Operand::Path(path))
    }
}

/// A number in JSON's grammar: an integer when it has neither fraction nor
/// exponent and fits an `i64`, else a finite float.
fn parse_number(text: &str) -> Option<Json> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let from = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    if bytes.first() == Some(&b'-') {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return None,
    }
    let mut integer = true;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        integer = false;
        if !digits(&mut i) {
            return None;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        integer = false;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    if i != bytes.len() {
        return None;
    }
    if integer && let Ok(n) = text.parse::<i64>() {
        return Some(Json::Number(JsonNumber::Int(n)));
    }
    text.parse::<f64>().ok().and_then(Json::float)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_json_grammar() {
        let ok: &[(&str, Json)] = &[
            ("0", Json::int(0)),
            ("-0", Json::int(0)),
            ("42", Json::int(42)),
            ("-7", Json::int(-7)),
            ("9223372036854775807", Json::int(i64::MAX)),
            (
                "9223372036854775808",
                Json::float(9.223372036854776e18).unwrap(),
            ),
            ("1.5", Json::float(1.5).unwrap()),
            ("1.0", Json::float(1.0).unwrap()),
            ("2e3", Json::float(2000.0).unwrap()),
            ("-2.5E-1", Json::float(-0.25).unwrap()),
        ];
        for (text, value) in ok {
            assert_eq!(parse_number(text).as_ref(), Some(value), "{text}");
        }
        for text in [
            "", "-", "01", "+1", ".5", "1.", "1e", "1e+", "1x", "0x10", "1e400", "--1",
        ] {
            assert_eq!(parse_number(text), None, "{text}");
        }
    }

    #[test]
    fn parse_splits_text_and_codes() {
        let segments = parse("a {{ x.y }} b }} {{'c'}}").unwrap();
        assert_eq!(
            segments,
            vec![
                Segment::Text("a "),
                Segment::Code(Expr(vec![Operand::Path(vec!["x", "y"])])),
                Segment::Text(" b }} "),
                Segment::Code(Expr(vec![Operand::Literal(Json::str("c"))])),
            ]
        );
    }

    #[test]
    fn errors_point_at_the_problem() {
        let cases: &[(&str, ShortcodeError)] = &[
            ("ab {{ x", ShortcodeError::Unclosed { at: 3 }),
            ("{{ x }", ShortcodeError::Unclosed { at: 0 }),
            ("{{}}", ShortcodeError::Empty { at: 0 }),
            ("x{{   }}", ShortcodeError::Empty { at: 1 }),
            ("{{ || a }}", ShortcodeError::MissingOperand { at: 3 }),
            ("{{ a || }}", ShortcodeError::MissingOperand { at: 8 }),
            ("{{ a |||| b }}", ShortcodeError::MissingOperand { at: 7 }),
            ("{{ a b }}", ShortcodeError::MissingOperator { at: 5 }),
            ("{{ 'a' 'b' }}", ShortcodeError::MissingOperator { at: 7 }),
            ("{{ 'abc }}", ShortcodeError::UnterminatedString { at: 3 }),
            ("{{ \"abc }}", ShortcodeError::UnterminatedString { at: 3 }),
            ("{{ 'a\\n' }}", ShortcodeError::BadEscape { at: 5 }),
            ("{{ 'a\\", ShortcodeError::UnterminatedString { at: 3 }),
            (
                "{{ 01 }}",
                ShortcodeError::BadNumber {
                    at: 3,
                    text: "01".into(),
                },
            ),
            (
                "{{ 1.2.3 }}",
                ShortcodeError::BadNumber {
                    at: 3,
                    text: "1.2.3".into(),
                },
            ),
            ("{{ a..b }}", ShortcodeError::EmptyPathSegment { at: 5 }),
            ("{{ a. }}", ShortcodeError::EmptyPathSegment { at: 5 }),
            (
                "{{ .a }}",
                ShortcodeError::BadNumber {
                    at: 3,
                    text: ".a".into(),
                },
            ),
            (
                "{{ a | b }}",
                ShortcodeError::UnexpectedChar { at: 5, ch: '|' },
            ),
            (
                "{{ a } }}",
                ShortcodeError::UnexpectedChar { at: 5, ch: '}' },
            ),
            (
                "{{ a.b{c }}",
                ShortcodeError::UnexpectedChar { at: 6, ch: '{' },
            ),
            (
                "{{{ a }}}",
                ShortcodeError::UnexpectedChar { at: 2, ch: '{' },
            ),
            (
                "{{ a{{b}} }}",
                ShortcodeError::UnexpectedChar { at: 4, ch: '{' },
            ),
            (
                "{{ user.name! }}",
                ShortcodeError::UnexpectedChar { at: 12, ch: '!' },
            ),
            (
                "{{ é.ü/ }}",
                ShortcodeError::UnexpectedChar { at: 8, ch: '/' },
            ),
        ];
        for (text, error) in cases {
            assert_eq!(parse(text).err().as_ref(), Some(error), "{text}");
        }
    }

    #[test]
    fn quoted_strings_may_hold_anything_but_their_quote() {
        let cases: &[(&str, &str)] = &[
            ("{{ '}}' }}", "}}"),
            ("{{ \"it's\" }}", "it's"),
            ("{{ 'say \"hi\"' }}", "say \"hi\""),
            ("{{ 'a\\'b\\\\c\\\"' }}", "a'b\\c\""),
            ("{{ '{{ x }}' }}", "{{ x }}"),
            ("{{ '' }}", ""),
            ("{{'é😀'}}", "é😀"),
        ];
        for (text, value) in cases {
            assert_eq!(render_str(text, &Json::Null), Json::str(*value), "{text}");
        }
    }
}

//! The validated values a user is made of.

use proptest::prelude::*;

use crate::user::*;

#[test]
fn usernames_follow_clerks_default_rules() {
    for ok in ["abcd", "john_doe-42", "ABCD", &"a".repeat(64)] {
        assert_eq!(
            Username::parse(ok).map(|u| u.as_str().to_owned()),
            Ok(ok.to_owned())
        );
    }
    assert_eq!(
        Username::parse("abc"),
        Err(FieldError::TooShort {
            field: "username",
            min: 4
        })
    );
    assert_eq!(
        Username::parse(&"a".repeat(65)),
        Err(FieldError::TooLong {
            field: "username",
            max: 64
        })
    );
    assert_eq!(
        Username::parse(""),
        Err(FieldError::Empty { field: "username" })
    );
    for bad in ["john doe", "john.doe", "jöhn_doe", "john@doe", "abc\u{0}"] {
        assert_eq!(
            Username::parse(bad),
            Err(FieldError::InvalidCharacter { field: "username" }),
            "{bad:?}"
        );
    }
}

#[test]
fn usernames_are_unique_without_case_but_shown_as_given() {
    let u = Username::parse("John_Doe").unwrap();
    assert_eq!(u.as_str(), "John_Doe");
    assert_eq!(u.normalized(), "john_doe");
    assert_eq!(u.to_string(), "John_Doe");
}

#[test]
fn emails_are_checked_and_lowercased() {
    let e = Email::parse("Jane.Doe+tag@Example.COM").unwrap();
    assert_eq!(e.as_str(), "jane.doe+tag@example.com");
    assert_eq!(e.domain(), "example.com");
    for ok in [
        "a@b.co",
        "x_y-z!#$%&'*+/=?^`{|}~@sub.example-host.org",
        "user@xn--bcher-kva.example",
        "1@2.example",
    ] {
        assert!(Email::parse(ok).is_ok(), "{ok}");
    }
    let format = Err(FieldError::InvalidFormat {
        field: "email_address",
    });
    for bad in [
        "plain",
        "@example.com",
        "user@",
        "user@localhost",
        "user@example..com",
        ".user@example.com",
        "user.@example.com",
        "us..er@example.com",
        "user@-example.com",
        "user@example-.com",
        "user@example.123",
        "user@exam_ple.com",
        "a@b@example.com",
        "\"quoted\"@example.com",
        "user@[127.0.0.1]",
    ] {
        assert_eq!(Email::parse(bad), format, "{bad}");
    }
    for bad in [
        "user name@example.com",
        "usér@example.com",
        "user@example.com\n",
    ] {
        assert_eq!(
            Email::parse(bad),
            Err(FieldError::InvalidCharacter {
                field: "email_address"
            }),
            "{bad:?}"
        );
    }
    assert_eq!(
        Email::parse(""),
        Err(FieldError::Empty {
            field: "email_address"
        })
    );
}

#[test]
fn email_lengths_follow_the_smtp_limits() {
    let local64 = "l".repeat(64);
    assert!(Email::parse(&format!("{local64}@example.com")).is_ok());
    assert!(Email::parse(&format!("{}@example.com", "l".repeat(65))).is_err());
    let label63 = "d".repeat(63);
    assert!(Email::parse(&format!("a@{label63}.com")).is_ok());
    assert!(Email::parse(&format!("a@{}.com", "d".repeat(64))).is_err());
    // 254 characters in all is the most.
    let domain = |third: usize| {
        format!(
            "{}.{}.{}.com",
            "d".repeat(63),
            "d".repeat(63),
            "d".repeat(third)
        )
    };
    let at_254 = format!("{local64}@{}", domain(57));
    assert_eq!(at_254.len(), 254);
    assert!(Email::parse(&at_254).is_ok());
    assert_eq!(
        Email::parse(&format!("{local64}@{}", domain(58))),
        Err(FieldError::TooLong {
            field: "email_address",
            max: 254
        })
    );
}

#[test]
fn a_domain_over_253_characters_is_refused_even_when_the_address_is_short() {
    // Not reachable through `parse` (254 in all leaves at most 252 for the
    // domain); the domain check holds on its own.
    let labels = vec!["d".repeat(63); 4].join(".");
    assert_eq!(labels.len(), 255);
    assert!(!crate::user::fields::valid_domain(&labels));
    let labels = format!(
        "{}.{}.{}.{}",
        "d".repeat(63),
        "d".repeat(63),
        "d".repeat(63),
        "d".repeat(61)
    );
    assert_eq!(labels.len(), 253);
    assert!(crate::user::fields::valid_domain(&labels));
}

#[test]
fn phone_numbers_are_normalised_to_e164() {
    assert_eq!(
        E164::parse("+1 (415) 555-0100").map(|p| p.as_str().to_owned()),
        Ok("+14155550100".to_owned())
    );
    assert_eq!(
        E164::parse("+33.6.12.34.56.78").map(|p| p.to_string()),
        Ok("+33612345678".to_owned())
    );
    // 7 and 15 digits are the bounds.
    assert!(E164::parse("+6831234").is_ok());
    assert!(E164::parse("+123456789012345").is_ok());
    let format = Err(FieldError::InvalidFormat {
        field: "phone_number",
    });
    assert_eq!(E164::parse("+683123"), format);
    assert_eq!(E164::parse("+1234567890123456"), format);
    assert_eq!(E164::parse("+0123456789"), format);
    assert_eq!(E164::parse("14155550100"), format);
    assert_eq!(E164::parse("+"), format);
    for bad in ["+1415555010a", "+1 415 555 0100 ext 2", "+1/415/555"] {
        assert_eq!(
            E164::parse(bad),
            Err(FieldError::InvalidCharacter {
                field: "phone_number"
            }),
            "{bad}"
        );
    }
    assert_eq!(
        E164::parse(""),
        Err(FieldError::Empty {
            field: "phone_number"
        })
    );
}

#[test]
fn names_and_external_ids_are_bounded_free_text() {
    assert!(PersonName::parse("Zoë", "first_name").is_ok());
    assert!(PersonName::parse(&"é".repeat(256), "first_name").is_ok());
    assert_eq!(
        PersonName::parse(&"é".repeat(257), "last_name"),
        Err(FieldError::TooLong {
            field: "last_name",
            max: 256
        })
    );
    assert_eq!(
        PersonName::parse("", "first_name"),
        Err(FieldError::Empty {
            field: "first_name"
        })
    );
    assert_eq!(
        PersonName::parse("a\nb", "first_name"),
        Err(FieldError::InvalidCharacter {
            field: "first_name"
        })
    );
    assert!(ExternalId::parse("auth0|5f7c8ec7c33c6c004bbafe82").is_ok());
    assert!(ExternalId::parse(&"x".repeat(255)).is_ok());
    assert_eq!(
        ExternalId::parse(&"x".repeat(256)),
        Err(FieldError::TooLong {
            field: "external_id",
            max: 255
        })
    );
    assert_eq!(
        ExternalId::parse(""),
        Err(FieldError::Empty {
            field: "external_id"
        })
    );
    assert_eq!(
        ExternalId::parse("a\u{7f}"),
        Err(FieldError::InvalidCharacter {
            field: "external_id"
        })
    );
}

#[test]
fn image_urls_are_absolute_http_urls() {
    let ok = "https://img.example.com/u/1.png?size=64";
    assert_eq!(
        ImageUrl::parse(ok, "image_url").map(|u| u.as_str().to_owned()),
        Ok(ok.to_owned())
    );
    assert!(ImageUrl::parse("http://localhost:3000/a.png", "image_url").is_ok());
    for bad in [
        "/relative.png",
        "ftp://example.com/a.png",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "https://",
    ] {
        assert_eq!(
            ImageUrl::parse(bad, "image_url"),
            Err(FieldError::InvalidFormat { field: "image_url" }),
            "{bad}"
        );
    }
    assert_eq!(
        ImageUrl::parse("https://example.com/a b.png", "image_url"),
        Err(FieldError::InvalidCharacter { field: "image_url" })
    );
    let long = format!("https://example.com/{}", "a".repeat(2048 - 20));
    assert_eq!(long.len(), 2048);
    assert!(ImageUrl::parse(&long, "image_url").is_ok());
    assert_eq!(
        ImageUrl::parse(&format!("{long}a"), "image_url"),
        Err(FieldError::TooLong {
            field: "image_url",
            max: 2048
        })
    );
}

#[test]
fn every_error_names_its_field() {
    let errors = [
        FieldError::Empty { field: "a" },
        FieldError::TooLong { field: "b", max: 1 },
        FieldError::TooShort { field: "c", min: 1 },
        FieldError::InvalidCharacter { field: "d" },
        FieldError::InvalidFormat { field: "e" },
    ];
    let fields: Vec<&str> = errors.iter().map(FieldError::field).collect();
    assert_eq!(fields, ["a", "b", "c", "d", "e"]);
}

#[test]
fn stored_values_come_back_unchecked() {
    assert_eq!(Email::from_record("X@Y".into()).as_str(), "X@Y");
    assert_eq!(Username::from_record("a".into()).as_ref(), "a");
}

proptest! {
    #[test]
    fn a_parsed_email_parses_back_to_itself(local in "[a-zA-Z0-9_+-]{1,20}", host in "[a-z][a-z0-9]{0,10}", tld in "[a-z]{2,6}") {
        let e = Email::parse(&format!("{local}@{host}.{tld}")).unwrap();
        prop_assert_eq!(Email::parse(e.as_str()), Ok(e.clone()));
        prop_assert_eq!(e.as_str(), e.as_str().to_ascii_lowercase());
    }

    #[test]
    fn a_parsed_phone_number_parses_back_to_itself(digits in "[1-9][0-9]{6,14}") {
        let p = E164::parse(&format!("+{digits}")).unwrap();
        prop_assert_eq!(E164::parse(p.as_str()), Ok(p));
    }
}

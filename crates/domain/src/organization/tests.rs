use super::*;
use crate::json::Json;
use crate::metadata::{MetadataError, MetadataField};

const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);

fn at(ms: i64) -> UnixMillis {
    UnixMillis::new(T0.as_millis() + ms)
}

fn name(s: &str) -> OrganizationName {
    OrganizationName::parse(s).unwrap()
}

fn slug(s: &str) -> Slug {
    Slug::parse(s).unwrap()
}

fn acme() -> Organization {
    Organization::create(
        NewOrganization::named(name("Acme Inc.")),
        OrganizationId::from_random(1),
        T0,
    )
}

fn obj<const N: usize>(entries: [(&str, Json); N]) -> JsonObject {
    entries.into_iter().collect()
}

#[test]
fn names_are_trimmed_bounded_and_free_of_urls_and_html() {
    assert_eq!(name("  Acme  ").as_str(), "Acme");
    assert_eq!(name(&"é".repeat(256)).as_str().chars().count(), 256);
    assert_eq!(
        OrganizationName::parse(&"é".repeat(257)),
        Err(FieldError::TooLong {
            field: "name",
            max: 256
        })
    );
    for empty in ["", "   "] {
        assert_eq!(
            OrganizationName::parse(empty),
            Err(FieldError::Empty { field: "name" })
        );
    }
    for bad in ["<b>Acme</b>", "Acme >", "https://acme.example", "Acme\u{0}"] {
        assert_eq!(
            OrganizationName::parse(bad),
            Err(FieldError::InvalidCharacter { field: "name" }),
            "{bad}"
        );
    }
    assert_eq!(name("Acme & Co.").to_string(), "Acme & Co.");
    assert_eq!(OrganizationName::from_record("<x>".into()).as_str(), "<x>");
}

#[test]
fn slugs_are_lowercase_letters_digits_and_dashes() {
    for ok in ["acme", "acme-inc", "42", "-", "a--b", &"a".repeat(256)] {
        assert_eq!(Slug::parse(ok).map(|s| s.to_string()), Ok(ok.to_owned()));
    }
    for bad in ["Acme", "acme_inc", "acme inc", "org_2u", "acmé", "a.b"] {
        assert_eq!(
            Slug::parse(bad),
            Err(FieldError::InvalidCharacter { field: "slug" }),
            "{bad}"
        );
    }
    assert_eq!(Slug::parse(""), Err(FieldError::Empty { field: "slug" }));
    assert_eq!(
        Slug::parse(&"a".repeat(257)),
        Err(FieldError::TooLong {
            field: "slug",
            max: 256
        })
    );
    assert_eq!(Slug::from_record("X_Y".into()).as_str(), "X_Y");
}

#[test]
fn a_slug_is_generated_from_the_name_as_clerks_components_do() {
    for (n, expected) in [
        ("Acme", "acme"),
        ("Acme Inc.", "acme-inc"),
        ("  Hello,   World!  ", "hello-world"),
        ("Café Zürich 2", "caf-z-rich-2"),
        ("R&D", "r-d"),
        ("!!!Team", "team"),
        ("日本", Slug::FALLBACK),
    ] {
        assert_eq!(Slug::from_name(&name(n)).as_str(), expected, "{n}");
        assert!(Slug::parse(expected).is_ok());
    }
    // The longest name still makes a valid slug.
    let long = Slug::from_name(&name(&"A".repeat(256)));
    assert_eq!(long.as_str(), "a".repeat(256));
    assert!(Slug::parse(long.as_str()).is_ok());
}

#[test]
fn a_suffix_makes_a_taken_slug_unique_and_keeps_it_valid() {
    assert_eq!(slug("acme").with_suffix(0).as_str(), "acme-000000");
    assert_eq!(slug("acme").with_suffix(35).as_str(), "acme-z00000");
    assert_eq!(slug("acme").with_suffix(36).as_str(), "acme-010000");
    assert_ne!(slug("acme").with_suffix(1), slug("acme").with_suffix(2));
    let long = slug(&"a".repeat(256)).with_suffix(u64::MAX);
    assert_eq!(long.as_str().len(), 256);
    assert!(Slug::parse(long.as_str()).is_ok());
    // No double dash where the base was cut.
    let dashy = slug(&format!("{}-b", "a".repeat(248))).with_suffix(0);
    assert_eq!(dashy.as_str(), format!("{}-000000", "a".repeat(248)));
    let fits = slug(&"a".repeat(249)).with_suffix(0);
    assert_eq!(fits.as_str().len(), 256);
}

#[test]
fn membership_limits_count_zero_as_unlimited() {
    assert!(MembershipLimit::UNLIMITED.admits_another(u64::MAX - 1));
    let five = MembershipLimit::new(5);
    assert!(five.admits_another(4));
    assert!(!five.admits_another(5));
    assert!(!five.admits_another(6));
    assert_eq!(five.get(), 5);
    assert_eq!(MembershipLimit::from_i64(0), Ok(MembershipLimit::UNLIMITED));
    assert_eq!(
        MembershipLimit::from_i64(4_294_967_295).map(MembershipLimit::get),
        Ok(u32::MAX)
    );
    for bad in [-1, 4_294_967_296] {
        assert_eq!(
            MembershipLimit::from_i64(bad),
            Err(FieldError::InvalidFormat {
                field: "max_allowed_memberships"
            })
        );
    }
    assert_eq!(MembershipLimit::default(), MembershipLimit::UNLIMITED);
}

#[test]
fn create_generates_the_slug_and_keeps_every_field() {
    let o = acme();
    assert_eq!(o.id(), &OrganizationId::from_random(1));
    assert_eq!(o.name().as_str(), "Acme Inc.");
    assert_eq!(o.slug().as_str(), "acme-inc");
    assert_eq!(o.max_allowed_memberships(), MembershipLimit::UNLIMITED);
    assert!(o.admin_delete_enabled());
    assert_eq!((o.created_by(), o.image_url()), (None, None));
    assert_eq!((o.created_at(), o.updated_at()), (T0, T0));
    let new = NewOrganization {
        slug: Some(slug("acme")),
        image_url: Some(ImageUrl::parse("https://img.example/o.png", "image_url").unwrap()),
        public_metadata: Metadata::new(obj([("tier", Json::str("gold"))])).unwrap(),
        private_metadata: Metadata::new(obj([("crm", Json::int(7))])).unwrap(),
        max_allowed_memberships: MembershipLimit::new(3),
        admin_delete_enabled: false,
        created_by: Some(UserId::from_random(9)),
        created_at: Some(UnixMillis::new(5)),
        ..NewOrganization::named(name("Acme"))
    };
    let o = Organization::create(new.clone(), OrganizationId::from_random(2), T0);
    assert_eq!(o.slug().as_str(), "acme");
    assert_eq!(o.image_url(), new.image_url.as_ref());
    assert_eq!(o.public_metadata(), &new.public_metadata);
    assert_eq!(o.private_metadata(), &new.private_metadata);
    assert_eq!(o.max_allowed_memberships().get(), 3);
    assert!(!o.admin_delete_enabled());
    assert_eq!(o.created_by(), Some(&UserId::from_random(9)));
    assert_eq!((o.created_at(), o.updated_at()), (UnixMillis::new(5), T0));
    assert!(o.admits_another_member(2));
    assert!(!o.admits_another_member(3));
    assert_eq!(Organization::from_record(o.to_record()), o);
}

#[test]
fn a_patch_changes_what_it_names_and_says_so() {
    let mut o = acme();
    let patch = OrganizationPatch {
        name: Some(name("Acme Corp")),
        slug: Some(slug("acme-corp")),
        image_url: Some(Some(
            ImageUrl::parse("https://img.example/o.png", "image_url").unwrap(),
        )),
        max_allowed_memberships: Some(MembershipLimit::new(10)),
        admin_delete_enabled: Some(false),
    };
    assert!(o.update(patch.clone(), at(1)));
    assert_eq!(o.name().as_str(), "Acme Corp");
    assert_eq!(o.slug().as_str(), "acme-corp");
    assert!(o.image_url().is_some());
    assert_eq!(o.max_allowed_memberships().get(), 10);
    assert!(!o.admin_delete_enabled());
    assert_eq!(o.updated_at(), at(1));
    assert!(!o.update(patch, at(2)));
    assert!(!o.update(OrganizationPatch::default(), at(2)));
    assert_eq!(o.updated_at(), at(1));
    // The slug stays as it was when the name changes.
    assert!(o.update(
        OrganizationPatch {
            name: Some(name("Other")),
            image_url: Some(None),
            ..OrganizationPatch::default()
        },
        at(3)
    ));
    assert_eq!(o.slug().as_str(), "acme-corp");
    assert_eq!(o.image_url(), None);
    assert_eq!(o.updated_at(), at(3));
    // A second change in the same millisecond still moves updated_at
    // forward (the store's compare-and-set tells the two apart).
    assert!(o.update(
        OrganizationPatch {
            name: Some(name("Third")),
            ..OrganizationPatch::default()
        },
        at(3)
    ));
    assert_eq!(o.updated_at(), at(4));
}

#[test]
fn metadata_merges_and_is_refused_whole() {
    let mut o = acme();
    o.merge_metadata(
        Some(&obj([("tier", Json::str("gold"))])),
        Some(&obj([("crm", Json::int(7))])),
        at(1),
    )
    .unwrap();
    assert_eq!(
        o.public_metadata().as_object(),
        &obj([("tier", Json::str("gold"))])
    );
    assert_eq!(
        o.private_metadata().as_object(),
        &obj([("crm", Json::int(7))])
    );
    assert_eq!(o.updated_at(), at(1));
    let big = obj([("k", Json::str("x".repeat(8185)))]);
    let err = o
        .merge_metadata(Some(&obj([("tier", Json::Null)])), Some(&big), at(2))
        .unwrap_err();
    assert_eq!(
        err,
        MetadataFieldError {
            field: MetadataField::Private,
            error: MetadataError::TooLarge {
                size: 8193 + r#""crm":7,"#.len(),
                max: 8192
            }
        }
    );
    // Nothing of the refused merge applied.
    assert!(o.public_metadata().as_object().contains_key("tier"));
    assert_eq!(o.updated_at(), at(1));
    o.replace_metadata(None, Some(Metadata::empty()), at(3));
    assert_eq!(o.private_metadata(), &Metadata::empty());
    assert!(!o.public_metadata().as_object().is_empty());
    o.replace_metadata(Some(Metadata::empty()), None, at(4));
    assert_eq!(o.public_metadata(), &Metadata::empty());
    assert_eq!(o.updated_at(), at(4));
}

#[test]
fn a_reference_is_an_id_a_slug_or_either() {
    assert_eq!(
        OrganizationRef::parse("org_2u"),
        Ok(OrganizationRef::Id(
            OrganizationId::parse("org_2u").unwrap()
        ))
    );
    assert_eq!(
        OrganizationRef::parse("acme-inc"),
        Ok(OrganizationRef::IdOrSlug(
            OrganizationId::parse("acme-inc").unwrap(),
            slug("acme-inc")
        ))
    );
    // Too long for an id, still a slug.
    let long = "a".repeat(200);
    assert_eq!(
        OrganizationRef::parse(&long),
        Ok(OrganizationRef::Slug(slug(&long)))
    );
    // Not lowercase: only an id (from the team's own system).
    assert_eq!(
        OrganizationRef::parse("Acme"),
        Ok(OrganizationRef::Id(OrganizationId::parse("Acme").unwrap()))
    );
    // `org_` with a body no id may have is nothing, not a slug.
    for bad in ["", "org_a b", "a b", "org_<x>", "ünï"] {
        assert_eq!(
            OrganizationRef::parse(bad),
            Err(InvalidOrganizationRef),
            "{bad:?}"
        );
    }
}

#[test]
fn a_reference_matches_the_organization_it_names() {
    let o = acme();
    let by_id = OrganizationRef::parse(o.id().as_str()).unwrap();
    assert_eq!(by_id.id(), Some(o.id()));
    assert_eq!(by_id.slug(), None);
    assert!(by_id.matches(&o));
    let by_slug = OrganizationRef::parse("acme-inc").unwrap();
    assert_eq!(by_slug.slug(), Some(&slug("acme-inc")));
    assert!(by_slug.matches(&o));
    let only_slug = OrganizationRef::Slug(slug("acme-inc"));
    assert_eq!(only_slug.id(), None);
    assert!(only_slug.matches(&o));
    for other in ["org_other", "acme", "other-slug"] {
        assert!(
            !OrganizationRef::parse(other).unwrap().matches(&o),
            "{other}"
        );
    }
}

//! What the OpenAPI document says about values the server checks: the patterns of its fields and
//! the schemas that field attributes cannot spell (maps of labels, lists of prefixes or ports).
//!
//! The patterns mirror the server's checks (`server/src/validate.rs`, `server/src/netaddr.rs`)
//! character for character, so that a value the document allows is one the server takes and the
//! other way round. They are ECMA-262 regular expressions that Python's `re` reads the same way.
//! `#[schema(pattern = ...)]` takes only a literal, so the field attributes repeat the `NAME`,
//! `TEXT` and `EMAIL` patterns; a test in `server/tests/api/openapi.rs` checks that they agree.
//!
//! Three custom string formats name what no pattern says exactly:
//! - `ip-prefix`: an IPv4 or IPv6 prefix in canonical form (`10.1.0.0/16`, `fd00:1::/64`): no host
//!   bits set;
//! - `endpoint`: `host:port`, the host an IPv4 address, a bracketed IPv6 address or a DNS name,
//!   the port 1 to 65535;
//! - `port-range`: a port (`443`) or an inclusive range (`8000-8999`) of ports 1 to 65535.

use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type};

/// A name: 1 to 100 characters, no control characters, not starting or ending with white space
/// (Unicode `White_Space`).
pub const NAME: &str = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$";

/// Free text: no control characters but newline and tab (the length is the field's own).
pub const TEXT: &str = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$";

/// An email address, checked for shape only: a local part and a domain with a dot inside it, no
/// white space or control characters (white space around it is trimmed).
pub const EMAIL: &str = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$";

/// A label key: 1 to 63 characters of `a-z A-Z 0-9 . _ - /`.
pub const LABEL_KEY: &str = r"^[a-zA-Z0-9._/-]{1,63}$";

/// A label value: at most 255 characters, no control characters.
pub const LABEL_VALUE: &str = r"^[^\x00-\x1f\x7f-\x9f]*$";

pub const MAX_LABELS: usize = 64;

fn labels_object(nullable: bool) -> Schema {
    let ty = if nullable { SchemaType::from_iter([Type::Object, Type::Null]) } else { Type::Object.into() };
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(ty)
            .description(Some(
                "Labels: at most 64, keys of 1 to 63 characters of `a-z A-Z 0-9 . _ - /`, values of at most 255 \
                 characters without control characters.",
            ))
            .max_properties(Some(MAX_LABELS))
            .property_names(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(LABEL_KEY))
                    .min_length(Some(1))
                    .max_length(Some(63)),
            ))
            .additional_properties(Some(
                ObjectBuilder::new().schema_type(Type::String).pattern(Some(LABEL_VALUE)).max_length(Some(255)),
            ))
            .build(),
    )
}

/// Labels of a resource (or a site selector).
pub fn labels() -> Schema {
    labels_object(false)
}

/// Labels in a PATCH body: absent or `null` keeps them.
pub fn labels_update() -> Schema {
    labels_object(true)
}

fn string_list(format: &str, description: &str, max_items: Option<usize>, unique: bool, nullable: bool) -> Schema {
    let ty = if nullable { SchemaType::from_iter([Type::Array, Type::Null]) } else { Type::Array.into() };
    Schema::Array(
        ArrayBuilder::new()
            .schema_type(ty)
            .items(ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::Custom(format.into()))))
            .max_items(max_items)
            .unique_items(unique)
            .description(Some(description))
            .build(),
    )
}

const LAN_PREFIXES: &str = "IPv4 and IPv6 prefixes behind the site in canonical form (`10.1.0.0/16`, no host bits \
    set), at most 256; they may not overlap each other, the tenant's overlay prefix or another site's prefixes.";

/// A site's LAN prefixes.
pub fn lan_prefixes() -> Schema {
    string_list("ip-prefix", LAN_PREFIXES, Some(256), true, false)
}

/// A site's LAN prefixes in a PATCH body (replacing the whole list).
pub fn lan_prefixes_update() -> Schema {
    string_list("ip-prefix", LAN_PREFIXES, Some(256), true, true)
}

/// Prefixes a policy matches.
pub fn match_prefixes() -> Schema {
    string_list(
        "ip-prefix",
        "IPv4 or IPv6 prefixes in canonical form (`10.1.0.0/16`, no host bits set).",
        None,
        false,
        false,
    )
}

/// Ports a policy matches.
pub fn match_ports() -> Schema {
    string_list(
        "port-range",
        "Ports (`\"443\"`) or inclusive ranges (`\"8000-8999\"`) of ports 1 to 65535; only with protocol tcp or udp.",
        None,
        false,
        false,
    )
}

/// A domain pattern of a tenant's application: `name` or `*.name`, lowercase DNS labels (1 to 63
/// of `a-z 0-9 -`, not starting or ending with `-`), at least two
/// (`patronus_api::applications::valid_domain_pattern`). The name's own limit of 253 characters
/// is in the description only: a lookahead would say it, but generators of test data do not
/// read lookaheads.
pub const DOMAIN_PATTERN: &str = r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";

const APPLICATION_DOMAINS: &str = "Names a flow's TLS or QUIC server name, HTTP `Host` or an earlier DNS answer may \
    carry: `name` exactly, or `*.name` for any name below it (not `name` itself); lowercase labels of `a-z 0-9 -`, \
    at least two, the name at most 253 characters; at most 64 patterns, each once.";

fn application_domains_list(nullable: bool) -> Schema {
    let ty = if nullable { SchemaType::from_iter([Type::Array, Type::Null]) } else { Type::Array.into() };
    Schema::Array(
        ArrayBuilder::new()
            .schema_type(ty)
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(DOMAIN_PATTERN))
                    .min_length(Some(3))
                    .max_length(Some(255)),
            )
            .max_items(Some(64))
            .unique_items(true)
            .description(Some(APPLICATION_DOMAINS))
            .build(),
    )
}

/// A tenant application's domain patterns.
pub fn application_domains() -> Schema {
    application_domains_list(false)
}

/// A tenant application's domain patterns in a PATCH body (replacing the whole list).
pub fn application_domains_update() -> Schema {
    application_domains_list(true)
}

const APPLICATION_PREFIXES: &str = "Destination prefixes that belong to the application, IPv4 or IPv6 in canonical \
    form (`203.0.113.0/24`, no host bits set), at most 64, not overlapping each other; stored sorted.";

/// A tenant application's prefixes.
pub fn application_prefixes() -> Schema {
    string_list("ip-prefix", APPLICATION_PREFIXES, Some(64), true, false)
}

/// A tenant application's prefixes in a PATCH body (replacing the whole list).
pub fn application_prefixes_update() -> Schema {
    string_list("ip-prefix", APPLICATION_PREFIXES, Some(64), true, true)
}

const APPLICATION_PORTS: &str = "Destination ports (`\"443\"`) or inclusive ranges (`\"8000-8100\"`) of ports 1 to \
    65535, at most 32, not overlapping each other; `protocol` says whether they are TCP, UDP or both.";

/// A tenant application's ports.
pub fn application_ports() -> Schema {
    string_list("port-range", APPLICATION_PORTS, Some(32), true, false)
}

/// A tenant application's ports in a PATCH body (replacing the whole list).
pub fn application_ports_update() -> Schema {
    string_list("port-range", APPLICATION_PORTS, Some(32), true, true)
}

/// An email domain as an identity provider's `allowed_email_domains` takes it: letters, digits,
/// dots and dashes, with a dot, not starting or ending with a dot or a dash.
pub const EMAIL_DOMAIN: &str = r"^[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9.-]*[A-Za-z0-9]$";

/// The email domains an identity provider allows (at most 100; the same domain twice counts once).
pub fn email_domains() -> Schema {
    Schema::Array(
        ArrayBuilder::new()
            .schema_type(Type::Array)
            .items(ObjectBuilder::new().schema_type(Type::String).pattern(Some(EMAIL_DOMAIN)).max_length(Some(253)))
            .max_items(Some(100))
            .description(Some(
                "Only emails in these domains may sign in (any domain when empty); compared without case.",
            ))
            .build(),
    )
}

//! The OpenAPI 3.1 document. Operations come from the `#[utoipa::path]` of each handler; this
//! module adds what is the same everywhere: security schemes and the problem+json error answers
//! every operation can give.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Spec, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::error::PROBLEM_JSON;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Patronus API",
        description = "Multi-tenant SD-WAN control plane. Errors are RFC 9457 problem+json; resources carry an \
            ETag and honour If-Match; POST honours Idempotency-Key; lists use cursor pagination.",
        license(name = "Apache-2.0")
    ),
    components(schemas(patronus_api::Problem, patronus_api::FieldError)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "tenants", description = "Tenants (platform scope)"),
        (name = "platform", description = "Platform operations"),
        (name = "auth", description = "Login and sessions"),
        (name = "users", description = "Users of a tenant"),
        (name = "identity-provider", description = "The tenant's identity provider for single sign-on (OIDC)"),
        (name = "api-tokens", description = "API tokens of a tenant"),
        (name = "audit", description = "The audit log"),
        (name = "sites", description = "Sites and their compiled configuration"),
        (name = "links", description = "WAN links of sites"),
        (name = "bgp", description = "BGP settings of sites and the routes their agents learned"),
        (name = "topology", description = "The tenant's overlay topology"),
        (name = "peerings", description = "Explicit pairs of peering sites"),
        (name = "qos-classes", description = "QoS classes"),
        (name = "applications", description = "The tenant's own applications, which policies match by name beside the built-in catalogue"),
        (name = "policies", description = "Routing and QoS policies"),
        (name = "agents", description = "Enrollment tokens, enrolled agents and site status (operators)"),
        (name = "fleet", description = "The tenant's fleet at a glance: sites by health, sites needing attention, recent failovers"),
        (name = "paths", description = "Path health as agents measure it: now, history, failover events"),
        (name = "agent", description = "The agent protocol: enrollment, config long poll, status reports, learned BGP routes"),
        (name = "health", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, spec: &mut Spec) {
        let components = spec.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            crate::routes::TENANT_AUTH,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A tenant API token (`ptrn_api_...`) or an access token (JWT) from /v1/auth/login",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            crate::routes::AGENT_AUTH,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An agent credential (`ptrn_agent_...`) from /v1/agent/enroll"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            crate::routes::PLATFORM_AUTH,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A platform-admin token (`ptrn_plat_...`)"))
                    .build(),
            ),
        );
    }
}

/// The shared error answers, by status code.
const ERRORS: &[(&str, &str, &str)] = &[
    ("400", "BadRequest", "The request could not be read (malformed JSON, a bad id)"),
    ("401", "Unauthorized", "No credential, or an invalid, expired or revoked one"),
    ("403", "Forbidden", "The caller's role or scope does not allow this"),
    ("404", "NotFound", "No such resource (or it belongs to another tenant)"),
    ("409", "Conflict", "A unique field clashes, a quota is reached, or the state forbids it"),
    ("412", "PreconditionFailed", "If-Match does not match the current ETag"),
    ("413", "PayloadTooLarge", "The body exceeds 1 MiB"),
    ("415", "UnsupportedMediaType", "The body is not application/json"),
    ("422", "ValidationFailed", "Invalid fields, each with its JSON Pointer"),
    ("429", "RateLimited", "Rate limit reached; see Retry-After"),
    ("500", "InternalError", "A server bug; it has been logged"),
    ("503", "Unavailable", "The database is unavailable"),
];

/// The shared error answers an operation can give, from what it takes: a credential, a path
/// parameter, query parameters, a body, `If-Match`.
fn errors_for(method: &str, path: &str, op: &Operation) -> Vec<&'static str> {
    let params = op.parameters.as_deref().unwrap_or_default();
    let takes = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
    let mut codes = vec!["400", "429", "500", "503"];
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) || path == "/v1/auth/whoami" {
        codes.extend(["401", "403"]);
    }
    // Anonymous operations whose body carries a credential answer 401 when it is not good.
    if (path.starts_with("/v1/auth/") || path == "/v1/agent/enroll") && method == "post" {
        codes.push("401");
    }
    if path.contains('{') {
        codes.push("404");
    }
    if matches!(method, "post" | "put" | "patch") {
        codes.extend(["409", "413", "415", "422"]);
    }
    // A query parameter that does not parse, or is out of its range (a `limit`, a `cursor`).
    if takes(ParameterIn::Query) {
        codes.push("422");
    }
    if params.iter().any(|p| p.parameter_in == ParameterIn::Header && p.name.eq_ignore_ascii_case("if-match")) {
        codes.push("412");
    }
    codes
}

/// What `If-Match` takes (`crate::extract::IfMatch`): visible ASCII, as every header value the
/// server reads; anything else is a 400.
const IF_MATCH_PATTERN: &str = r"^[\t -~]*$";

/// Header parameters are optional strings, never `null` (which a client would send as the text
/// `null`); `If-Match` says what the server does with it.
fn tidy_header_parameters(op: &mut Operation) {
    for param in op.parameters.iter_mut().flatten() {
        if param.parameter_in != ParameterIn::Header {
            continue;
        }
        let mut schema = ObjectBuilder::new().schema_type(Type::String);
        if param.name.eq_ignore_ascii_case("if-match") {
            schema = schema.pattern(Some(IF_MATCH_PATTERN));
            param.description = Some(
                "The ETag the change is based on (or several, comma-separated; `*` matches any). A stale one \
                 is a 412. Absent or empty: the change is unconditional."
                    .to_string(),
            );
        }
        param.schema = Some(RefOr::T(Schema::Object(schema.build())));
    }
}

/// Adds the error answers to every `/v1` operation, and tidies its header parameters.
pub fn add_error_responses(spec: &mut Spec) {
    let components = spec.components.get_or_insert_with(Default::default);
    for (_, name, description) in ERRORS {
        components.responses.insert(
            (*name).to_string(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(*description)
                    .content(PROBLEM_JSON, Content::new(Some(Ref::from_schema_name("Problem"))))
                    .build(),
            ),
        );
    }
    for (path, item) in spec.paths.paths.iter_mut() {
        if !path.starts_with("/v1/") {
            continue;
        }
        let ops = [
            ("get", item.get.as_mut()),
            ("post", item.post.as_mut()),
            ("put", item.put.as_mut()),
            ("patch", item.patch.as_mut()),
            ("delete", item.delete.as_mut()),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            tidy_header_parameters(op);
            for code in errors_for(method, path, op) {
                let Some((_, name, _)) = ERRORS.iter().find(|(c, _, _)| *c == code) else {
                    continue;
                };
                op.responses
                    .responses
                    .entry(code.to_string())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(*name)));
            }
        }
    }
}

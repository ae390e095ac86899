//! Field validation shared by handlers. Each check records a field error under its JSON Pointer
//! and returns the normalised value, so a handler collects every error of a request at once.

use patronus_api::FieldError;

#[derive(Default)]
pub struct Errors(Vec<FieldError>);

/// The field errors of a request that failed validation; the HTTP layer renders them as a 422.
#[derive(Debug)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn one(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldErrors(vec![FieldError { pointer: pointer.into(), detail: detail.into() }])
    }
}

impl Errors {
    pub fn new() -> Self {
        Errors(Vec::new())
    }

    pub fn add(&mut self, pointer: &str, detail: impl Into<String>) {
        self.0.push(FieldError { pointer: pointer.to_string(), detail: detail.into() });
    }

    /// Every recorded error, if there is any.
    pub fn check(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(FieldErrors(self.0))
        }
    }
}

pub const MAX_NAME_LEN: usize = 100;

/// A display name: 1 to 100 characters, no control characters, no surrounding blanks.
pub fn name(errors: &mut Errors, pointer: &str, value: &str) -> String {
    if value.trim().is_empty() {
        errors.add(pointer, "must not be empty");
    } else if value.chars().count() > MAX_NAME_LEN {
        errors.add(pointer, format!("must be at most {MAX_NAME_LEN} characters"));
    } else if value.chars().any(char::is_control) {
        errors.add(pointer, "must not contain control characters");
    } else if value.trim() != value {
        errors.add(pointer, "must not start or end with white space");
    }
    value.to_string()
}

/// A slug: 1 to 63 lowercase letters, digits and dashes, starting and ending with a letter or digit.
pub fn slug(errors: &mut Errors, pointer: &str, value: &str) -> String {
    let ok = !value.is_empty()
        && value.len() <= 63
        && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if !ok {
        errors.add(pointer, "must be 1 to 63 lowercase letters, digits and dashes, not starting or ending with a dash");
    }
    value.to_string()
}

/// An email address, lowercased. Checked for shape only: delivery is not this server's concern.
pub fn email(errors: &mut Errors, pointer: &str, value: &str) -> String {
    let normalised = value.trim().to_lowercase();
    let valid = normalised.len() <= 254
        && !normalised.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(normalised.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains('@'));
    if !valid {
        errors.add(pointer, "must be an email address such as ops@example.com");
    }
    normalised
}

pub fn password(errors: &mut Errors, pointer: &str, value: &str) {
    let len = value.chars().count();
    if len < crate::auth::secrets::MIN_PASSWORD_LEN {
        errors.add(pointer, format!("must be at least {} characters", crate::auth::secrets::MIN_PASSWORD_LEN));
    } else if len > 1024 {
        errors.add(pointer, "must be at most 1024 characters");
    }
}

pub const MAX_QUOTA: i32 = 1_000_000;

pub fn quota(errors: &mut Errors, pointer: &str, value: i32) -> i32 {
    if !(0..=MAX_QUOTA).contains(&value) {
        errors.add(pointer, format!("must be between 0 and {MAX_QUOTA}"));
    }
    value
}

/// Free text such as a description: at most `max` characters, no control characters but newlines.
pub fn text(errors: &mut Errors, pointer: &str, value: &str, max: usize) -> String {
    if value.chars().count() > max {
        errors.add(pointer, format!("must be at most {max} characters"));
    } else if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        errors.add(pointer, "must not contain control characters");
    }
    value.to_string()
}

/// Labels: at most 64; keys of 1 to 63 characters from `a-z A-Z 0-9 . _ - /`; values up to 255.
pub fn labels(
    errors: &mut Errors,
    pointer: &str,
    labels: &std::collections::BTreeMap<String, String>,
) -> std::collections::BTreeMap<String, String> {
    if labels.len() > 64 {
        errors.add(pointer, "at most 64 labels");
    }
    for (key, value) in labels {
        let key_ok = !key.is_empty()
            && key.len() <= 63
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/'));
        if !key_ok {
            errors.add(
                &format!("{pointer}/{key}"),
                "label keys are 1 to 63 characters of a-z, A-Z, 0-9, '.', '_', '-', '/'",
            );
        } else if value.chars().count() > 255 || value.chars().any(char::is_control) {
            errors.add(
                &format!("{pointer}/{key}"),
                "label values are at most 255 characters, without control characters",
            );
        }
    }
    labels.clone()
}

/// A whole number in `range`, for fields wider than their meaningful range.
pub fn within(errors: &mut Errors, pointer: &str, value: u64, range: std::ops::RangeInclusive<u64>) -> u64 {
    if !range.contains(&value) {
        errors.add(pointer, format!("must be between {} and {}", range.start(), range.end()));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_error_with_its_pointer() {
        let mut errors = Errors::new();
        name(&mut errors, "/name", "");
        slug(&mut errors, "/slug", "Bad_Slug");
        let email = email(&mut errors, "/email", " Ops@Example.COM ");
        assert_eq!(email, "ops@example.com");
        password(&mut errors, "/password", "short");
        quota(&mut errors, "/quotas/max_users", -1);
        let Err(FieldErrors(list)) = errors.check() else { panic!("expected errors") };
        let pointers: Vec<_> = list.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/name", "/slug", "/password", "/quotas/max_users"]);
    }

    #[test]
    fn rejects_malformed_emails() {
        for bad in ["", "a", "a@b", "@b.c", "a@.c", "a b@c.d", "a@b.c."] {
            let mut errors = Errors::new();
            email(&mut errors, "/email", bad);
            assert!(errors.check().is_err(), "{bad} accepted");
        }
    }
}

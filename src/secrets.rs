//! Hiding secrets in connection strings and URLs before they are printed:
//! URL user info, query parameters whose names suggest a secret
//! (`password`, `token`, `sig`, `X-Amz-Signature`, …), and libpq's
//! `key=value` passwords.

/// What a hidden password reads as.
const MASK: &str = "****";

/// `location` with every secret it holds replaced by `****`: the password
/// of a URL's user info, the value of every query parameter whose name
/// suggests a secret (see `is_secret_key`), and every `key=value` pair
/// whose key contains `password` (any case).
pub fn mask(location: &str) -> String {
    match url::Url::parse(location) {
        Ok(url) if url.has_host() || url.password().is_some() || url.query().is_some() => {
            mask_url(url)
        }
        _ => mask_key_values(&mask_user_info(location)),
    }
}

/// Masks the password of `scheme://user:password@...` in text that does
/// not parse as a URL (it is printed in the error that says so).
fn mask_user_info(text: &str) -> String {
    let Some(start) = text.find("://").map(|i| i + 3) else {
        return text.to_owned();
    };
    let authority_end = text[start..].find('/').map_or(text.len(), |i| start + i);
    let Some(at) = text[start..authority_end].rfind('@').map(|i| start + i) else {
        return text.to_owned();
    };
    match text[start..at].find(':') {
        Some(colon) => format!("{}{MASK}{}", &text[..start + colon + 1], &text[at..]),
        None => text.to_owned(),
    }
}

fn mask_url(mut url: url::Url) -> String {
    if url.password().is_some() {
        let _ = url.set_password(Some(MASK));
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_secret_key(&k) {
                    MASK.into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// Whether a query parameter's name suggests a secret: a password, a
/// token, a secret, a key, a signature (`sig`, `signature`, AWS's
/// `X-Amz-*` of a presigned URL, `access_token`, …), in any case.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.starts_with("x-amz-")
        || key.starts_with("x-goog-")
        || [
            "password",
            "passwd",
            "token",
            "secret",
            "key",
            "sig",
            "credential",
            "auth",
        ]
        .iter()
        .any(|word| key.contains(word))
}

/// Masks the values of `key = value` pairs (libpq conninfo: values may be
/// single-quoted with `\'` escapes) whose key names a password.
fn mask_key_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    while let Some(found) = lower[pos..].find("password") {
        let key_end = pos + found + "password".len();
        // The rest of the key (sslpassword, password_file, ...).
        let key_end = key_end
            + text[key_end..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(text.len() - key_end);
        let after_key = text[key_end..].trim_start();
        let Some(value) = after_key.strip_prefix('=') else {
            out.push_str(&text[pos..key_end]);
            pos = key_end;
            continue;
        };
        let value = value.trim_start();
        let value_start = text.len() - value.len();
        let value_len = quoted_len(value)
            .unwrap_or_else(|| value.find(char::is_whitespace).unwrap_or(value.len()));
        out.push_str(&text[pos..value_start]);
        out.push_str(MASK);
        pos = value_start + value_len;
    }
    out.push_str(&text[pos..]);
    out
}

/// The length of a single-quoted value at the start of `value`, quotes
/// included, if it starts with one.
fn quoted_len(value: &str) -> Option<usize> {
    let rest = value.strip_prefix('\'')?;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '\'' => return Some(i + 2),
            _ => {}
        }
    }
    Some(value.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_is_masked() {
        for (given, shown) in [
            (
                "postgres://janitor:secret@db/janitor",
                "postgres://janitor:****@db/janitor",
            ),
            (
                "postgres://janitor@db/janitor?password=secret&sslmode=require",
                "postgres://janitor@db/janitor?password=****&sslmode=require",
            ),
            (
                "postgres:///janitor?host=/run/postgresql&PassWord=secret",
                "postgres:///janitor?host=%2Frun%2Fpostgresql&PassWord=****",
            ),
            (
                "host=db user=janitor password=secret dbname=janitor",
                "host=db user=janitor password=**** dbname=janitor",
            ),
            (
                "host=db password = 'se cr\\'et' dbname=janitor",
                "host=db password = **** dbname=janitor",
            ),
            ("redis://:secret@redis:6379/0", "redis://:****@redis:6379/0"),
            ("redis://:secret@[::1", "redis://:****@[::1"),
            ("postgres:///janitor", "postgres:///janitor"),
            ("no password here", "no password here"),
            (
                "https://mirror.example/debian?token=secret&suite=unstable",
                "https://mirror.example/debian?token=****&suite=unstable",
            ),
            (
                "https://b.s3.amazonaws.com/d?X-Amz-Signature=secret&X-Amz-Credential=secret&v=1",
                "https://b.s3.amazonaws.com/d?X-Amz-Signature=****&X-Amz-Credential=****&v=1",
            ),
            (
                "https://blob.example/d?sig=secret&access_token=secret&api_key=secret",
                "https://blob.example/d?sig=****&access_token=****&api_key=****",
            ),
        ] {
            let masked = mask(given);
            assert_eq!(masked, shown, "{given}");
            assert!(!masked.contains("secret"), "{masked}");
        }
    }
}

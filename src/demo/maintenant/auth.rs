//! The reverse proxy the demo can pretend to sit behind. maintenant has no auth of its own;
//! operators put nginx basic auth, an OAuth2 proxy or a forward-auth header in front of it.
//! With [`ProxyAuth`] set, every request must carry the credential, or it gets the proxy's
//! `401` (plain text, with `WWW-Authenticate`) before any routing.

use super::ProxyAuth;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Standard base64 with padding (RFC 4648), for the expected Basic credential.
pub fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The credential a request must carry, precomputed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// `Authorization: <scheme> <token>`; the scheme is matched without regard to case.
    Authorization { scheme: &'static str, token: String },
    /// A header (name in lower case) with this exact value.
    Header { name: String, value: String },
}

impl Expected {
    pub fn new(auth: &ProxyAuth) -> Expected {
        match auth {
            ProxyAuth::Basic { user, password } => Expected::Authorization {
                scheme: "Basic",
                token: base64(format!("{user}:{password}").as_bytes()),
            },
            ProxyAuth::Bearer(token) => Expected::Authorization {
                scheme: "Bearer",
                token: token.clone(),
            },
            ProxyAuth::Header { name, value } => Expected::Header {
                name: name.to_ascii_lowercase(),
                value: value.clone(),
            },
        }
    }

    /// The challenge of the proxy's 401.
    fn challenge(&self) -> &'static str {
        match self {
            Expected::Authorization {
                scheme: "Basic", ..
            } => "Basic realm=\"maintenant\"",
            _ => "Bearer realm=\"maintenant\"",
        }
    }

    fn accepts(&self, headers: &HeaderMap) -> bool {
        match self {
            Expected::Authorization { scheme, token } => headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().split_once(' '))
                .is_some_and(|(s, t)| s.eq_ignore_ascii_case(scheme) && t.trim() == token),
            Expected::Header { name, value } => headers
                .get(name.as_str())
                .is_some_and(|v| v.as_bytes() == value.as_bytes()),
        }
    }
}

/// The proxy's refusal, or `None` when the request may pass.
pub fn check(expected: Option<&Expected>, headers: &HeaderMap) -> Option<Response> {
    let expected = expected?;
    if expected.accepts(headers) {
        return None;
    }
    let mut response = (StatusCode::UNAUTHORIZED, "401 Unauthorized").into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(expected.challenge()),
    );
    Some(response)
}

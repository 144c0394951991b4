//! Template tokens signed with a template's own key, in any of the
//! algorithms Clerk offers for JWT templates.

use hallpass_domain::SigningAlgorithm;
use hallpass_domain::token::TokenCategory;
use josekit::jws::{
    ES256, ES384, EdDSA, HS256, HS384, HS512, JwsHeader, JwsSigner, RS256, RS384, RS512,
};
use josekit::jwt::{self, JwtPayload};
use serde_json::{Map, Value};

/// A signer for `algorithm` from `key` (PEM private key, or HMAC secret).
pub(crate) fn signer(algorithm: SigningAlgorithm, key: &str) -> Result<Box<dyn JwsSigner>, String> {
    let pem = key.as_bytes();
    let result: Result<Box<dyn JwsSigner>, josekit::JoseError> = match algorithm {
        SigningAlgorithm::RS256 => RS256.signer_from_pem(pem).map(|s| Box::new(s) as _),
        SigningAlgorithm::RS384 => RS384.signer_from_pem(pem).map(|s| Box::new(s) as _),
        SigningAlgorithm::RS512 => RS512.signer_from_pem(pem).map(|s| Box::new(s) as _),
        SigningAlgorithm::ES256 => ES256.signer_from_pem(pem).map(|s| Box::new(s) as _),
        SigningAlgorithm::ES384 => ES384.signer_from_pem(pem).map(|s| Box::new(s) as _),
        SigningAlgorithm::EdDSA => EdDSA.signer_from_pem(pem).map(|s| Box::new(s) as _),
        SigningAlgorithm::HS256 => HS256.signer_from_bytes(pem).map(|s| Box::new(s) as _),
        SigningAlgorithm::HS384 => HS384.signer_from_bytes(pem).map(|s| Box::new(s) as _),
        SigningAlgorithm::HS512 => HS512.signer_from_bytes(pem).map(|s| Box::new(s) as _),
    };
    result.map_err(|e| {
        // josekit's messages can quote key material: keep only the kind.
        let kind = match e {
            josekit::JoseError::InvalidKeyFormat(_) => {
                "the key is not a valid key for this algorithm"
            }
            _ => "the key cannot be used with this algorithm",
        };
        format!("{kind} ({algorithm})")
    })
}

/// Signs template claims: header `typ: JWT`, `cat` of a template token,
/// `kid` when given.
pub(crate) fn sign(
    signer: &dyn JwsSigner,
    kid: Option<&str>,
    claims: Map<String, Value>,
) -> Result<String, anyhow::Error> {
    let mut header = JwsHeader::new();
    header.set_token_type("JWT");
    if let Some(kid) = kid {
        header.set_key_id(kid);
    }
    header.set_claim(
        "cat",
        Some(Value::String(TokenCategory::Template.as_str().to_owned())),
    )?;
    let payload = JwtPayload::from_map(claims)?;
    Ok(jwt::encode_with_signer(&payload, &header, signer)?)
}

//! Private keys encrypted at rest: JWE compact serialisation, direct
//! encryption with AES-256-GCM under a 32-byte key from configuration.
//! The sealing label names the scheme and a fingerprint of the key, so a
//! store sealed under another key is reported as such instead of failing
//! obscurely.

use anyhow::{Context as _, anyhow};
use josekit::jwe::{self, Dir, JweHeader};
use secrecy::{ExposeSecret as _, SecretBox, SecretString};
use sha2::{Digest as _, Sha256};

/// Stored keys in plain PEM.
pub const NONE: &str = "none";
const SCHEME: &str = "jwe-dir-a256gcm";

/// A configured encryption key.
pub struct Sealer {
    key: SecretBox<[u8; 32]>,
    label: String,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl Sealer {
    /// A sealer over a 32-byte key.
    pub fn new(key: [u8; 32]) -> Self {
        let fingerprint: String = Sha256::digest(key)
            .iter()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect();
        Self {
            key: SecretBox::new(Box::new(key)),
            label: format!("{SCHEME}:{fingerprint}"),
        }
    }

    /// The label stored beside a key sealed by this sealer.
    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn seal(&self, plain: &str) -> anyhow::Result<String> {
        let mut header = JweHeader::new();
        header.set_content_encryption("A256GCM");
        let encrypter = Dir
            .encrypter_from_bytes(self.key.expose_secret())
            .context("building the key encrypter")?;
        jwe::serialize_compact(plain.as_bytes(), &header, &encrypter).context("sealing a key")
    }

    pub fn open(&self, sealed: &str) -> anyhow::Result<SecretString> {
        let decrypter = Dir
            .decrypter_from_bytes(self.key.expose_secret())
            .context("building the key decrypter")?;
        let (plain, _) = jwe::deserialize_compact(sealed, &decrypter)
            .map_err(|_| anyhow!("the key does not decrypt under the configured encryption key"))?;
        Ok(SecretString::from(
            String::from_utf8(plain).context("a decrypted key is not UTF-8")?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_under_the_same_key() {
        let a = Sealer::new([7; 32]);
        let b = Sealer::new([8; 32]);
        let sealed = a.seal("-----BEGIN PRIVATE KEY-----").unwrap();
        assert!(!sealed.contains("PRIVATE KEY"));
        assert_eq!(
            a.open(&sealed).unwrap().expose_secret(),
            "-----BEGIN PRIVATE KEY-----"
        );
        assert!(b.open(&sealed).is_err());
        assert_ne!(a.label(), b.label());
        assert!(a.label().starts_with("jwe-dir-a256gcm:"));
    }
}

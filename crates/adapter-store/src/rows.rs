//! Row types and their conversion to and from domain values. A row that does
//! not convert is reported as corrupt (an unexpected error), never skipped.

use anyhow::{Context as _, anyhow};
use diesel::prelude::*;
use hallpass_domain::DevBrowserId;
use hallpass_domain::client::{ClientRecord, RotatingToken};
use hallpass_domain::session::{Actor, SessionRecord, SessionTask};
use hallpass_domain::{
    Client, ClientId, Environment, Instance, InstanceId, OrganizationId, Session, SessionId,
    SessionStatus, UnixMillis, UserId,
};
use hallpass_domain::{Json, JwtTemplateId, SigningAlgorithm, TemplateName};
use hallpass_ports::{
    DevBrowserRecord, SealedCustomKey, SecretKeyRecord, SigningKeyRecord, TemplateRow,
};

use crate::schema::{
    clients, dev_browsers, instances, jwt_templates, secret_keys, sessions, sign_in_tokens,
    signing_keys,
};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = instances)]
pub struct InstanceRow {
    pub id: String,
    pub environment: String,
    pub created_at: i64,
}

impl InstanceRow {
    pub fn from_domain(i: &Instance) -> Self {
        Self {
            id: i.id.to_string(),
            environment: i.environment.as_str().to_owned(),
            created_at: i.created_at.as_millis(),
        }
    }

    pub fn into_domain(self) -> anyhow::Result<Instance> {
        Ok(Instance {
            id: InstanceId::parse(&self.id).context("corrupt instance id")?,
            environment: Environment::parse(&self.environment)
                .ok_or_else(|| anyhow!("corrupt instance environment"))?,
            created_at: UnixMillis::new(self.created_at),
        })
    }
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = signing_keys)]
pub struct SigningKeyRow {
    pub kid: String,
    pub algorithm: String,
    pub private_key: String,
    pub sealing: String,
    pub public_jwk: String,
    pub created_at: i64,
    pub activates_at: i64,
    pub retires_at: Option<i64>,
}

impl SigningKeyRow {
    pub fn from_record(k: &SigningKeyRecord) -> Self {
        Self {
            kid: k.kid.clone(),
            algorithm: k.algorithm.clone(),
            private_key: k.private_key.clone(),
            sealing: k.sealing.clone(),
            public_jwk: k.public_jwk.clone(),
            created_at: k.created_at.as_millis(),
            activates_at: k.activates_at.as_millis(),
            retires_at: k.retires_at.map(UnixMillis::as_millis),
        }
    }

    pub fn into_record(self) -> SigningKeyRecord {
        SigningKeyRecord {
            kid: self.kid,
            algorithm: self.algorithm,
            private_key: self.private_key,
            sealing: self.sealing,
            public_jwk: self.public_jwk,
            created_at: UnixMillis::new(self.created_at),
            activates_at: UnixMillis::new(self.activates_at),
            retires_at: self.retires_at.map(UnixMillis::new),
        }
    }
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = secret_keys)]
pub struct SecretKeyRow {
    pub id: String,
    pub hash: String,
    pub hint: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

impl SecretKeyRow {
    pub fn from_record(k: &SecretKeyRecord) -> Self {
        Self {
            id: k.id.clone(),
            hash: k.hash.clone(),
            hint: k.hint.clone(),
            created_at: k.created_at.as_millis(),
            revoked_at: k.revoked_at.map(UnixMillis::as_millis),
        }
    }

    pub fn into_record(self) -> SecretKeyRecord {
        SecretKeyRecord {
            id: self.id,
            hash: self.hash,
            hint: self.hint,
            created_at: UnixMillis::new(self.created_at),
            revoked_at: self.revoked_at.map(UnixMillis::new),
        }
    }
}

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = clients, treat_none_as_null = true)]
pub struct ClientRow {
    pub id: String,
    pub rotating_token: String,
    pub last_active_session_id: Option<String>,
    pub cookie_expires_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ClientRow {
    pub fn from_domain(c: &Client) -> Self {
        Self {
            id: c.id().to_string(),
            rotating_token: c.rotating_token().expose().to_owned(),
            last_active_session_id: c.last_active_session_id().map(ToString::to_string),
            cookie_expires_at: c.cookie_expires_at().as_millis(),
            created_at: c.created_at().as_millis(),
            updated_at: c.updated_at().as_millis(),
        }
    }

    pub fn into_domain(self) -> anyhow::Result<Client> {
        Ok(Client::from_record(ClientRecord {
            id: ClientId::parse(&self.id).context("corrupt client id")?,
            rotating_token: RotatingToken::parse(&self.rotating_token)
                .ok_or_else(|| anyhow!("corrupt rotating token of {}", self.id))?,
            last_active_session_id: self
                .last_active_session_id
                .as_deref()
                .map(SessionId::parse)
                .transpose()
                .context("corrupt last_active_session_id")?,
            cookie_expires_at: UnixMillis::new(self.cookie_expires_at),
            created_at: UnixMillis::new(self.created_at),
            updated_at: UnixMillis::new(self.updated_at),
        }))
    }
}

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = sessions, treat_none_as_null = true)]
pub struct SessionRow {
    pub id: String,
    pub client_id: String,
    pub user_id: String,
    pub status: String,
    pub actor_sub: Option<String>,
    pub actor_iss: Option<String>,
    pub actor_sid: Option<String>,
    pub last_active_organization_id: Option<String>,
    pub tasks: String,
    pub last_active_at: i64,
    pub expire_at: i64,
    pub abandon_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl SessionRow {
    pub fn from_domain(s: &Session) -> Self {
        let actor = s.actor();
        Self {
            id: s.id().to_string(),
            client_id: s.client_id().to_string(),
            user_id: s.user_id().to_string(),
            status: s.status().as_str().to_owned(),
            actor_sub: actor.map(|a| a.sub().to_owned()),
            actor_iss: actor.and_then(|a| a.iss().map(str::to_owned)),
            actor_sid: actor.and_then(|a| a.sid().map(str::to_owned)),
            last_active_organization_id: s.last_active_organization_id().map(ToString::to_string),
            tasks: s
                .tasks()
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(","),
            last_active_at: s.last_active_at().as_millis(),
            expire_at: s.expire_at().as_millis(),
            abandon_at: s.abandon_at().as_millis(),
            created_at: s.created_at().as_millis(),
            updated_at: s.updated_at().as_millis(),
        }
    }

    pub fn into_domain(self) -> anyhow::Result<Session> {
        let tasks = if self.tasks.is_empty() {
            Vec::new()
        } else {
            self.tasks
                .split(',')
                .map(|k| SessionTask::parse(k).ok_or_else(|| anyhow!("corrupt task {k:?}")))
                .collect::<anyhow::Result<_>>()?
        };
        let actor = self
            .actor_sub
            .map(|sub| Actor::new(sub, self.actor_iss, self.actor_sid))
            .transpose()
            .context("corrupt session actor")?;
        Ok(Session::from_record(SessionRecord {
            id: SessionId::parse(&self.id).context("corrupt session id")?,
            client_id: ClientId::parse(&self.client_id).context("corrupt session client_id")?,
            user_id: UserId::parse(&self.user_id).context("corrupt session user_id")?,
            status: self
                .status
                .parse::<SessionStatus>()
                .context("corrupt session status")?,
            actor,
            last_active_organization_id: self
                .last_active_organization_id
                .as_deref()
                .map(OrganizationId::parse)
                .transpose()
                .context("corrupt organization id")?,
            tasks,
            last_active_at: UnixMillis::new(self.last_active_at),
            expire_at: UnixMillis::new(self.expire_at),
            abandon_at: UnixMillis::new(self.abandon_at),
            created_at: UnixMillis::new(self.created_at),
            updated_at: UnixMillis::new(self.updated_at),
        }))
    }
}

/// Status names, for `status IN (...)` conditions.
pub fn status_names(statuses: &[SessionStatus]) -> Vec<&'static str> {
    statuses.iter().map(|s| s.as_str()).collect()
}

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = jwt_templates, treat_none_as_null = true)]
pub struct JwtTemplateRow {
    pub id: String,
    pub name: String,
    pub claims: String,
    pub lifetime: i64,
    pub allowed_clock_skew: i64,
    pub custom_key_algorithm: Option<String>,
    pub custom_key: Option<String>,
    pub custom_key_sealing: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl JwtTemplateRow {
    pub fn from_record(t: &TemplateRow) -> Self {
        let key = t.custom_key.as_ref();
        Self {
            id: t.id.to_string(),
            name: t.name.as_str().to_owned(),
            claims: Json::Object(t.claims.clone()).to_compact_string(),
            lifetime: t.lifetime,
            allowed_clock_skew: t.allowed_clock_skew,
            custom_key_algorithm: key.map(|k| k.algorithm.as_str().to_owned()),
            custom_key: key.map(|k| k.sealed.clone()),
            custom_key_sealing: key.map(|k| k.sealing.clone()),
            created_at: t.created_at.as_millis(),
            updated_at: t.updated_at.as_millis(),
        }
    }

    pub fn into_record(self) -> anyhow::Result<TemplateRow> {
        let custom_key = match (
            self.custom_key_algorithm,
            self.custom_key,
            self.custom_key_sealing,
        ) {
            (Some(algorithm), Some(sealed), Some(sealing)) => Some(SealedCustomKey {
                algorithm: SigningAlgorithm::parse(&algorithm)
                    .map_err(|_| anyhow!("corrupt template signing algorithm"))?,
                sealed,
                sealing,
            }),
            (None, None, None) => None,
            _ => return Err(anyhow!("corrupt template signing key of {}", self.id)),
        };
        Ok(TemplateRow {
            id: JwtTemplateId::parse(&self.id).context("corrupt template id")?,
            name: TemplateName::parse(&self.name).map_err(|_| anyhow!("corrupt template name"))?,
            claims: hallpass_json_bridge::parse_object(&self.claims)
                .context("corrupt template claims")?,
            lifetime: self.lifetime,
            allowed_clock_skew: self.allowed_clock_skew,
            custom_key,
            created_at: UnixMillis::new(self.created_at),
            updated_at: UnixMillis::new(self.updated_at),
        })
    }
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = dev_browsers)]
pub struct DevBrowserRow {
    pub id: String,
    pub client_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl DevBrowserRow {
    pub fn from_record(b: &DevBrowserRecord) -> Self {
        Self {
            id: b.id.to_string(),
            client_id: b.client_id.as_ref().map(ToString::to_string),
            created_at: b.created_at.as_millis(),
            updated_at: b.updated_at.as_millis(),
        }
    }

    pub fn into_record(self) -> anyhow::Result<DevBrowserRecord> {
        Ok(DevBrowserRecord {
            id: DevBrowserId::parse(&self.id).context("corrupt dev browser id")?,
            client_id: self
                .client_id
                .as_deref()
                .map(ClientId::parse)
                .transpose()
                .context("corrupt dev browser client id")?,
            created_at: UnixMillis::new(self.created_at),
            updated_at: UnixMillis::new(self.updated_at),
        })
    }
}

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = sign_in_tokens)]
pub struct SignInTokenRow {
    pub id: String,
    pub user_id: String,
    pub token_hash: String,
    pub status: String,
    pub expires_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl SignInTokenRow {
    pub fn from_domain(t: &hallpass_domain::sign_in_token::SignInToken) -> Self {
        let r = t.to_record();
        Self {
            id: r.id.to_string(),
            user_id: r.user_id.to_string(),
            token_hash: r.token_hash,
            status: r.status.as_str().to_owned(),
            expires_at: r.expires_at.as_millis(),
            created_at: r.created_at.as_millis(),
            updated_at: r.updated_at.as_millis(),
        }
    }

    pub fn into_domain(self) -> anyhow::Result<hallpass_domain::sign_in_token::SignInToken> {
        use hallpass_domain::sign_in_token::{SignInToken, SignInTokenRecord, SignInTokenStatus};
        Ok(SignInToken::from_record(SignInTokenRecord {
            id: hallpass_domain::SignInTokenId::parse(&self.id)
                .context("corrupt sign-in token id")?,
            user_id: UserId::parse(&self.user_id).context("corrupt sign-in token user id")?,
            token_hash: self.token_hash,
            status: SignInTokenStatus::parse(&self.status)
                .ok_or_else(|| anyhow!("corrupt sign-in token status"))?,
            expires_at: UnixMillis::new(self.expires_at),
            created_at: UnixMillis::new(self.created_at),
            updated_at: UnixMillis::new(self.updated_at),
        }))
    }
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::refresh_tokens)]
pub struct RefreshTokenRow {
    pub token_hash: String,
    pub session_id: String,
    pub status: String,
    pub successor_hash: Option<String>,
    pub rotated_at: Option<i64>,
    pub expires_at: i64,
    pub created_at: i64,
}

impl RefreshTokenRow {
    pub fn from_record(r: &hallpass_ports::RefreshTokenRecord) -> Self {
        Self {
            token_hash: r.token_hash.clone(),
            session_id: r.session_id.to_string(),
            status: r.status.as_str().to_owned(),
            successor_hash: r.successor_hash.clone(),
            rotated_at: r.rotated_at.map(UnixMillis::as_millis),
            expires_at: r.expires_at.as_millis(),
            created_at: r.created_at.as_millis(),
        }
    }

    pub fn into_record(self) -> anyhow::Result<hallpass_ports::RefreshTokenRecord> {
        Ok(hallpass_ports::RefreshTokenRecord {
            token_hash: self.token_hash,
            session_id: SessionId::parse(&self.session_id)
                .context("corrupt refresh token session")?,
            status: hallpass_domain::refresh::RefreshStatus::parse(&self.status)
                .ok_or_else(|| anyhow!("corrupt refresh token status"))?,
            successor_hash: self.successor_hash,
            rotated_at: self.rotated_at.map(UnixMillis::new),
            expires_at: UnixMillis::new(self.expires_at),
            created_at: UnixMillis::new(self.created_at),
        })
    }
}

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::schema::session_activities, treat_none_as_null = true)]
pub struct SessionActivityRow {
    pub session_id: String,
    pub is_mobile: bool,
    pub device_type: Option<String>,
    pub browser_name: Option<String>,
    pub browser_version: Option<String>,
    pub ip_address: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub updated_at: i64,
}

impl SessionActivityRow {
    pub fn from_domain(
        id: &SessionId,
        a: &hallpass_domain::activity::SessionActivity,
        now: UnixMillis,
    ) -> Self {
        Self {
            session_id: id.to_string(),
            is_mobile: a.is_mobile,
            device_type: a.device_type.clone(),
            browser_name: a.browser_name.clone(),
            browser_version: a.browser_version.clone(),
            ip_address: a.ip_address.clone(),
            city: a.city.clone(),
            country: a.country.clone(),
            updated_at: now.as_millis(),
        }
    }

    pub fn into_domain(
        self,
    ) -> anyhow::Result<(SessionId, hallpass_domain::activity::SessionActivity)> {
        Ok((
            SessionId::parse(&self.session_id).context("corrupt activity session id")?,
            hallpass_domain::activity::SessionActivity {
                is_mobile: self.is_mobile,
                device_type: self.device_type,
                browser_name: self.browser_name,
                browser_version: self.browser_version,
                ip_address: self.ip_address,
                city: self.city,
                country: self.country,
            },
        ))
    }
}

/// A handshake nonce's `payload` column: its directives as a JSON array.
pub fn handshake_payload(directives: &[String]) -> String {
    Json::Array(directives.iter().map(|d| Json::str(d.as_str())).collect()).to_compact_string()
}

/// The directives stored in a handshake nonce's `payload` column.
pub fn handshake_directives(payload: &str) -> anyhow::Result<Vec<String>> {
    let wrapped = format!("{{\"d\":{payload}}}");
    let obj = hallpass_json_bridge::parse_object(&wrapped)
        .map_err(|e| anyhow::Error::new(e).context("corrupt handshake payload"))?;
    Ok(obj
        .get("d")
        .and_then(|d| d.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

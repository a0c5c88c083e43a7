//! Users and the email uniqueness items that guard them.
use super::keys::{self, attr, entity, Index};
use super::numbers::Numbered;
use super::{condition_failed_at, Store, StoreError};
use crate::domain::user::{Role, User};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// A user as stored: the domain user plus what only authentication needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserRecord {
    #[serde(flatten)]
    pub user: User,
    pub email_lower: String,
    pub password_hash: String,
    /// Sessions carry the epoch they were made in; a password change or reset bumps it, so
    /// every older session dies at once (no index read that could miss a fresh session).
    #[serde(default)]
    pub session_epoch: u32,
}

#[derive(Debug, Serialize, Deserialize)]
struct EmailClaim {
    user_id: Uuid,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("the email is already taken")]
    EmailTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Changes to a user's own profile; `None` leaves a field alone.
#[derive(Debug, Default)]
pub struct ProfileChanges {
    pub name: Option<String>,
    pub avatar_url: Option<Option<String>>,
    pub notify_email: Option<bool>,
    pub password_hash: Option<String>,
    pub email_verified: Option<bool>,
}

impl ProfileChanges {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.avatar_url.is_none()
            && self.notify_email.is_none()
            && self.password_hash.is_none()
            && self.email_verified.is_none()
    }
}

pub(crate) fn user_item(record: &UserRecord) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let u = &record.user;
    Ok(keys::ItemKeys::new(entity::USER, keys::user_pk(u.id), keys::USER_SK)
        .index(Index::Gsi1, keys::role_partition(u.role.as_str()), keys::name_sort(&u.name, u.id))
        .index(Index::Gsi2, keys::USERS_PARTITION, format!("{}#{}", record.email_lower, u.id))
        .index(Index::Gsi3, keys::USERS_PARTITION, keys::name_sort(&u.name, u.id))
        .with(record)?)
}

impl Store {
    /// Writes a new user, its email claim, its number's claim (a new number unless the record
    /// has one) and (optionally) its first session in one transaction.
    /// The email claim's condition makes the email unique case-insensitively even under races;
    /// the request token makes an SDK retry of an applied transaction succeed instead of failing
    /// its own condition.
    pub async fn create_user(
        &self,
        record: &mut UserRecord,
        first_session: Option<&super::sessions::Session>,
    ) -> Result<(), CreateUserError> {
        let not_exists = format!("attribute_not_exists({})", keys::PK);
        let put = |item: HashMap<String, AttributeValue>| -> Result<TransactWriteItem, StoreError> {
            let put = Put::builder()
                .table_name(self.table())
                .set_item(Some(item))
                .condition_expression(&not_exists)
                .build()
                .map_err(|e| StoreError::sdk("TransactWriteItems", e))?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        let claim = keys::ItemKeys::new(entity::EMAIL, keys::email_pk(&record.email_lower), keys::EMAIL_SK)
            .with(&EmailClaim { user_id: record.user.id })
            .map_err(StoreError::from)?;
        let number = match record.user.number {
            Some(n) => n,
            None => self.take_number(Numbered::User).await?,
        };
        record.user.number = Some(number);
        let mut items = vec![
            put(user_item(record)?)?,
            put(claim)?,
            put(super::numbers::claim_item(Numbered::User, number, record.user.id))?,
        ];
        if let Some(session) = first_session {
            items.push(put(session.item()?)?);
        }
        let result = self
            .client()
            .transact_write_items()
            .set_transact_items(Some(items))
            .client_request_token(Uuid::new_v4().to_string())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let service = e.into_service_error();
                if condition_failed_at(&service, 1) {
                    Err(CreateUserError::EmailTaken)
                } else {
                    Err(StoreError::sdk("TransactWriteItems", service).into())
                }
            }
        }
    }

    pub async fn get_user(&self, id: Uuid) -> Result<Option<UserRecord>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(keys::key(keys::user_pk(id), keys::USER_SK)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::sdk("GetItem", e))?;
        out.item.map(serde_dynamo::from_item).transpose().map_err(Into::into)
    }

    /// The user who owns an email (any letter case): the email claim, then the user.
    pub async fn user_by_email(&self, normalized_email: &str) -> Result<Option<UserRecord>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(keys::key(keys::email_pk(normalized_email), keys::EMAIL_SK)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::sdk("GetItem", e))?;
        let Some(item) = out.item else { return Ok(None) };
        let claim: EmailClaim = serde_dynamo::from_item(item)?;
        self.get_user(claim.user_id).await
    }

    /// Applies profile changes and returns the updated user; `None` if the user is gone.
    pub async fn update_profile(
        &self,
        id: Uuid,
        changes: &ProfileChanges,
        now: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let mut sets = vec!["#updated_at = :updated_at".to_owned()];
        let mut names = HashMap::from([("#updated_at".to_owned(), attr::UPDATED_AT.to_owned())]);
        let mut values = HashMap::from([(":updated_at".to_owned(), keys::s(now))]);
        let mut set = |attr_name: &str, value: AttributeValue| {
            sets.push(format!("#{attr_name} = :{attr_name}"));
            names.insert(format!("#{attr_name}"), attr_name.to_owned());
            values.insert(format!(":{attr_name}"), value);
        };
        if let Some(name) = &changes.name {
            set(attr::NAME, keys::s(name));
            let sort = keys::name_sort(name, id);
            set(Index::Gsi1.sk(), keys::s(&sort));
            set(Index::Gsi3.sk(), keys::s(sort));
        }
        if let Some(avatar) = &changes.avatar_url {
            set(attr::AVATAR_URL, avatar.clone().map_or(AttributeValue::Null(true), keys::s));
        }
        if let Some(notify) = changes.notify_email {
            set(attr::NOTIFY_EMAIL, AttributeValue::Bool(notify));
        }
        if let Some(hash) = &changes.password_hash {
            set(attr::PASSWORD_HASH, keys::s(hash));
        }
        if let Some(verified) = changes.email_verified {
            set(attr::EMAIL_VERIFIED, AttributeValue::Bool(verified));
        }
        names.insert("#pk".into(), keys::PK.into());
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(keys::key(keys::user_pk(id), keys::USER_SK)))
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression("attribute_exists(#pk)")
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => out.attributes.map(serde_dynamo::from_item).transpose().map_err(Into::into),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                Ok(None)
            }
            Err(e) => Err(StoreError::sdk("UpdateItem", e)),
        }
    }

    /// A password change: the profile changes, the user's next session epoch (so every session
    /// made before, found by an index or not, is refused from now on) and `keep` moved to that
    /// epoch, in one transaction, only if the user was not changed since `record` was read.
    /// `None` on such a conflict.
    pub async fn change_password(
        &self,
        record: &UserRecord,
        changes: &ProfileChanges,
        keep: Option<&super::sessions::Session>,
        now: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let mut next = record.clone();
        if let Some(name) = &changes.name {
            next.user.name = name.clone();
        }
        if let Some(avatar) = &changes.avatar_url {
            next.user.avatar_url = avatar.clone();
        }
        if let Some(notify) = changes.notify_email {
            next.user.notify_email = notify;
        }
        if let Some(hash) = &changes.password_hash {
            next.password_hash = hash.clone();
        }
        next.session_epoch = record.session_epoch.wrapping_add(1);
        next.user.updated_at = crate::clock::Timestamp::stored(now);
        let mut writes = vec![super::TxWrite::if_attr_equals(
            super::Guard::StaleUser,
            user_item(&next)?,
            attr::UPDATED_AT,
            &record.user.updated_at.to_string(),
        )];
        // The session making the change lives on (a reset has none: every session dies).
        if let Some(keep) = keep {
            let mut session = keep.clone();
            session.epoch = next.session_epoch;
            writes.push(super::TxWrite::plain(session.item()?));
        }
        match self.transact(writes).await {
            Ok(()) => Ok(Some(next)),
            Err(super::TxError::ConditionFailed(_) | super::TxError::Contended) => Ok(None),
            Err(super::TxError::Store(e)) => Err(e),
        }
    }

    /// Asks for a password-reset mail (the notifier sends it from this item's stream record).
    /// For an address nobody has, a decoy item of the same size is written instead, so both
    /// answers cost the same requests.
    pub async fn request_password_reset(
        &self,
        user_id: Option<Uuid>,
        now_epoch: i64,
    ) -> Result<(), StoreError> {
        let id = Uuid::now_v7();
        let item = match user_id {
            Some(u) => keys::ItemKeys::new(entity::PASSWORD_RESET, keys::user_pk(u), keys::reset_sk(id))
                .ttl(now_epoch + crate::auth::link::RESET_PASSWORD_TTL_SECONDS)
                .with(&serde_json::json!({"user_id": u, "id": id}))?,
            None => keys::ItemKeys::new(entity::DECOY, keys::user_pk(Uuid::now_v7()), keys::reset_sk(id))
                .ttl(now_epoch + 60)
                .with(&serde_json::json!({"user_id": Uuid::nil(), "id": id}))?,
        };
        self.put(item).await
    }

    /// Records that the user was active. Callers throttle this (see the request guard).
    pub async fn touch_last_seen(&self, id: Uuid, now: &str) -> Result<(), StoreError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(keys::key(keys::user_pk(id), keys::USER_SK)))
            .update_expression("SET #seen = :now")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#seen", attr::LAST_SEEN)
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":now", keys::s(now))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                Ok(())
            }
            Err(e) => Err(StoreError::sdk("UpdateItem", e)),
        }
    }

    /// An admin's role/organization assignment: the user and one audit entry per changed field,
    /// atomically, only if the user was not changed since it was read. `None` on a conflict.
    pub async fn assign_user(
        &self,
        record: &UserRecord,
        role: Option<Role>,
        organization: Option<Option<Uuid>>,
        admin: Uuid,
        another_admin: Option<Uuid>,
        now: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        #[derive(Serialize)]
        struct UserChange<'a> {
            id: Uuid,
            user_id: Uuid,
            agent_id: Uuid,
            field_name: &'a str,
            old_value: Option<String>,
            new_value: Option<String>,
            action: String,
            created_at: &'a str,
        }
        let mut next = record.clone();
        let mut audit = Vec::new();
        let u = &record.user;
        if let Some(r) = role.filter(|r| *r != u.role) {
            next.user.role = r;
            audit.push((
                "role",
                Some(u.role.as_str().to_owned()),
                Some(r.as_str().to_owned()),
                format!("Role changed from {} to {}", u.role.as_str(), r.as_str()),
            ));
        }
        if let Some(o) = organization.filter(|o| *o != u.organization_id) {
            next.user.organization_id = o;
            let show = |v: Option<Uuid>| v.map_or_else(|| "(none)".to_owned(), |v| v.to_string());
            audit.push((
                "organization_id",
                u.organization_id.map(|v| v.to_string()),
                o.map(|v| v.to_string()),
                format!("Organization changed from {} to {}", show(u.organization_id), show(o)),
            ));
        }
        if audit.is_empty() {
            return Ok(Some(record.clone()));
        }
        next.user.updated_at = crate::clock::Timestamp::stored(now);
        let guard = super::TxWrite::if_attr_equals(
            super::Guard::StaleUser,
            user_item(&next)?,
            attr::UPDATED_AT,
            &u.updated_at.to_string(),
        );
        let mut puts = vec![guard];
        if let Some(other) = another_admin {
            // The desk keeps an admin: this one must still be an admin when the demotion lands
            // (two admins demoting each other at once: one of them fails).
            puts.push(super::TxWrite::check_attr_equals(
                super::Guard::OtherAdminGone,
                keys::key(keys::user_pk(other), keys::USER_SK),
                attr::ROLE,
                Role::Admin.as_str(),
            ));
        }
        for (field, old, new, action) in audit {
            let change = UserChange {
                id: Uuid::now_v7(),
                user_id: u.id,
                agent_id: admin,
                field_name: field,
                old_value: old,
                new_value: new,
                action,
                created_at: now,
            };
            let item = keys::ItemKeys::new(
                entity::USER_CHANGE,
                keys::user_pk(u.id),
                keys::user_change_sk(change.id),
            )
            .with(&change)?;
            puts.push(super::TxWrite::plain(item));
        }
        match self.transact(puts).await {
            Ok(()) => Ok(Some(next)),
            Err(super::TxError::ConditionFailed(_) | super::TxError::Contended) => Ok(None),
            Err(super::TxError::Store(e)) => Err(e),
        }
    }
}

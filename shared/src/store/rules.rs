//! Business rules: triggers and automations (`RULE#<id>` / `RULE`, in GSI1 `TRIGGERS` or
//! `AUTOMATIONS` by position), and the notifications triggers ask for (`TICKET#<id>` /
//! `NOTIFY#<uuid v7>`, written in the ticket's transaction; the notifier turns them into mail).
use super::keys::{self, entity, Index};
use super::numbers::{claim_write, Numbered};
use super::{Item, Store, StoreError, TxWrite};
use crate::clock::Timestamp;
use crate::domain::actions::Recipient;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Trigger,
    Automation,
}

impl RuleKind {
    fn partition(self) -> &'static str {
        match self {
            RuleKind::Trigger => keys::TRIGGERS_PARTITION,
            RuleKind::Automation => keys::AUTOMATIONS_PARTITION,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: Uuid,
    /// The numeric id (see `store::numbers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    pub kind: RuleKind,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub active: bool,
    pub position: u32,
    /// Conditions and actions as written (JSON text; validated on write, parsed on use).
    pub conditions: String,
    pub actions: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Rule {
    pub fn conditions_json(&self) -> Value {
        serde_json::from_str(&self.conditions).unwrap_or(Value::Null)
    }

    pub fn actions_json(&self) -> Value {
        serde_json::from_str(&self.actions).unwrap_or(Value::Array(Vec::new()))
    }
}

pub fn rule_item(r: &Rule) -> Result<Item, StoreError> {
    Ok(keys::ItemKeys::new(entity::RULE, keys::rule_pk(r.id), keys::RULE_SK)
        .index(Index::Gsi1, r.kind.partition(), format!("{:010}#{}", r.position, r.id))
        .with(r)?)
}

/// A mail a trigger asked for: the templates as the rule had them (placeholders are filled
/// when the mail is made, for each recipient).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub rule_id: Uuid,
    pub rule_title: String,
    pub to: Recipient,
    pub subject: String,
    pub body: String,
    /// The public comment of the update that fired the rule, if any.
    pub comment_id: Option<Uuid>,
    /// Who made the update (`{{current_user.name}}`); none for the desk itself.
    pub actor_id: Option<Uuid>,
    pub created_at: Timestamp,
}

/// Notifications are kept a week (long enough for the notifier and its retries).
const NOTIFICATION_TTL_SECS: i64 = 7 * 86_400;

pub fn notification_write(n: &Notification) -> Result<TxWrite, StoreError> {
    let item =
        keys::ItemKeys::new(entity::NOTIFICATION, keys::ticket_pk(n.ticket_id), keys::notification_sk(n.id))
            .ttl(n.created_at.0.unix_timestamp() + NOTIFICATION_TTL_SECS)
            .with(n)?;
    Ok(TxWrite::new_only(item))
}

impl Store {
    pub async fn put_rule(&self, r: &Rule) -> Result<(), StoreError> {
        self.put(rule_item(r)?).await
    }

    /// A rule of this kind (a trigger's id is no automation).
    pub async fn get_rule(&self, kind: RuleKind, id: Uuid) -> Result<Option<Rule>, StoreError> {
        let rule: Option<Rule> = self
            .get(keys::key(keys::rule_pk(id), keys::RULE_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?;
        Ok(rule.filter(|r| r.kind == kind))
    }

    pub async fn delete_rule(&self, id: Uuid) -> Result<(), StoreError> {
        self.delete(keys::key(keys::rule_pk(id), keys::RULE_SK)).await
    }

    /// Every rule of a kind, by position (pages of 100).
    pub async fn all_rules(&self, kind: RuleKind) -> Result<Vec<Rule>, StoreError> {
        self.all_by_position(kind.partition()).await
    }

    /// Writes rules with new positions, all or none (at most 100 in one transaction).
    /// Writes a new trigger or automation with a new number and the number's claim, in one
    /// transaction.
    pub async fn create_rule(&self, r: &mut Rule) -> Result<(), StoreError> {
        let n = self.take_number(Numbered::Rule).await?;
        r.number = Some(n);
        let writes = vec![TxWrite::new_only(rule_item(r)?), claim_write(Numbered::Rule, n, r.id)];
        self.transact(writes).await.map_err(|e| e.into_store())
    }

    pub async fn put_rules(&self, rules: &[Rule]) -> Result<(), StoreError> {
        let mut writes = Vec::new();
        for r in rules {
            writes.push(TxWrite::plain(rule_item(r)?));
        }
        self.transact(writes).await.map_err(|e| e.into_store())
    }

    /// Creates a kind's default rules once per desk (a marker and the rules in one
    /// transaction). True if this call created them.
    pub async fn create_default_rules(&self, kind: RuleKind, rules: &mut [Rule]) -> Result<bool, StoreError> {
        let sk = match kind {
            RuleKind::Trigger => keys::DEFAULT_TRIGGERS_SK,
            RuleKind::Automation => keys::DEFAULT_AUTOMATIONS_SK,
        };
        let marker = keys::ItemKeys::new(entity::DEFAULTS, keys::DEFAULTS_PK, sk)
            .with(&serde_json::json!({"created_at": Timestamp::now()}))?;
        let mut writes = vec![TxWrite::new_only(marker)];
        for r in rules.iter_mut() {
            let n = self.take_number(Numbered::Rule).await?;
            r.number = Some(n);
            writes.push(TxWrite::new_only(rule_item(r)?));
            writes.push(claim_write(Numbered::Rule, n, r.id));
        }
        match self.transact(writes).await {
            Ok(()) => Ok(true),
            Err(e) if e.failed(super::Guard::AlreadyExists) => Ok(false),
            Err(e) => Err(e.into_store()),
        }
    }

    pub async fn default_rules_created(&self, kind: RuleKind) -> Result<bool, StoreError> {
        let sk = match kind {
            RuleKind::Trigger => keys::DEFAULT_TRIGGERS_SK,
            RuleKind::Automation => keys::DEFAULT_AUTOMATIONS_SK,
        };
        Ok(self.get(keys::key(keys::DEFAULTS_PK, sk)).await?.is_some())
    }

    pub async fn notification(&self, ticket_id: Uuid, id: Uuid) -> Result<Option<Notification>, StoreError> {
        Ok(self
            .get(keys::key(keys::ticket_pk(ticket_id), keys::notification_sk(id)))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }
}

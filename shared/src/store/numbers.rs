//! Numeric ids (the Zendesk API, issue 18): users, organizations, groups, views, macros and
//! business rules (triggers and automations share one sequence) take a number from
//! their kind's counter (`COUNTER#<KIND>`, an atomic ADD) when they are created, and a claim
//! item `NUMBER#<KIND>#<n>` that finds the record by it is written in the creation's own
//! transaction. A creation that fails after taking a number leaves a gap, as Zendesk's ids do;
//! two records never share one. Records made before numbers existed get theirs from the
//! backfill ([`Store::assign_number`], `helpdesk-backfill-numbers`). Tickets are numbered
//! apart (gap-free, `store::tickets`).
use super::keys::{self, attr, entity, Index};
use super::{Guard, Item, Store, StoreError, TxError, TxWrite};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// What carries a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Numbered {
    User,
    Organization,
    Group,
    View,
    Macro,
    /// Triggers and automations (one sequence, as Zendesk's business rules).
    Rule,
    /// Satisfaction ratings (numbered when given; no claim: they are listed, not fetched by id).
    Rating,
    /// Group memberships: a membership is keyed by its group and user, so its claim names both
    /// ([`membership_claim_write`]).
    Membership,
}

impl Numbered {
    fn name(self) -> &'static str {
        match self {
            Numbered::User => "USER",
            Numbered::Organization => "ORG",
            Numbered::Group => "GROUP",
            Numbered::View => "VIEW",
            Numbered::Macro => "MACRO",
            Numbered::Rule => "RULE",
            Numbered::Rating => "RATING",
            Numbered::Membership => "MEMBERSHIP",
        }
    }

    /// The key of the record numbered `id` (ratings live in their ticket's collection: the
    /// backfill does not number them).
    fn record_key(self, id: Uuid) -> Option<Item> {
        Some(match self {
            Numbered::User => keys::key(keys::user_pk(id), keys::USER_SK),
            Numbered::Organization => keys::key(keys::org_pk(id), keys::ORG_SK),
            Numbered::Group => keys::key(keys::group_pk(id), keys::GROUP_SK),
            Numbered::View => keys::key(keys::view_pk(id), keys::VIEW_SK),
            Numbered::Macro => keys::key(keys::macro_pk(id), keys::MACRO_SK),
            Numbered::Rule => keys::key(keys::rule_pk(id), keys::RULE_SK),
            Numbered::Rating | Numbered::Membership => return None,
        })
    }
}

/// The attribute a record keeps its number in.
pub const NUMBER: &str = "number";

#[derive(Debug, Deserialize)]
struct Claim {
    id: Uuid,
}

/// The claim item of number `n` for record `id`.
pub fn claim_item(kind: Numbered, n: u64, id: Uuid) -> Item {
    let mut item = keys::key(keys::number_pk(kind.name(), n), keys::NUMBER_SK);
    item.insert(keys::ENTITY.to_owned(), keys::s(entity::NUMBER_CLAIM));
    item.insert("id".to_owned(), keys::s(id.to_string()));
    item
}

/// The claim of number `n` for record `id`, new only (a number is never claimed twice).
pub fn claim_write(kind: Numbered, n: u64, id: Uuid) -> TxWrite {
    TxWrite::new_only(claim_item(kind, n, id))
}

/// The claim of membership number `n`: the membership of `user` in `group`, new only.
pub fn membership_claim_write(n: u64, group: Uuid, user: Uuid) -> TxWrite {
    let mut item = keys::key(keys::number_pk(Numbered::Membership.name(), n), keys::NUMBER_SK);
    item.insert(keys::ENTITY.to_owned(), keys::s(entity::NUMBER_CLAIM));
    item.insert("group_id".to_owned(), keys::s(group.to_string()));
    item.insert("user_id".to_owned(), keys::s(user.to_string()));
    TxWrite::new_only(item)
}

#[derive(Debug, Deserialize)]
struct MembershipClaim {
    group_id: Uuid,
    user_id: Uuid,
}

impl Store {
    /// The next number of `kind` (one UpdateItem).
    pub async fn take_number(&self, kind: Numbered) -> Result<u64, StoreError> {
        let out = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(keys::key(keys::counter_pk(kind.name()), keys::COUNTER_SK)))
            .update_expression("ADD #n :one SET #e = :e")
            .expression_attribute_names("#n", attr::COUNTER_VALUE)
            .expression_attribute_names("#e", keys::ENTITY)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":e", keys::s(entity::COUNTER))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| StoreError::sdk("UpdateItem", e))?;
        out.attributes
            .as_ref()
            .and_then(|a| a.get(attr::COUNTER_VALUE))
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| StoreError::Sdk { op: "UpdateItem", message: "counter without a value".into() })
    }

    /// The record of `kind` numbered `n` (one GetItem of the claim).
    pub async fn id_by_number(&self, kind: Numbered, n: u64) -> Result<Option<Uuid>, StoreError> {
        let item = self.get(keys::key(keys::number_pk(kind.name(), n), keys::NUMBER_SK)).await?;
        Ok(item.map(serde_dynamo::from_item::<_, Claim>).transpose()?.map(|c| c.id))
    }

    /// The group and user of membership number `n`, as its claim names them (one GetItem; the
    /// membership itself may be gone, or numbered anew since).
    pub async fn membership_claim(&self, n: u64) -> Result<Option<(Uuid, Uuid)>, StoreError> {
        let item =
            self.get(keys::key(keys::number_pk(Numbered::Membership.name(), n), keys::NUMBER_SK)).await?;
        let claim = item.map(serde_dynamo::from_item::<_, MembershipClaim>).transpose()?;
        Ok(claim.map(|c| (c.group_id, c.user_id)))
    }

    /// The backfill's step: gives record `id` of `kind` a new number, unless it has one by now
    /// (`Ok(None)`: numbered meanwhile, or gone). The number and its claim land together.
    pub async fn assign_number(&self, kind: Numbered, id: Uuid) -> Result<Option<u64>, StoreError> {
        let key = kind.record_key(id).ok_or_else(|| StoreError::Sdk {
            op: "TransactWriteItems",
            message: format!("{kind:?} is not backfilled by id"),
        })?;
        let n = self.take_number(kind).await?;
        self.set_number(key, n, claim_write(kind, n, id), &[]).await
    }

    /// [`Self::assign_number`] for the membership of `user` in `group`; the number also puts
    /// it in the desk-wide list (GSI2 `MEMBERSHIPS`).
    pub async fn assign_membership_number(&self, group: Uuid, user: Uuid) -> Result<Option<u64>, StoreError> {
        let n = self.take_number(Numbered::Membership).await?;
        let key = keys::key(keys::group_pk(group), keys::member_sk(user));
        let listed = [
            (Index::Gsi2.pk(), keys::s(keys::MEMBERSHIPS_PARTITION)),
            (Index::Gsi2.sk(), keys::s(keys::membership_number_sort(n))),
        ];
        self.set_number(key, n, membership_claim_write(n, group, user), &listed).await
    }

    /// The backfill's step for a membership numbered before numbered memberships were listed
    /// desk-wide: puts membership `n` of `user` in `group` in GSI2 `MEMBERSHIPS` (nothing when
    /// it is there already, gone, or numbered otherwise). Whether it was listed now.
    pub async fn list_membership(&self, group: Uuid, user: Uuid, n: u64) -> Result<bool, StoreError> {
        let res = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(keys::key(keys::group_pk(group), keys::member_sk(user))))
            .update_expression("SET #gpk = :gpk, #gsk = :gsk")
            .condition_expression("#num = :n AND attribute_not_exists(#gpk)")
            .expression_attribute_names("#gpk", Index::Gsi2.pk())
            .expression_attribute_names("#gsk", Index::Gsi2.sk())
            .expression_attribute_names("#num", NUMBER)
            .expression_attribute_values(":gpk", keys::s(keys::MEMBERSHIPS_PARTITION))
            .expression_attribute_values(":gsk", keys::s(keys::membership_number_sort(n)))
            .expression_attribute_values(":n", AttributeValue::N(n.to_string()))
            .send()
            .await;
        match res {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                Ok(false)
            }
            Err(e) => Err(StoreError::sdk("UpdateItem", e)),
        }
    }

    /// Sets number `n` (and the attributes `also`) on the record at `key` unless it has one,
    /// with its claim, in one transaction.
    async fn set_number(
        &self,
        key: Item,
        n: u64,
        claim: TxWrite,
        also: &[(&str, AttributeValue)],
    ) -> Result<Option<u64>, StoreError> {
        let mut update = "SET #num = :n".to_owned();
        let mut names =
            HashMap::from([("#num".to_owned(), NUMBER.to_owned()), ("#pk".to_owned(), keys::PK.to_owned())]);
        let mut values = HashMap::from([(":n".to_owned(), AttributeValue::N(n.to_string()))]);
        for (i, (name, value)) in also.iter().enumerate() {
            update.push_str(&format!(", #a{i} = :a{i}"));
            names.insert(format!("#a{i}"), (*name).to_owned());
            values.insert(format!(":a{i}"), value.clone());
        }
        let set = TxWrite::update(
            Guard::NumberTaken,
            key,
            &update,
            "attribute_exists(#pk) AND attribute_not_exists(#num)",
            names,
            values,
        );
        match self.transact(vec![set, claim]).await {
            Ok(()) => Ok(Some(n)),
            Err(TxError::ConditionFailed(guards)) if guards.contains(&Guard::NumberTaken) => Ok(None),
            Err(e) => Err(e.into_store()),
        }
    }
}

/// The number a stored item carries, if any.
pub fn number_of(item: &HashMap<String, AttributeValue>) -> Option<u64> {
    item.get(NUMBER).and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok())
}

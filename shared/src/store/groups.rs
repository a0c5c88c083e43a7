//! Groups and their memberships: `GROUP#<id>` holds the group (`GROUP`) and one item per member
//! (`MEMBER#<user id>`); a member item is also in the user's partition of GSI1
//! (`USERGROUPS#<user id>`), for "which groups is this agent in" and their default group, and,
//! once numbered, in the desk's partition of GSI2 (`MEMBERSHIPS`, by number), for the desk-wide
//! list. Every list here is a page: one Query, whatever the desk holds.
use super::keys::{self, entity, Index};
use super::numbers::{claim_write, membership_claim_write, Numbered};
use super::query::{PartitionQuery, Reads, SortRange};
use super::{Guard, Item, Store, StoreError, TxError, TxWrite};
use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: Uuid,
    /// The numeric id (see `store::numbers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The desk's default group (at most one).
    #[serde(default)]
    pub is_default: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    pub group_id: Uuid,
    pub user_id: Uuid,
    /// The numeric id (see `store::numbers`; taken when the member is added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    /// The user's default group (at most one per user).
    #[serde(default)]
    pub is_default: bool,
    pub created_at: Timestamp,
}

fn group_item(g: &Group) -> Result<Item, StoreError> {
    Ok(keys::ItemKeys::new(entity::GROUP, keys::group_pk(g.id), keys::GROUP_SK)
        .index(Index::Gsi1, keys::GROUPS_PARTITION, keys::name_sort(&g.name, g.id))
        .with(g)?)
}

fn membership_item(m: &Membership) -> Result<Item, StoreError> {
    let mut keys =
        keys::ItemKeys::new(entity::MEMBERSHIP, keys::group_pk(m.group_id), keys::member_sk(m.user_id))
            .index(Index::Gsi1, keys::user_groups_partition(m.user_id), m.group_id.to_string());
    if let Some(n) = m.number {
        keys = keys.index(Index::Gsi2, keys::MEMBERSHIPS_PARTITION, keys::membership_number_sort(n));
    }
    Ok(keys.with(m)?)
}

/// How adding a member ended.
#[derive(Debug)]
pub enum AddMember {
    Added,
    AlreadyMember,
}

impl Store {
    pub async fn get_group(&self, id: Uuid) -> Result<Option<Group>, StoreError> {
        Ok(self
            .get(keys::key(keys::group_pk(id), keys::GROUP_SK))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    /// Groups by id, in one BatchGetItem per 100 (missing ones are left out).
    pub async fn groups_by_id(&self, ids: &[Uuid]) -> Result<Vec<Group>, StoreError> {
        let keys_list = ids.iter().map(|id| keys::key(keys::group_pk(*id), keys::GROUP_SK)).collect();
        self.batch_get(keys_list).await?.into_iter().map(|i| Ok(serde_dynamo::from_item(i)?)).collect()
    }

    /// Groups by name, after the sort key `after`.
    pub async fn list_groups(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<(String, Group)>, bool), StoreError> {
        self.query_sorted(Index::Gsi1, keys::GROUPS_PARTITION, None, after, limit).await
    }

    /// Every group (bounded by the desk's group count), by name.
    pub async fn all_groups(&self) -> Result<Vec<Group>, StoreError> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let (rows, more) = self.list_groups(after.as_deref(), 100).await?;
            after = rows.last().map(|(s, _)| s.clone());
            all.extend(rows.into_iter().map(|(_, g)| g));
            if !more {
                return Ok(all);
            }
        }
    }

    /// Writes a group; when it is the default, the previous default stops being one in the
    /// same transaction.
    pub async fn put_group(&self, group: &Group) -> Result<(), StoreError> {
        self.write_group(group, vec![TxWrite::plain(group_item(group)?)]).await
    }

    /// Writes a new group with a new number (and the number's claim), as [`Self::put_group`].
    pub async fn create_group(&self, group: &mut Group) -> Result<(), StoreError> {
        let n = self.take_number(Numbered::Group).await?;
        group.number = Some(n);
        let writes = vec![TxWrite::new_only(group_item(group)?), claim_write(Numbered::Group, n, group.id)];
        self.write_group(group, writes).await
    }

    async fn write_group(&self, group: &Group, mut writes: Vec<TxWrite>) -> Result<(), StoreError> {
        if group.is_default {
            for mut other in self.all_groups().await?.into_iter().filter(|g| g.is_default && g.id != group.id)
            {
                other.is_default = false;
                writes.push(TxWrite::plain(group_item(&other)?));
            }
        }
        self.transact(writes).await.map_err(TxError::into_store)
    }

    /// Whether any ticket has this group (one Query on GSI6, at most one item read).
    pub async fn group_has_tickets(&self, id: Uuid) -> Result<bool, StoreError> {
        let (rows, _) = self
            .query_sorted::<crate::domain::ticket::Ticket>(
                Index::Gsi6,
                &keys::ticket_group_partition(Some(id)),
                None,
                None,
                1,
            )
            .await?;
        Ok(!rows.is_empty())
    }

    /// Deletes a group and its memberships.
    pub async fn delete_group(&self, id: Uuid) -> Result<(), StoreError> {
        let group_key = keys::key(keys::group_pk(id), keys::GROUP_SK);
        let mut doomed = self.query_all(None, &keys::group_pk(id), true).await?;
        doomed.retain(|k| *k != group_key);
        self.batch_delete(doomed).await?;
        self.delete(group_key).await
    }

    /// Every member of a group (for the notifier's mail to a group: not a request path).
    pub async fn memberships(&self, group_id: Uuid) -> Result<Vec<Membership>, StoreError> {
        let mut out = Vec::new();
        for item in self.query_all(None, &keys::group_pk(group_id), false).await? {
            if item.get(keys::ENTITY).and_then(|v| v.as_s().ok()).map(String::as_str)
                == Some(entity::MEMBERSHIP)
            {
                out.push(serde_dynamo::from_item(item)?);
            }
        }
        Ok(out)
    }

    pub async fn membership(&self, group_id: Uuid, user_id: Uuid) -> Result<Option<Membership>, StoreError> {
        Ok(self
            .get(keys::key(keys::group_pk(group_id), keys::member_sk(user_id)))
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?)
    }

    /// A page of a group's members, by user id, after the sort key `after` (one Query).
    pub async fn members_page(
        &self,
        group_id: Uuid,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<(String, Membership)>, bool), StoreError> {
        let prefix = keys::member_sk_prefix();
        let range = match after {
            Some(a) if a > prefix => SortRange::Between(format!("{a}\u{0}"), format!("{prefix}\u{10FFFF}")),
            _ => SortRange::Prefix(prefix.to_owned()),
        };
        let query = PartitionQuery::table(keys::group_pk(group_id)).range(range);
        let mut found =
            self.query_page(&query, Reads::one_request(limit + 1)).await?.decode_sorted(keys::SK)?;
        let more = found.len() > limit;
        found.truncate(limit);
        Ok((found, more))
    }

    /// A page of a user's memberships, by group id, after the sort key `after` (GSI1).
    pub async fn user_memberships_page(
        &self,
        user_id: Uuid,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<(String, Membership)>, bool), StoreError> {
        self.query_sorted(Index::Gsi1, &keys::user_groups_partition(user_id), None, after, limit).await
    }

    /// A page of the desk's numbered memberships, by number, after the sort key `after` (GSI2).
    pub async fn memberships_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<(String, Membership)>, bool), StoreError> {
        self.query_sorted(Index::Gsi2, keys::MEMBERSHIPS_PARTITION, None, after, limit).await
    }

    /// A user's memberships (GSI1): every one, for the rules that need them all (the default
    /// group, a restricted agent's groups); a user is in at most the desk's groups.
    pub async fn groups_of(&self, user_id: Uuid) -> Result<Vec<Membership>, StoreError> {
        self.query_all(Some(Index::Gsi1), &keys::user_groups_partition(user_id), false)
            .await?
            .into_iter()
            .map(|i| serde_dynamo::from_item(i).map_err(Into::into))
            .collect()
    }

    /// Adds a member (new only) with a new number and its claim; a default membership makes
    /// the user's other ones not default, in the same transaction.
    pub async fn add_member(&self, m: &mut Membership) -> Result<AddMember, StoreError> {
        let n = self.take_number(Numbered::Membership).await?;
        m.number = Some(n);
        let mut writes =
            vec![TxWrite::new_only(membership_item(m)?), membership_claim_write(n, m.group_id, m.user_id)];
        if m.is_default {
            for mut other in self.groups_of(m.user_id).await?.into_iter().filter(|o| o.is_default) {
                other.is_default = false;
                writes.push(TxWrite::plain(membership_item(&other)?));
            }
        }
        match self.transact(writes).await {
            Ok(()) => Ok(AddMember::Added),
            Err(e) if e.failed(Guard::AlreadyExists) => Ok(AddMember::AlreadyMember),
            Err(e) => Err(e.into_store()),
        }
    }

    /// The membership numbered `n` (two GetItems: the claim, then the membership, which must
    /// still carry that number).
    pub async fn membership_by_number(&self, n: u64) -> Result<Option<Membership>, StoreError> {
        let Some((group, user)) = self.membership_claim(n).await? else { return Ok(None) };
        Ok(self.membership(group, user).await?.filter(|m| m.number == Some(n)))
    }

    pub async fn remove_member(&self, group_id: Uuid, user_id: Uuid) -> Result<(), StoreError> {
        self.delete(keys::key(keys::group_pk(group_id), keys::member_sk(user_id))).await
    }
}

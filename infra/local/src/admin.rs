//! First-admin bootstrap for a deployment: promote a user who registered through the API to
//! admin, straight in the table (there is no default password anywhere).
use helpdesk::domain::user::{Email, Role};
use helpdesk::store::Store;
use helpdesk::{clock, BoxError};

/// Makes the user with this email an admin (audited as done by themself). Returns their id.
pub async fn promote(store: &Store, email: &str) -> Result<uuid::Uuid, BoxError> {
    let email = Email::parse(email)?;
    let user = store.user_by_email(&email.normalized()).await?.ok_or_else(|| {
        format!("no user with email {}; register through POST /auth/register first", email.as_str())
    })?;
    if user.user.role == Role::Admin {
        return Ok(user.user.id);
    }
    store
        .assign_user(&user, Some(Role::Admin), None, user.user.id, None, &clock::format(clock::now()))
        .await?
        .ok_or("the user changed meanwhile; run again")?;
    Ok(user.user.id)
}

/// How far the numbering backfill got, per kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Backfilled {
    pub seen: usize,
    pub numbered: usize,
}

/// Gives every user, organization, group, view, macro, trigger and automation made before
/// numeric ids one (the Zendesk API's
/// `id`). Resumable and safe to run again or while the desk serves: records that have a number
/// are skipped, and each number lands with its claim in one conditional transaction
/// (`Store::assign_number`). Reads the kind's listing a page of 100 at a time (Queries, no
/// Scan); `progress` hears after each page.
pub async fn backfill_numbers(
    store: &Store,
    mut progress: impl FnMut(&str, Backfilled),
) -> Result<Vec<(&'static str, Backfilled)>, BoxError> {
    use helpdesk::store::keys::{self, Index};
    use helpdesk::store::numbers::Numbered;
    use helpdesk::store::users::UserRecord;
    let mut out = [Backfilled::default(); 6];
    // Users, by name.
    let mut after: Option<String> = None;
    loop {
        let (rows, more) = store
            .query_sorted::<UserRecord>(Index::Gsi3, keys::USERS_PARTITION, None, after.as_deref(), 100)
            .await?;
        for (_, u) in &rows {
            out[0].seen += 1;
            if u.user.number.is_none() && store.assign_number(Numbered::User, u.user.id).await?.is_some() {
                out[0].numbered += 1;
            }
        }
        progress("users", out[0]);
        after = rows.last().map(|(s, _)| s.clone());
        if !more {
            break;
        }
    }
    // Organizations.
    let mut after: Option<String> = None;
    loop {
        let (rows, more) = store.list_orgs(after.as_deref(), 100).await?;
        for (_, o) in &rows {
            out[1].seen += 1;
            if o.number.is_none() && store.assign_number(Numbered::Organization, o.id).await?.is_some() {
                out[1].numbered += 1;
            }
        }
        progress("organizations", out[1]);
        after = rows.last().map(|(s, _)| s.clone());
        if !more {
            break;
        }
    }
    // Groups.
    for g in store.all_groups().await? {
        out[2].seen += 1;
        if g.number.is_none() && store.assign_number(Numbered::Group, g.id).await?.is_some() {
            out[2].numbered += 1;
        }
    }
    progress("groups", out[2]);
    // Views, macros, triggers and automations (a desk has tens to hundreds of each).
    for v in store.all_views().await? {
        out[3].seen += 1;
        if v.number.is_none() && store.assign_number(Numbered::View, v.id).await?.is_some() {
            out[3].numbered += 1;
        }
    }
    progress("views", out[3]);
    for m in store.all_macros().await? {
        out[4].seen += 1;
        if m.number.is_none() && store.assign_number(Numbered::Macro, m.id).await?.is_some() {
            out[4].numbered += 1;
        }
    }
    progress("macros", out[4]);
    for kind in [helpdesk::store::rules::RuleKind::Trigger, helpdesk::store::rules::RuleKind::Automation] {
        for r in store.all_rules(kind).await? {
            out[5].seen += 1;
            if r.number.is_none() && store.assign_number(Numbered::Rule, r.id).await?.is_some() {
                out[5].numbered += 1;
            }
        }
    }
    progress("triggers and automations", out[5]);
    let names = ["users", "organizations", "groups", "views", "macros", "triggers and automations"];
    Ok(names.into_iter().zip(out).collect())
}

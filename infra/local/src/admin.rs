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

/// Gives every user, organization, group, group membership, view, macro, trigger, automation
/// and comment made
/// before numeric ids one (the Zendesk API's
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
    let mut out = [Backfilled::default(); 8];
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
    // Their memberships (a group's members are one Query each).
    for g in store.all_groups().await? {
        for m in store.memberships(g.id).await? {
            out[7].seen += 1;
            match m.number {
                None => {
                    if store.assign_membership_number(m.group_id, m.user_id).await?.is_some() {
                        out[7].numbered += 1;
                    }
                }
                // Numbered before numbered memberships were listed desk-wide (GSI2): listed now
                // (a no-op for those listed already).
                Some(n) => {
                    store.list_membership(m.group_id, m.user_id, n).await?;
                }
            }
        }
    }
    progress("group memberships", out[7]);
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
    // Comments: every ticket, oldest update first (the status partitions' time order), and
    // its comments without a number.
    let mut position = "0".to_owned(); // before every `<updated_at>#<id>`
    loop {
        let (tickets, more) = store.tickets_updated_after(&position, 100).await?;
        for t in &tickets {
            out[6].seen += t.comment_count as usize;
            out[6].numbered += number_comments_of(store, t.id).await?;
        }
        progress("comments", out[6]);
        match tickets.last() {
            Some(t) if more => position = keys::ticket_sort(t.updated_at, t.id),
            _ => break,
        }
    }
    let names = [
        "users",
        "organizations",
        "groups",
        "views",
        "macros",
        "triggers and automations",
        "comments",
        "group memberships",
    ];
    Ok(names.into_iter().zip(out).collect())
}

/// Numbers the comments of one ticket that have none (re-reading the ticket when it changed
/// meanwhile). Returns how many it numbered.
async fn number_comments_of(store: &Store, ticket_id: uuid::Uuid) -> Result<usize, BoxError> {
    let mut numbered = 0;
    for _attempt in 0..20 {
        let Some(ticket) = store.get_ticket(ticket_id).await? else { return Ok(numbered) };
        let mut old = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let (page, more) = store.comments_after(ticket.id, after.as_deref(), 100, true).await?;
            after = page.last().map(|c| helpdesk::store::keys::comment_sk(c.id));
            old.extend(page.into_iter().filter(|c| c.number.is_none()));
            if !more {
                break;
            }
        }
        if old.is_empty() {
            return Ok(numbered);
        }
        let chunk: Vec<_> = old.into_iter().take(98).collect();
        if store.number_old_comments(&ticket, &chunk).await? {
            numbered += chunk.len();
        }
    }
    Err(format!("ticket {ticket_id} kept changing; run the backfill again").into())
}

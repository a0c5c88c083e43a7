//! Lambda entry point for `DELETE /groups/{id}/memberships/{user_id}` and `DELETE /api/v2/group_memberships/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::groups;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::GROUPS_REMOVE_MEMBER,
        groups::remove_member,
        zendesk::routes::MEMBERSHIPS_DELETE,
        zendesk::orgs::membership_delete,
    )
    .await
}

//! Lambda entry point for `POST /groups/{id}/memberships` and `POST /api/v2/group_memberships` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::groups;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::GROUPS_ADD_MEMBER,
        groups::add_member,
        zendesk::routes::MEMBERSHIPS_CREATE,
        zendesk::orgs::membership_create,
    )
    .await
}

//! Lambda entry point for `GET /groups/{id}/memberships` and `GET /api/v2/groups/{id}/memberships` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::groups;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::GROUPS_MEMBERSHIPS,
        groups::memberships,
        zendesk::routes::GROUP_MEMBERSHIPS,
        zendesk::orgs::memberships,
    )
    .await
}

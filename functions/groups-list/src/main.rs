//! Lambda entry point for `GET /groups` and `GET /api/v2/groups` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::groups;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(routes::GROUPS_LIST, groups::list, zendesk::routes::GROUPS_LIST, zendesk::orgs::groups)
        .await
}

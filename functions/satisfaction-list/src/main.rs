//! Lambda entry point for `GET /satisfaction-ratings` and `GET /api/v2/satisfaction_ratings` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::satisfaction;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::SATISFACTION_LIST,
        satisfaction::list,
        zendesk::routes::SATISFACTION_RATINGS,
        zendesk::history::ratings,
    )
    .await
}

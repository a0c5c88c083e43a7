//! Lambda entry point for `GET /tickets/{id}` and `GET /api/v2/tickets/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::tickets;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::TICKETS_SHOW,
        tickets::show,
        zendesk::routes::TICKETS_SHOW,
        zendesk::tickets::show,
    )
    .await
}

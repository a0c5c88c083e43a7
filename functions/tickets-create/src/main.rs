//! Lambda entry point for `POST /tickets` and `POST /api/v2/tickets` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::tickets;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::TICKETS_CREATE,
        tickets::create,
        zendesk::routes::TICKETS_CREATE,
        zendesk::tickets::create,
    )
    .await
}

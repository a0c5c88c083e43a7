//! Lambda entry point for `PATCH /tickets/{id}` and `PUT /api/v2/tickets/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::tickets;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::TICKETS_UPDATE,
        tickets::update,
        zendesk::routes::TICKETS_UPDATE,
        zendesk::tickets::update,
    )
    .await
}

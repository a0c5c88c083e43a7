//! Lambda entry point for `GET /tickets` and `GET /api/v2/tickets` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::tickets;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::TICKETS_LIST,
        tickets::list,
        zendesk::routes::TICKETS_LIST,
        zendesk::tickets::list,
    )
    .await
}

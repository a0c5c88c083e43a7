//! Lambda entry point for `DELETE /tickets/{id}` and `DELETE /api/v2/tickets/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::tickets;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::TICKETS_DELETE,
        tickets::delete,
        zendesk::routes::TICKETS_DELETE,
        zendesk::tickets::delete,
    )
    .await
}

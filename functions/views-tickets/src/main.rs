//! Lambda entry point for `GET /views/{id}/tickets` and `GET /api/v2/views/{id}/tickets` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::views;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::VIEWS_TICKETS,
        views::tickets,
        zendesk::routes::VIEWS_TICKETS,
        zendesk::business::view_tickets,
    )
    .await
}

//! Lambda entry point for `DELETE /views/{id}` and `DELETE /api/v2/views/{id}` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::views;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::VIEWS_DELETE,
        views::delete,
        zendesk::routes::VIEWS_DELETE,
        zendesk::business::view_delete,
    )
    .await
}

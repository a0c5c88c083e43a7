//! Lambda entry point for `GET /tickets/{id}/comments` and `GET /api/v2/tickets/{id}/comments` (its Zendesk API twin): these handlers only.
use helpdesk::http::handlers::comments;
use helpdesk::http::{lambda, routes, zendesk};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), helpdesk::BoxError> {
    lambda::serve_twin(
        routes::COMMENTS_LIST,
        comments::list,
        zendesk::routes::TICKET_COMMENTS,
        zendesk::tickets::comments,
    )
    .await
}

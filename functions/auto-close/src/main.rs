//! Scheduled Lambda (EventBridge): closes tickets solved for `AUTO_CLOSE_DAYS` days.
use helpdesk::jobs::autoclose;
use helpdesk::AppState;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> Result<(), Error> {
    helpdesk::telemetry::init();
    let state = AppState::from_env().await?;
    let days = state.config.auto_close_days;
    let state = &state;
    run(service_fn(move |_: LambdaEvent<Value>| async move {
        let closed = autoclose::close_solved(state, days, helpdesk::clock::now()).await?;
        Ok::<_, Error>(json!({"closed": closed}))
    }))
    .await
}

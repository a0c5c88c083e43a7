//! The hello-world baseline on tokio's current-thread runtime, as every help desk function now
//! runs: shown beside `bench-hello` (the reference, on the default multi-thread runtime) so the
//! report says how much of a function's cold start the runtime flavour alone accounts for.
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    run(service_fn(|_: LambdaEvent<Value>| async { Ok::<_, Error>(json!({"hello": "world"})) })).await
}

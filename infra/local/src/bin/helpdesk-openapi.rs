//! Writes the OpenAPI document generated from the code to stdout (`make openapi` puts it in
//! docs/openapi.yaml; a test fails when that file and the code disagree).
fn main() {
    print!("{}", helpdesk::http::openapi::yaml());
}

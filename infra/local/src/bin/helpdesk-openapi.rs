//! Writes the OpenAPI documents generated from the code to stdout: the native API's (YAML,
//! `make openapi` puts it in docs/openapi.yaml), or with `--zendesk` the `/api/v2` one (JSON,
//! docs/zendesk-openapi.json). Tests fail when the files and the code disagree.
fn main() {
    if std::env::args().nth(1).as_deref() == Some("--zendesk") {
        print!("{}", helpdesk::http::zendesk::openapi::json_text());
    } else {
        print!("{}", helpdesk::http::openapi::yaml());
    }
}

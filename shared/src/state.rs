//! What a function builds once per cold start and shares across invocations.
use crate::auth::token::TokenService;
use crate::config::Config;
use crate::cursor::CursorKey;
use crate::store::Store;

pub struct AppState {
    pub config: Config,
    pub store: Store,
    pub tokens: TokenService,
    pub cursors: CursorKey,
}

impl AppState {
    pub fn new(config: Config, dynamodb: aws_sdk_dynamodb::Client) -> Self {
        let store = Store::new(dynamodb, config.table_name.clone());
        let tokens = TokenService::new(&config.jwt_secret, config.token_ttl_seconds);
        let cursors = CursorKey::new(&config.jwt_secret);
        Self { config, store, tokens, cursors }
    }

    /// Configuration and SDK clients from the environment (region, credentials, endpoints).
    pub async fn from_env() -> Result<Self, crate::BoxError> {
        let config = Config::from_env()?;
        let sdk = aws_config::load_from_env().await;
        Ok(Self::new(config, aws_sdk_dynamodb::Client::new(&sdk)))
    }
}

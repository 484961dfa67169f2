//! `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`: whether a
//! user is in a team (the bot's authorisation by team).

use axum::extract::Path;
use serde_json::json;

use super::{ok, ApiError, ApiResult, Ctx};

pub(crate) async fn membership(ctx: Ctx, Path((org, slug, user)): Path<(String, String, String)>) -> ApiResult {
    let v = {
        let w = ctx.app.state.lock();
        let team = w.teams.get(&format!("{org}/{slug}").to_lowercase()).ok_or_else(ApiError::not_found)?;
        let (role, state) = team.members.get(&user.to_lowercase()).ok_or_else(ApiError::not_found)?;
        json!({
            "url": format!("{}/organizations/{}/team/{}/memberships/{user}", ctx.api, crate::json::user_id(&team.org), crate::json::user_id(&team.slug)),
            "role": role,
            "state": state,
        })
    };
    ok(v)
}

// Re-checks an open event stream's access: a stream outlives the request that opened it, so a
// logout, a disabled or deleted user, an expired token or a lost group must end it too.
#include "control/api/control_api.h"

namespace hark::control {

std::function<bool()> stream_recheck(ApiServices& s, const ApiContext& ctx, long long campaign_id) {
  const auto auth = ctx.req.header("authorization");
  std::string token = auth.size() > 7 ? auth.substr(7) : std::string();
  return [&s, token = std::move(token), campaign_id]() {
    // Any failure, the database's included, ends the stream: the client reconnects and is
    // checked like any request, rather than keep receiving phone numbers unchecked.
    auto user = s.auth.authenticate(token);
    if (!user || (user->role != Role::campaign_admin && user->role != Role::campaign_supervisor)) return false;
    const HttpRequest none;
    ApiContext again{none, {}, std::move(user)};
    try {
      s.db.with([&](pqxx::connection& c) {
        pqxx::read_transaction tx(c);
        authorize_campaign(tx, again, campaign_id, false);
      });
    } catch (const ApiError&) {
      return false;
    }
    return true;
  };
}

}  // namespace hark::control

// The dashboard's routes: the page at / and its files at /ui/{file}, from the table compiled
// into the binary (control/web). No login: the page itself logs in through the API.
#include "control/api/control_api.h"
#include "control/web/web_assets.h"

namespace hark::control {

namespace {

// The page loads nothing from elsewhere (no CDN, no fonts), and the policy says so to the
// browser too: a script that is not ours does not run, and no other site may frame the page.
constexpr const char* kPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

HttpResponse serve(const web::Asset& a) {
  HttpResponse res;
  res.content_type = std::string(a.content_type);
  res.body = std::string(a.body);
  // Revalidated on each load: a new hark binary brings new files under the same names.
  res.headers.emplace_back("Cache-Control", "no-cache");
  res.headers.emplace_back("Content-Security-Policy", kPolicy);
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  return res;
}

/// GET /: the dashboard's page.
HttpResponse index_page(ApiContext&) {
  const auto* a = web::find_asset("index.html");
  if (!a) return error_response(404, "not_found", "this hark was built without its dashboard");
  return serve(*a);
}

/// GET /ui/{file}: one of the page's scripts or styles.
HttpResponse ui_file(ApiContext& ctx) {
  const auto* a = web::find_asset(ctx.params.at("file"));
  if (!a) return error_response(404, "not_found", "no such file: " + ctx.params.at("file"));
  return serve(*a);
}

}  // namespace

void add_web_routes(Router& r) {
  r.add({"GET", "/", "open the dashboard (a web page)", Access::anyone(), "", index_page});
  r.add({"GET", "/ui/{file}", "read one of the dashboard's files", Access::anyone(), "", ui_file});
}

}  // namespace hark::control

// The dashboard's routes: the page and its files come from the table compiled into hark, with
// the headers that keep the page to its own files; every file the page names exists.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "control/api/control_api.h"
#include "control/web/web_assets.h"

namespace {

using hark::control::HttpRequest;
using hark::control::HttpResponse;
using hark::control::Router;

HttpResponse get(const Router& r, const std::string& path) {
  HttpRequest req;
  req.method = "GET";
  req.target = req.path = path;
  return r.handle(req);
}

std::string header(const HttpResponse& res, const std::string& name) {
  for (const auto& [k, v] : res.headers)
    if (k == name) return v;
  return {};
}

Router make() {
  Router r([](const std::string&) { return std::nullopt; });
  hark::control::add_web_routes(r);
  return r;
}

TEST(WebRoutes, ThePageIsServedWithoutLoginAndOnlyLoadsItsOwnFiles) {
  const auto r = make();
  const auto page = get(r, "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("/ui/app.js"), std::string::npos);
  const auto csp = header(page, "Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(header(page, "X-Content-Type-Options"), "nosniff");
  // No address of another site anywhere in the page or its files (SVG's namespace is a name,
  // not a fetch, and is written once, in chart.js).
  for (const auto& a : hark::web::assets()) {
    std::string body(a.body);
    if (a.name == "chart.js") body.replace(body.find("http://www.w3.org/2000/svg"), 26, "");
    EXPECT_EQ(body.find("://"), std::string::npos) << a.name << " names another site";
  }
}

TEST(WebRoutes, FilesHaveTheirTypesAndUnknownOnesAre404) {
  const auto r = make();
  const auto js = get(r, "/ui/app.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(get(r, "/ui/style.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(get(r, "/ui/missing.js").status, 404);
  EXPECT_EQ(get(r, "/ui/../index.html").status, 404);
}

TEST(WebRoutes, EveryFileThePageImportsIsEmbedded) {
  // A file named by an import or by the page but missing from assets/ would only show as a
  // broken page in a browser; here it fails at once.
  std::set<std::string> names;
  for (const auto& a : hark::web::assets()) names.insert(std::string(a.name));
  const std::regex ref(R"((?:from\s+'\./|src="/ui/|href="/ui/)([A-Za-z0-9_.-]+))");
  int seen = 0;
  for (const auto& a : hark::web::assets()) {
    const std::string body(a.body);
    for (std::sregex_iterator it(body.begin(), body.end(), ref), end; it != end; ++it, ++seen)
      EXPECT_TRUE(names.count((*it)[1])) << a.name << " names " << (*it)[1] << ", which is not in control/web/assets";
  }
  EXPECT_GT(seen, 10);
}

}  // namespace

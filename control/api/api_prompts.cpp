// Voicemail prompts: uploaded audio kept in the prompts folder under a name the server chooses,
// owned by a group like campaigns. Campaign Administrators upload and delete their groups'
// prompts; Supervisors read them. Another group's prompt is a 404, like a campaign. A prompt a
// campaign plays cannot be deleted (409).
#include <spdlog/spdlog.h>

#include "control/api/control_api.h"
#include "control/campaign/prompt_files.h"
#include "sql/prompt_store.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kAdmin = Access::only({Role::campaign_admin});
const auto kReaders = Access::only({Role::campaign_admin, Role::campaign_supervisor});

json::object prompt_json(const sql::PromptRecord& p) {
  return {{"id", p.id},           {"groupId", p.group_id},   {"name", p.name},
          {"sizeBytes", p.size_bytes}, {"durationMs", p.duration_ms}, {"createdAt", p.created_at}};
}

/// The prompt, when it exists and is in one of the caller's groups; else 404 (never 403: the
/// caller should not learn it exists).
sql::PromptRecord authorize_prompt(pqxx::transaction_base& tx, const ApiContext& ctx, long long id, bool lock) {
  auto p = sql::get_prompt(tx, id, lock);
  if (!p || !ctx.me().in_group(p->group_id)) fail(404, "not_found", "no such prompt");
  return *p;
}

/// The group a new prompt goes to: ?groupId=, or the caller's only group.
long long upload_group(const ApiContext& ctx) {
  const auto g = ctx.query_int("groupId", 0, 1, INT64_MAX);
  if (g == 0) {
    if (ctx.me().groups.size() != 1) invalid("groupId", "name the prompt's group: ?groupId=");
    return ctx.me().groups.front();
  }
  if (!ctx.me().in_group(g)) fail(403, "forbidden", "you are not in group " + std::to_string(g), "groupId");
  return g;
}

/// GET /prompts: the prompts of the caller's groups.
HttpResponse list_prompts(ApiServices& s, ApiContext& ctx) {
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    json::array out;
    for (const auto& p : sql::list_prompts(tx))
      if (ctx.me().in_group(p.group_id)) out.push_back(prompt_json(p));
    return json_response(json::object{{"prompts", std::move(out)}});
  });
}

/// POST /prompts?name=&groupId=: the body is the audio (audio/wav, audio/basic, audio/pcma).
HttpResponse upload_prompt(ApiServices& s, ApiContext& ctx) {
  const auto name = ctx.query("name");
  if (name.empty() || name.size() > 100) invalid("name", "name (a query parameter) must be 1 to 100 bytes");
  for (unsigned char ch : name)
    if (ch < 0x20 || ch == 0x7f) invalid("name", "name must not hold control characters");
  const auto group = upload_group(ctx);
  const auto& body = ctx.req.body;
  if (body.empty()) fail(400, "empty_body", "send the audio file as the request body");
  if (body.size() > kMaxPromptUploadBytes) fail(413, "too_large", "a prompt file holds at most 10 MiB");
  const auto enc = prompt_encoding(ctx.req.header("content-type"));
  if (!enc)
    fail(415, "unsupported_media_type",
         "send the audio as audio/wav (8 kHz; 16-bit PCM, μ-law or A-law), audio/basic (raw μ-law) or audio/pcma "
         "(raw A-law)");
  std::vector<int16_t> pcm;
  if (auto err = decode_prompt_upload(body, *enc, pcm); !err.empty()) invalid("body", "not a usable prompt: " + err);
  const int duration_ms = int(pcm.size() / 8);
  const long long stored_size = 44 + 2 * static_cast<long long>(pcm.size());  // the WAV store_prompt_file writes
  long long written = 0;
  std::optional<long long> stored_id;
  try {
    return s.db.with([&](pqxx::connection& c) {
      pqxx::work tx(c);
      auto p = sql::insert_prompt(tx, group, name, stored_size, duration_ms);
      if (auto err = store_prompt_file(s.prompts_dir, p.id, pcm, written); !err.empty()) {
        spdlog::error("prompts: {}", err);
        fail(500, "storage_failed", "the prompt could not be stored (see the server log)");
      }
      stored_id = p.id;
      s.audit(tx, ctx, "create", "prompt/" + std::to_string(p.id), {{"name", name}, {"durationMs", duration_ms}});
      tx.commit();
      return json_response(prompt_json(p), 201);
    });
  } catch (...) {
    if (stored_id) remove_prompt_file(s.prompts_dir, *stored_id);  // the row is gone: so is its file
    throw;
  }
}

/// GET /prompts/{id}
HttpResponse get_prompt(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return json_response(prompt_json(authorize_prompt(tx, ctx, id, false)));
  });
}

/// DELETE /prompts/{id}: unless a campaign plays it.
HttpResponse delete_prompt(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  auto res = s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto p = authorize_prompt(tx, ctx, id, true);
    if (const auto users = sql::prompt_users(tx, id); !users.empty()) {
      std::string list;
      for (auto u : users) list += (list.empty() ? "" : ", ") + std::to_string(u);
      fail(409, "prompt_in_use", "campaign(s) " + list + " play this prompt: give them another voicemailPromptId first");
    }
    sql::delete_prompt(tx, id);
    s.audit(tx, ctx, "delete", "prompt/" + std::to_string(id), {{"name", p.name}});
    tx.commit();
    return no_content();
  });
  remove_prompt_file(s.prompts_dir, id);  // after the commit: a failed delete keeps its file
  return res;
}

}  // namespace

void add_prompt_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"GET", "/api/v1/prompts", "list voicemail prompts", kReaders, "", list_prompts},
      {"POST", "/api/v1/prompts", "upload voicemail prompts (?name=&groupId=)", kAdmin, "audio", upload_prompt},
      {"GET", "/api/v1/prompts/{id}", "view voicemail prompts", kReaders, "", get_prompt},
      {"DELETE", "/api/v1/prompts/{id}", "delete voicemail prompts (unless a campaign plays them)", kAdmin, "",
       delete_prompt},
  });
}

}  // namespace hark::control

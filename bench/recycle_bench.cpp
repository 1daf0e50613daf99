// Recycling speed: 1,000,000 finished leads (BUSY and NO_ANSWER) recycled into the same campaign
// (a new round, due again) and then copied into a new campaign, with the statements
// POST /campaigns/{id}/recycle runs, in PostgreSQL (DATABASE_URL), in a schema of its own that
// is dropped afterwards. Target: <= 10 s each. Also timed: what the copy leaves to the new
// campaign (its summary before it starts, and its start, which makes the copies' dialing rows).
//   DATABASE_URL=... recycle_bench [--rows N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "sql/db_pool.h"
#include "sql/migrate.h"

using namespace hark;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// CPU seconds (user + system) the PostgreSQL backend `pid` has used, from /proc (-1 when it
/// cannot be read: a server on another machine). On a machine shared with other work the wall
/// time says how long the caller waited, the CPU time what recycling costs.
double backend_cpu_s(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), {});
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; rest >> field; ++i) {  // fields 14 and 15: utime, stime in clock ticks
    if (i == 14) utime = std::stod(field);
    if (i == 15) { stime = std::stod(field); break; }
  }
  return (utime + stime) / double(::sysconf(_SC_CLK_TCK));
}
}  // namespace

int main(int argc, char** argv) {
  int rows = 1'000'000;
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::string(argv[i]) == "--rows") rows = std::atoi(argv[i + 1]);
  const char* url = std::getenv("DATABASE_URL");
  if (!url) {
    std::fprintf(stderr, "recycle_bench: set DATABASE_URL (scripts/pg.sh start prints one)\n");
    return 2;
  }
  pqxx::connection c(url);
  const std::string schema = "recycle_bench_" + std::to_string(::getpid());
  {
    pqxx::work tx(c);
    tx.exec0("CREATE SCHEMA " + tx.quote_name(schema));
    tx.commit();
  }
  c.set_variable("search_path", c.quote_name(schema));
  int status = 0;
  try {
    sql::apply_migrations(c, sql::builtin_migrations());
    for (const auto& st : sql::statements()) c.prepare(st.name, st.sql);
    long long campaign, fresh;
    {
      pqxx::work tx(c);
      tx.exec0("INSERT INTO dialer_groups (name) VALUES ('g')");
      const char* insert =
          "INSERT INTO campaigns (name, group_id, start_date, end_date, start_time, end_time, pilot_number)"
          " SELECT $1, id, '2026-01-01', '2026-12-31', '09:00', '17:00', '100' FROM dialer_groups RETURNING id";
      campaign = tx.exec_params1(insert, "c")[0].as<long long>();
      fresh = tx.exec_params1(insert, "c2")[0].as<long long>();
      // Leads as an upload leaves them (external ids, a field), then finished by a round of calls.
      // Into the tables, not row by row through the view `leads` (0022_lead_dialing_state.sql).
      tx.exec_params0("INSERT INTO lead_contacts (campaign_id, name, phone, external_id, fields) "
                      "SELECT $1, 'Lead ' || i, '+1555' || (1000000 + i), 'ext' || i, '{\"city\":\"Springfield\"}' "
                      "FROM generate_series(1, $2) i",
                      campaign, rows);
      tx.exec_params0("UPDATE lead_dialing SET status = CASE WHEN lead_id % 2 = 0 THEN 'BUSY' ELSE 'NO_ANSWER' END, "
                      "attempts = 5, done = true, last_attempt_at = now() WHERE campaign_id = $1",
                      campaign);
      tx.commit();
    }
    {
      pqxx::nontransaction tx(c);
      tx.exec0("VACUUM ANALYZE lead_contacts");
      tx.exec0("VACUUM ANALYZE lead_dialing");
    }
    const std::string statuses = sql::text_array_literal({"BUSY", "NO_ANSWER"});
    const int backend = c.backendpid();
    // One transaction: its wall time, the backend's CPU time, and the rows it changed.
    struct Timed { double s, cpu; long long rows; };
    auto timed = [&](auto&& work) {
      const double cpu0 = backend_cpu_s(backend);
      const auto t0 = Clock::now();
      pqxx::work tx(c);
      const long long rows = work(tx);
      tx.commit();
      return Timed{seconds_since(t0), backend_cpu_s(backend) - cpu0, rows};
    };
    const Timed same = timed([&](pqxx::work& tx) {
      return tx.exec_prepared0("leads_recycle_same", campaign, statuses).affected_rows();
    });
    // As the route does after the first recycle: they are finished again first.
    const Timed refinish = timed([&](pqxx::work& tx) {
      return tx.exec_params0("UPDATE lead_dialing SET status = 'BUSY', done = true WHERE campaign_id = $1", campaign)
          .affected_rows();
    });
    const Timed copy = timed([&](pqxx::work& tx) {
      return tx.exec_prepared0("leads_recycle_copy", campaign, fresh, statuses).affected_rows();
    });
    // What the copy leaves for later (migration 0023): the new campaign's summary counts the
    // leads without dialing rows, and its start makes those rows.
    const Timed summary = timed([&](pqxx::work& tx) {
      tx.exec_prepared("lead_counts", fresh);
      tx.exec_prepared("lead_rounds", fresh);
      return 0LL;
    });
    const Timed start = timed([&](pqxx::work& tx) {
      return tx.exec_prepared0("lead_dialing_make_pending", fresh).affected_rows();
    });
    std::printf("recycle_bench: %d leads\n", rows);
    std::printf("  same campaign (new round, due again): %lld leads in %.2f s (%.0f leads/s), backend CPU %.2f s\n",
                same.rows, same.s, same.rows / same.s, same.cpu);
    std::printf("  new campaign (copies with origin):    %lld leads in %.2f s (%.0f leads/s), backend CPU %.2f s\n",
                copy.rows, copy.s, copy.rows / copy.s, copy.cpu);
    std::printf("  (not measured: finishing them again between the two, %.2f s)\n", refinish.s);
    std::printf("  later, the new campaign's summary counts (lead_counts, lead_rounds): %.2f s\n", summary.s);
    std::printf("  later, its start makes the copies' dialing rows: %.2f s, backend CPU %.2f s\n", start.s, start.cpu);
    if (same.rows != rows || copy.rows != rows || start.rows != rows) status = 1;  // every copy got its dialing row at the start
  } catch (const std::exception& e) {
    std::fprintf(stderr, "recycle_bench: %s\n", e.what());
    status = 1;
  }
  pqxx::work tx(c);
  tx.exec0("DROP SCHEMA " + tx.quote_name(schema) + " CASCADE");
  tx.commit();
  return status;
}

// Lead import speed: 1,000,000 CSV rows parsed and COPYed into PostgreSQL (DATABASE_URL), in a
// schema of its own that is dropped afterwards. Target: <= 15 s.
//   DATABASE_URL=... lead_import_bench [--rows N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "control/campaign/lead_csv.h"
#include "sql/lead_store.h"
#include "sql/db_pool.h"
#include "sql/migrate.h"

using namespace hark;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int rows = 1'000'000;
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::string(argv[i]) == "--rows") rows = std::atoi(argv[i + 1]);
  const char* url = std::getenv("DATABASE_URL");
  if (!url) {
    std::fprintf(stderr, "lead_import_bench: set DATABASE_URL (scripts/pg.sh start prints one)\n");
    return 2;
  }
  std::string csv = "name,phone,external_id,city\n";
  csv.reserve(size_t(rows) * 48);
  for (int i = 0; i < rows; ++i)
    csv += "Lead " + std::to_string(i) + ",+1201" + std::to_string(2000000 + i) + ",ext" + std::to_string(i) + ",Springfield\n";

  pqxx::connection c(url);
  const std::string schema = "lead_bench_" + std::to_string(::getpid());
  {
    pqxx::work tx(c);
    tx.exec0("CREATE SCHEMA " + tx.quote_name(schema));
    tx.commit();
  }
  c.set_variable("search_path", c.quote_name(schema));
  sql::apply_migrations(c, sql::builtin_migrations());
  for (const auto& st : sql::statements()) c.prepare(st.name, st.sql);  // import_leads uses named statements
  long long campaign;
  {
    pqxx::work tx(c);
    tx.exec0("INSERT INTO dialer_groups (name) VALUES ('g')");
    campaign = tx.exec1("INSERT INTO campaigns (name, group_id, start_date, end_date, start_time, end_time, pilot_number)"
                        " SELECT 'c', id, '2026-01-01', '2026-12-31', '09:00', '17:00', '100' FROM dialer_groups RETURNING id")[0]
                   .as<long long>();
    tx.commit();
  }
  // As the upload endpoint does it: parsing a batch on one thread while COPY stores the one before.
  const auto t0 = Clock::now();
  control::LeadCsvReader reader(csv);
  control::LeadCsvResult parsed;
  size_t leads = 0;
  sql::ImportResult r;
  {
    pqxx::work tx(c);
    r = sql::import_leads(tx, campaign, [&](std::vector<sql::Lead>& batch) {
      const bool more = reader.next(parsed, 20000);
      batch.swap(parsed.leads);
      leads += batch.size();
      return more;
    });
    tx.commit();
  }
  const double total_s = std::chrono::duration<double>(Clock::now() - t0).count();
  // The parser alone, for the split.
  const auto t1 = Clock::now();
  const auto alone = control::parse_lead_csv(csv);
  const double parse_s = std::chrono::duration<double>(Clock::now() - t1).count();
  std::printf("rows %d (%.1f MiB of CSV): parsed %zu and COPY imported %d in %.2f s (%.0f rows/s); "
              "the parser alone takes %.2f s for %zu\n",
              rows, double(csv.size()) / 1048576.0, leads, r.imported, total_s, double(r.imported) / total_s, parse_s,
              alone.leads.size());
  pqxx::work tx(c);
  tx.exec0("DROP SCHEMA " + tx.quote_name(schema) + " CASCADE");
  tx.commit();
  return r.imported == rows ? 0 : 1;
}

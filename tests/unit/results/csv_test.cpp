#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "results/csv.hpp"

using namespace concur::results;

namespace {
std::string slurp(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("fields are quoted only when they must be", "[results]") {
  CHECK(csv_escape("plain") == "plain");
  CHECK(csv_escape("a,b") == "\"a,b\"");
  CHECK(csv_escape("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_escape("two\nlines") == "\"two\nlines\"");
}

TEST_CASE("a row has one field per header column", "[results]") {
  RunResult r;
  r.metrics["queue_hwm"] = 3;
  CHECK(csv_fields(r).size() == csv_header().size());
}

TEST_CASE("each row is on disk as soon as it is written", "[results]") {
  auto dir = std::filesystem::temp_directory_path() / "concur-csv-test";
  std::filesystem::remove_all(dir);
  const std::string path = (dir / "sub" / "runs.csv").string();
  CsvWriter csv(path);  // creates the folders
  RunResult r;
  r.experiment = "e";
  r.strategy = "sequential";
  r.options = "workers=4 mode=a,b";
  r.pages_ok = 7;
  csv.write(r);
  std::string text = slurp(path);  // the writer is still open: the row must be flushed
  CHECK(text.rfind("experiment,strategy,options,repeat,status,pages_ok", 0) == 0);
  CHECK(text.find("e,sequential,\"workers=4 mode=a,b\",0,ok,7,") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("an unwritable path is refused with its name", "[results]") {
  CHECK_THROWS_WITH(CsvWriter("/proc/concur/runs.csv"), Catch::Contains("/proc/concur/runs.csv"));
}

// `concur report RUNS.csv [-o report.html]`: the HTML page of a runs CSV.
#include <fstream>
#include <iostream>
#include <memory>

#include "analysis/summary_csv.hpp"
#include "cli/commands.hpp"
#include "report/json_table.hpp"
#include "report/report.hpp"

namespace concur::cli {
namespace {

struct ReportArgs {
  std::string csv;
  std::string out;  // empty: RUNS.csv -> RUNS.html
};

int report(const ReportArgs &args) {
  const std::string out_path =
      args.out.empty() ? analysis::beside_csv(args.csv, ".html") : args.out;
  try {
    const report::CsvTable runs = report::read_results(args.csv);
    std::ofstream out(out_path, std::ios::trunc);
    if (!out) {
      std::cerr << "concur: cannot write " << out_path << "\n";
      return kExitRunFailed;
    }
    report::write_report(runs, out);
    out.close();
    if (!out) {
      std::cerr << "concur: cannot write " << out_path << "\n";
      return kExitRunFailed;
    }
  } catch (const report::ReadError &e) {
    std::cerr << "concur: " << e.what() << "\n";
    return kExitUsage;
  }
  std::cerr << "concur: wrote " << out_path << "\n";
  return kExitOk;
}

}  // namespace

Subcommand add_report(CLI::App &app) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App *sub = app.add_subcommand("report", "Turn a runs CSV into a self-contained HTML page");
  sub->add_option("runs", args->csv,
                  "A runs CSV written by concur run (results/x.csv), or its --json document")
      ->required();
  sub->add_option("-o,--out", args->out, "The HTML file (default: the CSV's name, .html)");
  sub->footer(
      "The page holds the summary table (statistics over repeats, speedup over each\n"
      "configuration's baseline: its sequential run, else its smallest width) and the charts\n"
      "that fit the experiment: wall time and efficiency; speedup by width with the USL fit\n"
      "where a width is swept; the GIL's lesson where gil varies; the event loop's stall;\n"
      "request latency for crawls; and where time went: each configuration's median run as\n"
      "lanes of workers over time, from RUNS.timeline.csv beside the CSV (concur run writes\n"
      "it). One file: no scripts, nothing fetched.");
  return {sub, [args] { return report(*args); }};
}

}  // namespace concur::cli

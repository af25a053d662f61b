// The host side of the ABI: the service table handed to plugins, and running
// one plugin against one crawl.
#pragma once

#include <concur/plugin.h>

#include <string>
#include <vector>

#include "config/options.hpp"
#include "crawl/crawl_run.hpp"
#include "crawl/worker_trust.hpp"
#include "plugin/loader.hpp"

namespace concur::plugin {

const concur_host &host_table();

// Calls the plugin's run() for `crawl` with its option values. A failure of
// the strategy, or a misuse of the host table, aborts the crawl with a message
// (crawl.error()); tasks and workers the plugin left behind are reclaimed and
// reported as a plugin bug.
void run_plugin(const Plugin &plugin, crawl::CrawlRun &crawl, const config::OptionSet &options);

// `concur worker`: the plugin's serve() with the command line as "key=value"
// strings; the runs it opens must pass `trust`. Returns serve()'s code: 0 when
// it served and ended well; else nonzero (2: the user's arguments), with its
// message in `error`. A plugin without serve() is a PluginError.
int serve_plugin(const Plugin &plugin, const std::vector<std::string> &args,
                 const crawl::WorkerTrust &trust, std::string &error);

}  // namespace concur::plugin

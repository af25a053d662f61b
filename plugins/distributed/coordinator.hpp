// The distributed strategy's run(): see coordinator.cpp.
#pragma once

#include <concur/plugin.h>

namespace concur::distributed {

int coordinate(const concur_host *host, concur_run *run, char *err, size_t err_size);

}  // namespace concur::distributed

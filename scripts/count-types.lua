-- Hooks that count the page types a crawl met, per run.
--   concur run configs/count-types.yaml
-- Each worker runs these functions in a Lua state of its own, so `counts` is a
-- global per worker; done() adds them up across workers, and on_result() turns
-- the totals into CSV columns (type_regular, type_delay, ...).

counts = {}

function on_page(page)
  counts[page.type] = (counts[page.type] or 0) + 1
  -- nil: follow every link, in the page's order
end

local totals = {}

function done(summary)
  totals = concur.merge(summary.workers, "counts")
  local parts = {}
  for _, t in ipairs{"regular", "delay", "failure", "cpu", "core"} do
    parts[#parts + 1] = string.format("%s=%d", t, totals[t] or 0)
  end
  concur.log(summary.strategy, summary.options, table.concat(parts, " "))
end

function on_result(row)
  local columns = {}
  for _, t in ipairs{"regular", "delay", "failure", "cpu", "core"} do
    columns["type_" .. t] = totals[t] or 0
  end
  return columns
end

-- A priority crawler: on each page, queue the links to cheap pages first.
--   concur run configs/priority.yaml
-- page.link_types gives each link's type when the server shares its whole graph
-- (our demo server does, at /api/cheat/, for whole-graph crawls); "" otherwise.
-- With max_pages set, cheap-first crawls more pages in the same time. For a
-- whole-graph crawl the opposite order (expensive first: longest processing
-- time first) shortens the wall time instead. PRIORITY=expensive tries it.

local cost = {regular = 1, failure = 2, cpu = 3, core = 3, delay = 4, [""] = 2}
local expensive_first = os.getenv("PRIORITY") == "expensive"

reordered = 0  -- per worker; read by done()

function on_page(page)
  local order = {}
  for i, link in ipairs(page.links) do
    order[i] = {link = link, cost = cost[page.link_types[i]] or 2, i = i}
  end
  table.sort(order, function(a, b)
    if a.cost ~= b.cost then
      if expensive_first then return a.cost > b.cost end
      return a.cost < b.cost
    end
    return a.i < b.i  -- stable: ties keep the page's order
  end)
  local links = {}
  for i, o in ipairs(order) do
    links[i] = o.link
    if o.i ~= i then reordered = reordered + 1 end
  end
  return links
end

function done(summary)
  local moved = 0
  for _, worker in ipairs(summary.workers) do moved = moved + worker:get("reordered") end
  concur.log(string.format("%s: %d links moved, %d pages in %.2f s", summary.strategy, moved,
                           summary.pages_ok, summary.wall_s))
end
